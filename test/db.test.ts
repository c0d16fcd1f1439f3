import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createApiKey, findApiKeyBySecret, revokeApiKey } from '../src/db/queries/api-keys.ts';
import {
  countJobFiles,
  findFilesByIds,
  findKeyframesByFileIds,
  insertFileWithKeyframes,
  listJobFilesPage,
} from '../src/db/queries/files.ts';
import { createJob } from '../src/db/queries/jobs.ts';
import { createOrganization } from '../src/db/queries/organizations.ts';
import { apiKeys, files, keyframes } from '../src/db/schema.ts';
import { newId } from '../src/ids.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

function fileRow(jobId: string, organizationId: string, overrides: Partial<typeof files.$inferInsert> = {}) {
  const contentHash = hashOf(Math.random().toString());
  return {
    id: newId('file'),
    jobId,
    organizationId,
    submissionId: newId('submission'),
    contentType: 'image/jpeg',
    sizeBytes: 1234,
    contentHash,
    aiStarRating: 4,
    storageKey: `objects/${contentHash}`,
    ...overrides,
  };
}

/** Returns the PostgreSQL error text of a rejected promise (drizzle wraps it in `cause`). */
async function rejectionText(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause;
    return `${(error as Error).message} ${cause?.message ?? ''}`;
  }
  throw new Error('expected the statement to be rejected');
}

