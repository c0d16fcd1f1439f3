import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { insertFileWithKeyframes } from '../src/db/queries/files.ts';
import { newId } from '../src/ids.ts';
import { fileObjectKey, keyframeObjectKey } from '../src/storage/keys.ts';
import { graphqlRequest, useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { listFiles } from './helpers/rest.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

const FULL_QUERY = /* GraphQL */ `
  query Full($id: ID!, $minScore: Int) {
    job(id: $id) {
      files(first: 100, minScore: $minScore) {
        edges {
          node {
            id jobId submissionId contentType sizeBytes durationSeconds width height contentHash capturedAt
            aiStarRating deviceInfo { deviceModel deviceOs appVersion } workerRegion downloadUrl downloadUrlExpiresAt
            annotations keyframes { index timestampSeconds width height downloadUrl downloadUrlExpiresAt } createdAt
          }
        }
      }
    }
  }
`;

const snakeCase = (name: string) => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** Renames GraphQL field names to REST ones at every level, except inside annotations, which is user JSON. */
function toRestNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toRestNames);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, field]) => [snakeCase(name), name === 'annotations' ? field : toRestNames(field)]),
  );
}

async function insertDetailedVideo(db: Parameters<typeof insertFileWithKeyframes>[0], seed: SeededOrganization): Promise<string> {
  const contentHash = createHash('sha256').update(`detailed-${Date.now()}-${Math.random()}`).digest('hex');
  const id = newId('file');
  await insertFileWithKeyframes(
    db,
    {
      id,
      jobId: seed.jobId,
      organizationId: seed.organizationId,
      submissionId: newId('submission'),
      contentType: 'video/quicktime',
      sizeBytes: 5_000_000_000,
      durationSeconds: 12.5,
      width: 1080,
      height: 1920,
      contentHash,
      capturedAt: new Date('2022-08-14T11:12:31Z'),
      capturedAtLocal: new Date(Date.UTC(2022, 7, 14, 14, 12, 31)),
      capturedAtOffsetMinutes: 180,
      aiStarRating: 5,
      deviceModel: 'Pixel 8',
      deviceOs: 'Android 14',
      appVersion: '3.2.1',
      workerRegion: 'US-NY',
      annotations: { sceneLabels: ['street'], boundingBoxes: [{ label: 'car', score: 0.91 }] },
      storageKey: fileObjectKey(contentHash),
    },
    [0, 1, 2].map((index) => ({
      fileId: id,
      index,
      timestampSeconds: 3.125 * (index + 1),
      width: 1080,
      height: 1920,
      storageKey: keyframeObjectKey(contentHash, index),
    })),
  );
  return id;
}

describe.each(DRIVERS)('REST and GraphQL agreement on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  let seed: SeededOrganization;
  let detailedId: string;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
    await seedFiles(handle.database.db, seed, 10, (i) => (i % 5) + 1);
    detailedId = await insertDetailedVideo(handle.database.db, seed);
  });

  it('returns every field of every file alike', async () => {
    const graphql = await graphqlRequest(testApp.app, seed.readKey, FULL_QUERY, { id: seed.jobId, minScore: 1 });
    const rest = await listFiles(testApp.app, seed.readKey, seed.jobId, 'min_score=1&limit=100');
    const edges = (graphql.body.data?.job as { files: { edges: Array<{ node: Record<string, unknown> }> } } | undefined)?.files.edges ?? [];

    expect(graphql.body.errors).toBeUndefined();
    expect(rest.status).toBe(200);
    expect(rest.body.data).toHaveLength(11);
    expect(edges).toHaveLength(11);
    rest.body.data.forEach((file, i) => {
      expect(file).toStrictEqual({ object: 'file', ...(toRestNames(edges[i]?.node) as object) });
    });
  });

  it('passes the populated fields through', async () => {
    const rest = await listFiles(testApp.app, seed.readKey, seed.jobId, 'min_score=5&limit=100');
    const detailed = rest.body.data.find((file) => file.id === detailedId);
    expect(detailed?.captured_at).toBe('2022-08-14T14:12:31+03:00');
    expect(detailed?.size_bytes).toBe(5_000_000_000);
    expect(detailed?.device_info).toEqual({ device_model: 'Pixel 8', device_os: 'Android 14', app_version: '3.2.1' });
    expect(detailed?.worker_region).toBe('US-NY');
    expect(detailed?.annotations).toEqual({ sceneLabels: ['street'], boundingBoxes: [{ label: 'car', score: 0.91 }] });
    expect(detailed?.keyframes?.map((frame) => frame.timestamp_seconds)).toEqual([3.125, 6.25, 9.375]);
  });
});
