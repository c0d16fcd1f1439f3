import fs from 'node:fs';
import { printSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../src/http/server.ts';
import { schema } from '../src/schema/index.ts';
import { dataField, graphqlRequest, useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

const FULL_PAGE = /* GraphQL */ `
  query FullPage($id: ID!) {
    job(id: $id) {
      files(first: 100) {
        edges {
          node {
            id contentType sizeBytes downloadUrl downloadUrlExpiresAt
            job { id name }
            keyframes { index downloadUrl downloadUrlExpiresAt }
          }
        }
      }
    }
  }
`;

const FULL_PAGE_WITH_COUNT = FULL_PAGE.replace('files(first: 100) {', 'files(first: 100) { totalCount');

describe('schema.graphql', () => {
  it('matches the schema the code builds', () => {
    const committed = fs.readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
    // On failure run `npm run schema:print` and commit schema.graphql.
    expect(committed).toBe(`${printSchema(schema)}\n`);
  });
});

describe.each(DRIVERS)('GraphQL batching on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  let seed: SeededOrganization;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
    await seedFiles(handle.database.db, seed, 120);
  });

  it('lists 100 files with keyframes in 4 statements', async () => {
    const result = await graphqlRequest(testApp.app, seed.readKey, FULL_PAGE, { id: seed.jobId });
    const edges = dataField<{ files: { edges: Array<{ node: { keyframes: unknown[] | null } }> } }>(result, 'job').files.edges;
    expect(result.body.errors).toBeUndefined();
    expect(edges).toHaveLength(100);
    expect(edges.filter((edge) => edge.node.keyframes?.length === 3)).toHaveLength(25);
    expect(result.statements).toBe(4);
  });

  it('adds one statement for totalCount', async () => {
    const result = await graphqlRequest(testApp.app, seed.readKey, FULL_PAGE_WITH_COUNT, { id: seed.jobId });
    expect(result.body.errors).toBeUndefined();
    expect(result.statements).toBe(5);
  });

  it('returns null keyframes for images', async () => {
    const result = await graphqlRequest(testApp.app, seed.readKey, FULL_PAGE, { id: seed.jobId });
    const edges = dataField<{ files: { edges: Array<{ node: { contentType: string; keyframes: unknown } }> } }>(result, 'job').files.edges;
    for (const edge of edges.filter((e) => e.node.contentType.startsWith('image/'))) expect(edge.node.keyframes).toBeNull();
  });

  it('serves GraphQL on a listening server', async () => {
    const running = await listen(testApp.app.fetch, '127.0.0.1', 0);
    try {
      const response = await fetch(`${running.url}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${seed.readKey}` },
        body: JSON.stringify({
          query: 'query($id: ID!) { job(id: $id) { id files(first: 1) { totalCount } } }',
          variables: { id: seed.jobId },
        }),
      });
      const body = (await response.json()) as { data: { job: { id: string; files: { totalCount: number } } } };
      expect(response.status).toBe(200);
      expect(response.headers.get('request-id')).toMatch(/^req_/);
      expect(body.data.job).toEqual({ id: seed.jobId, files: { totalCount: 120 } });
    } finally {
      await running.close();
    }
  });

  it('serves GraphiQL compressed', async () => {
    const response = await testApp.app.fetch(
      new Request('http://gateway.test/graphql', { headers: { Accept: 'text/html', 'Accept-Encoding': 'gzip' } }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('gzip');
  });
});