describe.each(DRIVERS)('database on %s', (driver) => {
  const handle = useTestDatabase(driver);

  async function seedJob() {
    const db = handle.database.db;
    const org = await createOrganization(db, { name: 'Acme' });
    const job = await createJob(db, { organizationId: org.id, name: 'street photos' });
    return { db, org, job };
  }

  it('applies migrations twice without error', async () => {
    await handle.database.migrate();
    const result = await handle.database.db.select({ n: sql<number>`count(*)`.mapWith(Number) }).from(files);
    expect(result[0]?.n).toBeGreaterThanOrEqual(0);
  });

  it('stores only the hash of an API key secret', async () => {
    const { db, org } = await seedJob();
    const { row, secret } = await createApiKey(db, { organizationId: org.id, name: 'ci', scopes: ['jobs:read'] });
    expect(secret).toMatch(/^fh_live_[0-9A-Za-z]{32,}$/);
    const [stored] = await db.select().from(apiKeys).where(eq(apiKeys.id, row.id));
    expect(stored?.secretHash).toBe(hashOf(secret));
    expect(JSON.stringify(stored)).not.toContain(secret.slice(8));
    expect(stored?.displayPrefix).toBe(secret.slice(0, 12));
  });

  it('finds a key by secret and marks it revoked', async () => {
    const { db, org } = await seedJob();
    const { row, secret } = await createApiKey(db, { organizationId: org.id, name: 'ci', scopes: ['jobs:read'] });
    expect((await findApiKeyBySecret(db, secret))?.revokedAt).toBeNull();
    await revokeApiKey(db, row.id);
    expect((await findApiKeyBySecret(db, secret))?.revokedAt).toBeInstanceOf(Date);
    expect(await findApiKeyBySecret(db, `${secret}x`)).toBeUndefined();
  });

  it('rejects a rating outside 1-5', async () => {
    const { db, org, job } = await seedJob();
    const text = await rejectionText(db.insert(files).values(fileRow(job.id, org.id, { aiStarRating: 6 })));
    expect(text).toContain('files_ai_star_rating_range');
  });

  it('rejects a size of zero bytes', async () => {
    const { db, org, job } = await seedJob();
    const text = await rejectionText(db.insert(files).values(fileRow(job.id, org.id, { sizeBytes: 0 })));
    expect(text).toContain('files_size_bytes_positive');
  });

  it('rejects an uppercase content hash', async () => {
    const { db, org, job } = await seedJob();
    const text = await rejectionText(db.insert(files).values(fileRow(job.id, org.id, { contentHash: 'A'.repeat(64) })));
    expect(text).toContain('files_content_hash_format');
  });

  it('rejects a file of an unknown job', async () => {
    const { db, org } = await seedJob();
    const text = await rejectionText(db.insert(files).values(fileRow(newId('job'), org.id)));
    expect(text).toMatch(/foreign key/i);
  });

  it('reports the same bytes in one job as duplicate', async () => {
    const { db, org, job } = await seedJob();
    const first = fileRow(job.id, org.id);
    const created = await insertFileWithKeyframes(db, first, []);
    const again = await insertFileWithKeyframes(db, { ...fileRow(job.id, org.id), contentHash: first.contentHash }, []);
    expect(created.status).toBe('created');
    expect(again).toEqual({ status: 'duplicate', id: first.id });
  });

  it('rejects UPDATE of a file with a clear error', async () => {
    const { db, org, job } = await seedJob();
    const row = fileRow(job.id, org.id);
    await insertFileWithKeyframes(db, row, []);
    const text = await rejectionText(db.update(files).set({ aiStarRating: 5 }).where(eq(files.id, row.id)));
    expect(text).toContain('rows of table "files" are immutable');
  });

  it('rejects UPDATE of a keyframe', async () => {
    const { db, org, job } = await seedJob();
    const row = fileRow(job.id, org.id, { contentType: 'video/mp4', durationSeconds: 4 });
    await insertFileWithKeyframes(db, row, [{ fileId: row.id, index: 0, timestampSeconds: 1, width: 10, height: 10, storageKey: 'k0' }]);
    const text = await rejectionText(db.update(keyframes).set({ width: 11 }).where(eq(keyframes.fileId, row.id)));
    expect(text).toContain('rows of table "keyframes" are immutable');
  });

  it('rejects a keyframe index above 2', async () => {
    const { db, org, job } = await seedJob();
    const row = fileRow(job.id, org.id);
    await insertFileWithKeyframes(db, row, []);
    const text = await rejectionText(
      db.insert(keyframes).values({ fileId: row.id, index: 3, timestampSeconds: 1, width: 1, height: 1, storageKey: 'k' }),
    );
    expect(text).toContain('keyframes_index_range');
  });

  it('counts files per minimum score', async () => {
    const { db, org, job } = await seedJob();
    for (const rating of [1, 3, 3, 5]) await insertFileWithKeyframes(db, fileRow(job.id, org.id, { aiStarRating: rating }), []);
    expect(await countJobFiles(db, job.id, 1)).toBe(4);
    expect(await countJobFiles(db, job.id, 3)).toBe(3);
    expect(await countJobFiles(db, job.id, 5)).toBe(1);
  });

  it('maps page rows like the query builder', async () => {
    const { db, org, job } = await seedJob();
    const full = fileRow(job.id, org.id, {
      contentType: 'video/mp4',
      sizeBytes: 5_000_000_123,
      durationSeconds: 15.041,
      width: 1280,
      height: 720,
      capturedAt: new Date('2022-08-14T11:12:31.250Z'),
      capturedAtLocal: new Date(Date.UTC(2022, 7, 14, 14, 12, 31, 250)),
      capturedAtOffsetMinutes: 180,
      deviceModel: 'Pixel 8',
      deviceOs: 'Android 14',
      appVersion: '2.3.1',
      workerRegion: 'KE-30',
      annotations: { labels: ['street', 'night'], score: 0.5, nested: { text: 'héllo…' } },
      createdAt: new Date('2026-01-01T00:00:00.001Z'),
    });
    const frames = [0, 1, 2].map((index) => ({
      fileId: full.id,
      index,
      timestampSeconds: 3.75 * (index + 1),
      width: 720,
      height: 1280,
      storageKey: `${full.storageKey}.keyframe-${index}.png`,
    }));
    const bare = fileRow(job.id, org.id, { createdAt: new Date('2026-01-01T00:00:00.002Z') });
    await insertFileWithKeyframes(db, full, frames);
    await insertFileWithKeyframes(db, bare, []);

    const page = await listJobFilesPage(db, { jobId: job.id, minScore: 1, limit: 10, direction: 'forward' });
    const mapped = await db.select().from(files).where(eq(files.jobId, job.id)).orderBy(files.createdAt);
    expect(page.rows).toEqual(mapped);
    expect(page.rows[0]?.sizeBytes).toBe(5_000_000_123);
    expect(page.rows[0]?.capturedAtLocal?.toISOString()).toBe('2022-08-14T14:12:31.250Z');

    const byId = (rows: Array<{ id: string }>) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    const found = await findFilesByIds(db, org.id, [full.id, bare.id, 'file_missing']);
    expect(byId(found)).toEqual(byId(mapped));
    expect(await findFilesByIds(db, newId('organization'), [full.id])).toEqual([]);

    const mappedFrames = await db.select().from(keyframes).where(eq(keyframes.fileId, full.id)).orderBy(keyframes.index);
    expect(await findKeyframesByFileIds(db, [full.id, bare.id])).toEqual(mappedFrames);
  });

  it('pages a job forward and backward to the same set', async () => {
    const { db, org, job } = await seedJob();
    const ids: string[] = [];
    // Same created_at for all rows, so only the id tiebreak orders them.
    const createdAt = new Date('2026-01-01T00:00:00.123Z');
    for (let i = 0; i < 7; i += 1) {
      const row = fileRow(job.id, org.id, { createdAt });
      ids.push(row.id);
      await insertFileWithKeyframes(db, row, []);
    }
    const forward: string[] = [];
    let after: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await listJobFilesPage(db, { jobId: job.id, minScore: 3, limit: 3, direction: 'forward', after });
      forward.push(...page.rows.map((r) => r.id));
      const last = page.rows.at(-1);
      if (!page.hasMore || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
    const backward: string[] = [];
    let before: { createdAt: Date; id: string } | undefined;
    for (;;) {
      const page = await listJobFilesPage(db, { jobId: job.id, minScore: 3, limit: 3, direction: 'backward', before });
      backward.unshift(...page.rows.map((r) => r.id));
      const first = page.rows[0];
      if (!page.hasMore || !first) break;
      before = { createdAt: first.createdAt, id: first.id };
    }
    expect(forward).toEqual(ids);
    expect(backward).toEqual(ids);
  });
});
