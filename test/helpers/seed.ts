import { createHash } from 'node:crypto';
import type { Db } from '../../src/db/client.ts';
import { createApiKey, revokeApiKey } from '../../src/db/queries/api-keys.ts';
import { insertFileWithKeyframes, type NewFile } from '../../src/db/queries/files.ts';
import { createJob } from '../../src/db/queries/jobs.ts';
import { createOrganization } from '../../src/db/queries/organizations.ts';
import { newId } from '../../src/ids.ts';
import { fileObjectKey, keyframeObjectKey } from '../../src/storage/keys.ts';

export interface SeededOrganization {
  organizationId: string;
  jobId: string;
  readKey: string;
  writeOnlyKey: string;
  revokedKey: string;
}

/** Creates an organization with one job and three keys: read, write-only and revoked. */
export async function seedOrganization(db: Db, name = 'Acme'): Promise<SeededOrganization> {
  const organization = await createOrganization(db, { name });
  const job = await createJob(db, { organizationId: organization.id, name: `${name} job` });
  const read = await createApiKey(db, { organizationId: organization.id, name: 'read', scopes: ['jobs:read'] });
  const writeOnly = await createApiKey(db, { organizationId: organization.id, name: 'write', scopes: ['jobs:write'] });
  const revoked = await createApiKey(db, { organizationId: organization.id, name: 'old', scopes: ['jobs:read'] });
  await revokeApiKey(db, revoked.row.id);
  return {
    organizationId: organization.id,
    jobId: job.id,
    readKey: read.secret,
    writeOnlyKey: writeOnly.secret,
    revokedKey: revoked.secret,
  };
}

let counter = 0;

/**
 * Inserts file rows straight into the database (no media processing), for tests of listing
 * and paging. Every fourth file is a video with three keyframes. Returns the ids in creation order.
 */
export async function seedFiles(
  db: Db,
  target: { organizationId: string; jobId: string },
  count: number,
  rating: (index: number) => number = () => 4,
): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 1) {
    counter += 1;
    const contentHash = createHash('sha256').update(`seed-${counter}-${Math.random()}`).digest('hex');
    const video = i % 4 === 3;
    const file: NewFile = {
      id: newId('file'),
      jobId: target.jobId,
      organizationId: target.organizationId,
      submissionId: newId('submission'),
      contentType: video ? 'video/mp4' : 'image/jpeg',
      sizeBytes: 1000 + i,
      durationSeconds: video ? 8 : null,
      width: 640,
      height: 480,
      contentHash,
      aiStarRating: rating(i),
      storageKey: fileObjectKey(contentHash),
      annotations: { labels: ['seed'] },
    };
    const frames = video
      ? [0, 1, 2].map((index) => ({
          fileId: file.id as string,
          index,
          timestampSeconds: 2 * (index + 1),
          width: 640,
          height: 480,
          storageKey: keyframeObjectKey(contentHash, index),
        }))
      : [];
    await insertFileWithKeyframes(db, file, frames);
    ids.push(file.id as string);
  }
  return ids;
}
