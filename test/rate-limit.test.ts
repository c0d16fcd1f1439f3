import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/http/app.ts';
import { graphqlRequest, useTestApp } from './helpers/app.ts';
import { useTestDatabase } from './helpers/databases.ts';
import { type SeededOrganization, seedOrganization } from './helpers/seed.ts';

const QUERY = 'query($id: ID!) { job(id: $id) { id } }';
const REDIS_URL = process.env.REDIS_TEST_URL;

// The limiter keys on the API key, not the database, so PGlite is enough here.
describe('rate limiting in memory', () => {
  const handle = useTestDatabase('pglite');
  const testApp = useTestApp(handle, { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3' });
  let seed: SeededOrganization;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
  });

  it('refuses the request after the burst with 429', async () => {
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await graphqlRequest(testApp.app, seed.readKey, QUERY, { id: seed.jobId }));
    expect(results.map((result) => result.status)).toEqual([200, 200, 200, 429]);
    expect(results[0]?.headers.get('ratelimit-limit')).toBe('3');
    expect(results[0]?.headers.get('ratelimit-remaining')).toBe('2');
    expect(results[2]?.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(results[3]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(results[3]?.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('keeps a separate budget per API key', async () => {
    const other = await seedOrganization(handle.database.db, 'Other');
    const result = await graphqlRequest(testApp.app, other.readKey, QUERY, { id: other.jobId });
    expect(result.status).toBe(200);
  });

  it('answers REST callers with rate_limit_error', async () => {
    const own = await seedOrganization(handle.database.db, 'Rest');
    let last: Response | undefined;
    for (let i = 0; i < 4; i += 1) {
      last = await testApp.app.fetch(
        new Request(`http://gateway.test/v1/jobs/${own.jobId}/files`, { headers: { Authorization: `Bearer ${own.readKey}` } }),
      );
    }
    const body = (await last?.json()) as { error: { type: string } };
    expect(last?.status).toBe(429);
    expect(body.error.type).toBe('rate_limit_error');
    expect(last?.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('does not meter health checks', async () => {
    for (let i = 0; i < 5; i += 1) {
      const response = await testApp.app.fetch(new Request('http://gateway.test/healthz'));
      expect(response.status).toBe(200);
    }
  });
});

describe.skipIf(!REDIS_URL)('rate limiting in Redis', () => {
  const handle = useTestDatabase('pglite');
  const env = { RATE_LIMIT_PER_SECOND: '1', RATE_LIMIT_BURST: '3', REDIS_URL: REDIS_URL ?? '' };
  const testApp = useTestApp(handle, env);
  let seed: SeededOrganization;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db, `Redis ${Date.now()}`);
  });

  it('shares one budget between two gateway instances', async () => {
    // A second app over the same services stands for a second gateway process.
    const second = createApp(testApp.services);
    await Promise.all([testApp.app.ready(), second.ready()]);
    try {
      const statuses = [];
      for (let i = 0; i < 4; i += 1) {
        const app = i % 2 === 0 ? testApp.app : second;
        statuses.push((await graphqlRequest(app, seed.readKey, QUERY, { id: seed.jobId })).status);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await second.close();
    }
  });
});

if (!REDIS_URL) console.warn('REDIS_TEST_URL is not set: the Redis rate-limit test is skipped.');
