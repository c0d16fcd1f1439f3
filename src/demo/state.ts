import fs from 'node:fs';
import path from 'node:path';
import type { Database } from '../db/client.ts';
import { createApiKey, findApiKeyBySecret } from '../db/queries/api-keys.ts';
import { createJob, findJob } from '../db/queries/jobs.ts';
import { createOrganization, findOrganization } from '../db/queries/organizations.ts';

/** The demo's organization, key and job, kept in `$DATA_DIR/demo.json` so a second run reuses them. */
export interface DemoState {
  organizationId: string;
  apiKeyId: string;
  /** The key secret: the database keeps only its hash, so the demo keeps the secret here (mode 0600). */
  apiKey: string;
  jobId: string;
}

function readState(file: string): DemoState | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as DemoState;
  } catch {
    return undefined;
  }
}

/** Returns the saved demo state when its rows still exist, else creates new rows and saves them. */
export async function ensureDemoState(database: Database, dataDir: string): Promise<DemoState> {
  const file = path.join(dataDir, 'demo.json');
  const saved = readState(file);
  if (saved) {
    const [organization, key, job] = await Promise.all([
      findOrganization(database.db, saved.organizationId),
      findApiKeyBySecret(database.db, saved.apiKey),
      findJob(database.db, saved.jobId),
    ]);
    if (organization && key && !key.revokedAt && job) return saved;
  }

  const organization = await createOrganization(database.db, { name: 'Demo organization' });
  const { row, secret } = await createApiKey(database.db, {
    organizationId: organization.id,
    name: 'demo',
    scopes: ['jobs:read', 'jobs:write'],
  });
  const job = await createJob(database.db, { organizationId: organization.id, name: 'Demo job: street scenes' });
  const state: DemoState = { organizationId: organization.id, apiKeyId: row.id, apiKey: secret, jobId: job.id };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  return state;
}
