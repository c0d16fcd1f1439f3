import { beforeAll, describe, expect, it } from 'vitest';
import { createJob } from '../src/db/queries/jobs.ts';
import { useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { listFiles } from './helpers/rest.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

/** The File fields in the order the API reference lists them. */
const FILE_FIELDS = [
  'object',
  'id',
  'job_id',
  'submission_id',
  'content_type',
  'size_bytes',
  'duration_seconds',
  'width',
  'height',
  'content_hash',
  'captured_at',
  'ai_star_rating',
  'device_info',
  'worker_region',
  'download_url',
  'download_url_expires_at',
  'annotations',
  'keyframes',
  'created_at',
];

describe.each(DRIVERS)('REST list files on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  let seed: SeededOrganization;
  let ids: string[];
  // Ratings cycle 1..5, so min_score 3 keeps 3 of every 5 files.
  const rating = (i: number) => (i % 5) + 1;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
    ids = await seedFiles(handle.database.db, seed, 45, rating);
  });

  it('returns 20 files rated 3 or more by default', async () => {
    const result = await listFiles(testApp.app, seed.readKey, seed.jobId);
    expect(result.status).toBe(200);
    expect(result.body.object).toBe('list');
    expect(result.body.data.map((file) => file.id)).toEqual(ids.filter((_, i) => rating(i) >= 3).slice(0, 20));
    expect(result.body.has_more).toBe(true);
    expect(result.body.next_cursor).toEqual(expect.any(String));
    expect(result.headers.get('request-id')).toMatch(/^req_/);
  });

  it('lists top-level fields in reference order', async () => {
    const result = await listFiles(testApp.app, seed.readKey, seed.jobId, 'limit=4&min_score=1');
    for (const file of result.body.data) expect(Object.keys(file)).toEqual(FILE_FIELDS);
    const [image, , , video] = result.body.data;
    expect(image?.keyframes).toBeNull();
    expect(image?.duration_seconds).toBeNull();
    expect(Object.keys(image?.device_info ?? {})).toEqual(['device_model', 'device_os', 'app_version']);
    expect(video?.keyframes).toHaveLength(3);
    expect(Object.keys(video?.keyframes?.[0] ?? {})).toEqual([
      'index',
      'timestamp_seconds',
      'width',
      'height',
      'download_url',
      'download_url_expires_at',
    ]);
  });

  it('formats timestamps as ISO 8601', async () => {
    const [file] = (await listFiles(testApp.app, seed.readKey, seed.jobId, 'limit=1')).body.data;
    expect(file?.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(file?.download_url_expires_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('walks every page to the end with next_cursor', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (let guard = 0; guard < 20; guard += 1) {
      const query: string = `min_score=1&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const result = await listFiles(testApp.app, seed.readKey, seed.jobId, query);
      expect(result.status).toBe(200);
      pages += 1;
      seen.push(...result.body.data.map((file) => file.id));
      if (!result.body.has_more) {
        expect(result.body.next_cursor).toBeNull();
        break;
      }
      cursor = result.body.next_cursor;
      expect(cursor).not.toBeNull();
    }
    expect(pages).toBe(7);
    expect(seen).toEqual(ids);
    expect(new Set(seen).size).toBe(45);
  });

  it('ends with has_more false when the page is exactly full', async () => {
    const first = await listFiles(testApp.app, seed.readKey, seed.jobId, 'min_score=5&limit=5');
    expect(first.body.has_more).toBe(true);
    const last = await listFiles(testApp.app, seed.readKey, seed.jobId, `min_score=5&limit=4&cursor=${first.body.next_cursor}`);
    expect(last.body.data).toHaveLength(4);
    expect(last.body.has_more).toBe(false);
    expect(last.body.next_cursor).toBeNull();
  });

  it('filters by min_score', async () => {
    const result = await listFiles(testApp.app, seed.readKey, seed.jobId, 'min_score=5&limit=100');
    expect(result.body.data).toHaveLength(9);
    expect(result.body.data.every((file) => file.ai_star_rating === 5)).toBe(true);
    expect(result.body.has_more).toBe(false);
  });

  it('returns an empty list for a job without files', async () => {
    const job = await createJob(handle.database.db, { organizationId: seed.organizationId, name: 'empty' });
    const result = await listFiles(testApp.app, seed.readKey, job.id);
    expect(result.status).toBe(200);
    expect(result.body).toEqual({ object: 'list', data: [], has_more: false, next_cursor: null });
  });

  it('logs the route as the operation', async () => {
    const result = await listFiles(testApp.app, seed.readKey, seed.jobId, 'limit=1');
    const requestId = result.headers.get('request-id') ?? '';
    const line = testApp.logs.lines.find((entry) => entry.includes(requestId) && entry.includes('"msg":"request"'));
    expect(line).toContain('"operation":"GET /v1/jobs/{job_id}/files"');
  });
});

describe.each(DRIVERS)('REST list statements on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  let seed: SeededOrganization;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
    await seedFiles(handle.database.db, seed, 120);
  });

  it('lists 100 files with keyframes in 4 statements', async () => {
    const result = await listFiles(testApp.app, seed.readKey, seed.jobId, 'limit=100');
    expect(result.status).toBe(200);
    expect(result.body.data).toHaveLength(100);
    expect(result.body.data.filter((file) => file.keyframes?.length === 3)).toHaveLength(25);
    expect(result.statements).toBeLessThanOrEqual(4);
  });
});
