import { beforeAll, describe, expect, it } from 'vitest';
import { createJob } from '../src/db/queries/jobs.ts';
import { dataField, graphqlRequest, useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

const PAGE_QUERY = /* GraphQL */ `
  query Page($id: ID!, $first: Int, $after: String, $last: Int, $before: String, $minScore: Int) {
    job(id: $id) {
      files(first: $first, after: $after, last: $last, before: $before, minScore: $minScore) {
        totalCount
        edges { cursor node { id aiStarRating } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }
  }
`;

interface Connection {
  totalCount: number;
  edges: Array<{ cursor: string; node: { id: string; aiStarRating: number } }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

describe.each(DRIVERS)('GraphQL pagination on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  let seed: SeededOrganization;
  let ids: string[];
  // Ratings cycle 1..5, so minScore 3 keeps 3 of every 5 files.
  const rating = (i: number) => (i % 5) + 1;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
    ids = await seedFiles(handle.database.db, seed, 45, rating);
  });

  const page = async (variables: Record<string, unknown>) => {
    const result = await graphqlRequest(testApp.app, seed.readKey, PAGE_QUERY, { id: seed.jobId, ...variables });
    return { ...result, connection: (result.body.data?.job as unknown as { files: Connection } | undefined)?.files };
  };

  const expectBadInput = async (variables: Record<string, unknown>, param: string) => {
    const result = await page(variables);
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.body.errors?.[0]?.extensions?.param).toBe(param);
    expect(result.body.errors?.[0]?.message).toContain(param);
  };

  it('returns 20 files by default, oldest first', async () => {
    const { connection } = await page({});
    const expected = ids.filter((_, i) => rating(i) >= 3).slice(0, 20);
    expect(connection?.edges.map((edge) => edge.node.id)).toEqual(expected);
    expect(connection?.pageInfo.hasNextPage).toBe(true);
    expect(connection?.pageInfo.hasPreviousPage).toBe(false);
  });

  it('counts files passing minScore', async () => {
    expect((await page({ minScore: 3 })).connection?.totalCount).toBe(27);
    expect((await page({ minScore: 1 })).connection?.totalCount).toBe(45);
    expect((await page({ minScore: 5 })).connection?.totalCount).toBe(9);
  });

  it('returns no edges for first 0 with pageInfo and count', async () => {
    const { connection } = await page({ first: 0 });
    expect(connection?.edges).toEqual([]);
    expect(connection?.totalCount).toBe(27);
    expect(connection?.pageInfo.hasNextPage).toBe(true);
    expect(connection?.pageInfo.startCursor).toBeNull();
  });

  it('walks forward to the end without repeats or gaps', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 20; guard += 1) {
      const { connection } = await page({ first: 7, after, minScore: 1 });
      seen.push(...(connection?.edges.map((edge) => edge.node.id) ?? []));
      if (!connection?.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(ids);
  });

  it('walks backward to the same set', async () => {
    const seen: string[] = [];
    let before: string | null = null;
    for (let guard = 0; guard < 20; guard += 1) {
      const { connection } = await page({ last: 7, before, minScore: 1 });
      seen.unshift(...(connection?.edges.map((edge) => edge.node.id) ?? []));
      if (!connection?.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor;
    }
    expect(seen).toEqual(ids);
  });

  it('continues into files added after a cursor', async () => {
    const job = await createJob(handle.database.db, { organizationId: seed.organizationId, name: 'growing' });
    const target = { organizationId: seed.organizationId, jobId: job.id };
    const first = await seedFiles(handle.database.db, target, 3);
    const firstPage = await graphqlRequest(testApp.app, seed.readKey, PAGE_QUERY, { id: job.id, first: 3 });
    const endCursor = dataField<{ files: Connection }>(firstPage, 'job').files.pageInfo.endCursor;
    const later = await seedFiles(handle.database.db, target, 2);
    const secondPage = await graphqlRequest(testApp.app, seed.readKey, PAGE_QUERY, { id: job.id, first: 3, after: endCursor });
    const next = dataField<{ files: Connection }>(secondPage, 'job').files;
    expect(first).toHaveLength(3);
    expect(next.edges.map((edge) => edge.node.id)).toEqual(later);
    expect(next.pageInfo.hasNextPage).toBe(false);
  });

  it('uses URL-safe cursors', async () => {
    const { connection } = await page({ first: 3 });
    for (const edge of connection?.edges ?? []) expect(edge.cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('rejects first above 100', () => expectBadInput({ first: 101 }, 'first'));
  it('rejects negative first', () => expectBadInput({ first: -1 }, 'first'));
  it('rejects negative last', () => expectBadInput({ last: -5 }, 'last'));
  it('rejects first together with last', () => expectBadInput({ first: 2, last: 2 }, 'first'));
  it('rejects minScore 0', () => expectBadInput({ minScore: 0 }, 'minScore'));
  it('rejects minScore 6', () => expectBadInput({ minScore: 6 }, 'minScore'));
  it('rejects a malformed cursor', () => expectBadInput({ after: 'not a cursor!' }, 'after'));
  it('rejects a base64 cursor of another shape', () => expectBadInput({ after: Buffer.from('hello').toString('base64url') }, 'after'));

  it('rejects a cursor from another job', async () => {
    const job = await createJob(handle.database.db, { organizationId: seed.organizationId, name: 'other' });
    await seedFiles(handle.database.db, { organizationId: seed.organizationId, jobId: job.id }, 2);
    const other = await graphqlRequest(testApp.app, seed.readKey, PAGE_QUERY, { id: job.id, first: 1 });
    const cursor = dataField<{ files: Connection }>(other, 'job').files.pageInfo.endCursor;
    await expectBadInput({ after: cursor }, 'after');
  });
});
