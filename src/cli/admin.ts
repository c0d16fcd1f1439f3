import type { Command } from 'commander';
import { loadConfig } from '../config.ts';
import type { Database } from '../db/client.ts';
import { createApiKey, KNOWN_SCOPES, revokeApiKey, type Scope } from '../db/queries/api-keys.ts';
import { createJob, listJobs } from '../db/queries/jobs.ts';
import { createOrganization, findOrganization } from '../db/queries/organizations.ts';
import { isId } from '../ids.ts';
import { openConfiguredDatabase } from './context.ts';
import { printResult, UsageError } from './output.ts';

async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  const database = await openConfiguredDatabase(loadConfig());
  try {
    return await work(database);
  } finally {
    await database.close();
  }
}

async function requireOrganization(database: Database, id: string) {
  if (!isId('organization', id)) {
    throw new UsageError(
      `Invalid --org ${JSON.stringify(id)}: expected an organization id such as org_01J…; run \`files-gateway orgs create --name NAME\` to make one.`,
    );
  }
  const organization = await findOrganization(database.db, id);
  if (!organization) throw new UsageError(`Unknown organization ${JSON.stringify(id)}: no organization has this id in this database.`);
  return organization;
}

export function parseScopes(value: string): Scope[] {
  const scopes = value
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  if (scopes.length === 0) throw new UsageError(`--scopes is empty: expected a comma-separated list of ${KNOWN_SCOPES.join(', ')}.`);
  for (const scope of scopes) {
    if (!(KNOWN_SCOPES as readonly string[]).includes(scope)) {
      throw new UsageError(`Unknown scope ${JSON.stringify(scope)} in --scopes: known scopes are ${KNOWN_SCOPES.join(', ')}.`);
    }
  }
  return [...new Set(scopes)] as Scope[];
}

function nonEmpty(flag: string, value: string): string {
  const trimmed = value.trim();
  if (!trimmed) throw new UsageError(`${flag} is empty: give a name of at least one visible character.`);
  return trimmed;
}

export function registerAdminCommands(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .option('--json', 'print one JSON object')
    .action(async (options: { json?: boolean }) => {
      const kind = await withDatabase(async (database) => database.kind);
      printResult(options.json, { migrated: true, database: kind }, `Migrations applied (${kind}).`);
    });

  const orgs = program.command('orgs').description('manage organizations');
  orgs
    .command('create')
    .description('create an organization')
    .requiredOption('--name <name>', 'organization name')
    .option('--json', 'print one JSON object')
    .action(async (options: { name: string; json?: boolean }) => {
      const name = nonEmpty('--name', options.name);
      const organization = await withDatabase((database) => createOrganization(database.db, { name }));
      printResult(
        options.json,
        { id: organization.id, name: organization.name, created_at: organization.createdAt.toISOString() },
        `Created organization ${organization.id} (${organization.name}).`,
      );
    });

  const keys = program.command('keys').description('manage API keys');
  keys
    .command('create')
    .description('create an API key and print its secret once')
    .requiredOption('--org <org_id>', 'organization that owns the key')
    .requiredOption('--scopes <scopes>', `comma-separated scopes: ${KNOWN_SCOPES.join(', ')}`)
    .option('--name <name>', 'label to recognise the key by', 'default')
    .option('--json', 'print one JSON object')
    .action(async (options: { org: string; scopes: string; name: string; json?: boolean }) => {
      const scopes = parseScopes(options.scopes);
      const name = nonEmpty('--name', options.name);
      const { row, secret } = await withDatabase(async (database) => {
        await requireOrganization(database, options.org);
        return createApiKey(database.db, { organizationId: options.org, name, scopes });
      });
      printResult(
        options.json,
        { id: row.id, organization_id: row.organizationId, name: row.name, scopes: row.scopes, key: secret },
        `Created API key ${row.id} with scopes ${row.scopes.join(', ')}.\nSecret (shown once, store it now): ${secret}`,
      );
    });

  keys
    .command('revoke')
    .description('revoke an API key; requests with it fail from then on')
    .argument('<key_id>', 'id of the key (key_…)')
    .option('--json', 'print one JSON object')
    .action(async (keyId: string, options: { json?: boolean }) => {
      if (!isId('apiKey', keyId))
        throw new UsageError(`Invalid key id ${JSON.stringify(keyId)}: expected an id such as key_01J… (not the secret).`);
      const row = await withDatabase((database) => revokeApiKey(database.db, keyId));
      if (!row) throw new UsageError(`Unknown API key ${JSON.stringify(keyId)}: no key has this id.`);
      const revokedAt = row.revokedAt?.toISOString() ?? null;
      printResult(options.json, { id: row.id, revoked_at: revokedAt }, `Revoked API key ${row.id} at ${revokedAt}.`);
    });

  const jobs = program.command('jobs').description('manage jobs');
  jobs
    .command('create')
    .description('create a job')
    .requiredOption('--org <org_id>', 'organization that owns the job')
    .requiredOption('--name <name>', 'job name')
    .option('--json', 'print one JSON object')
    .action(async (options: { org: string; name: string; json?: boolean }) => {
      const name = nonEmpty('--name', options.name);
      const job = await withDatabase(async (database) => {
        await requireOrganization(database, options.org);
        return createJob(database.db, { organizationId: options.org, name });
      });
      printResult(
        options.json,
        { id: job.id, organization_id: job.organizationId, name: job.name, status: job.status, created_at: job.createdAt.toISOString() },
        `Created job ${job.id} (${job.name}).`,
      );
    });

  jobs
    .command('list')
    .description("list an organization's jobs")
    .requiredOption('--org <org_id>', 'organization')
    .option('--json', 'print one JSON object')
    .action(async (options: { org: string; json?: boolean }) => {
      const rows = await withDatabase(async (database) => {
        await requireOrganization(database, options.org);
        return listJobs(database.db, options.org);
      });
      const data = rows.map((job) => ({ id: job.id, name: job.name, status: job.status, created_at: job.createdAt.toISOString() }));
      const text = data.length === 0 ? 'No jobs.' : data.map((job) => `${job.id}  ${job.status.padEnd(9)}  ${job.name}`).join('\n');
      printResult(options.json, { object: 'list', data }, text);
    });
}
