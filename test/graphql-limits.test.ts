import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BODY_BYTES } from '../src/http/request-body.ts';
import { listen, type RunningServer } from '../src/http/server.ts';
import { graphqlRequest, useTestApp } from './helpers/app.ts';
import { useTestDatabase } from './helpers/databases.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

const PAGE_FIELDS = 'files(first: 100) { edges { node { id downloadUrl keyframes { downloadUrl } } } }';

// Query limits depend on the document only, so one driver is enough here.
describe('GraphQL query limits', () => {
  const handle = useTestDatabase('pglite');
  const testApp = useTestApp(handle, { GRAPHQL_MAX_DEPTH: '8', GRAPHQL_MAX_ALIASES: '5', GRAPHQL_MAX_TOKENS: '400' });
  let seed: SeededOrganization;

  beforeAll(async () => {
    seed = await seedOrganization(handle.database.db);
    await seedFiles(handle.database.db, seed, 8);
  });

  const expectRejected = async (query: string, variables: Record<string, unknown>, text: RegExp) => {
    const result = await graphqlRequest(testApp.app, seed.readKey, query, variables);
    expect(result.status).toBe(400);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.body.errors?.[0]?.message).toMatch(text);
    expect(result.body.data ?? null).toBeNull();
    return result;
  };

  it('accepts one page of 100 files with keyframe URLs', async () => {
    const result = await graphqlRequest(testApp.app, seed.readKey, `query($id: ID!) { job(id: $id) { ${PAGE_FIELDS} } }`, {
      id: seed.jobId,
    });
    expect(result.status).toBe(200);
    expect(result.body.errors).toBeUndefined();
  });

  it('rejects aliases multiplying signed URLs', async () => {
    const aliased = ['a', 'b', 'c'].map((alias) => `${alias}: job(id: $id) { ${PAGE_FIELDS} }`).join(' ');
    const result = await expectRejected(`query($id: ID!) { ${aliased} }`, { id: seed.jobId }, /up to 1200 download URLs/);
    // Only the API key lookup ran; no resolver did.
    expect(result.statements).toBe(1);
  });

  it('counts signed URLs through fragments', async () => {
    const query = `
      fragment Urls on File { downloadUrl keyframes { downloadUrl } }
      fragment Page on Job { files(first: $n) { edges { node { ...Urls } } } }
      query($id: ID!, $n: Int) { a: job(id: $id) { ...Page } b: job(id: $id) { ...Page } c: job(id: $id) { ...Page } }`;
    await expectRejected(query, { id: seed.jobId, n: 100 }, /up to 1200 download URLs/);
  });

  it('allows the same fragments on small pages', async () => {
    const query = `
      fragment Urls on File { downloadUrl keyframes { downloadUrl } }
      query($id: ID!) { a: job(id: $id) { files(first: 10) { edges { node { ...Urls } } } } }`;
    const result = await graphqlRequest(testApp.app, seed.readKey, query, { id: seed.jobId });
    expect(result.status).toBe(200);
  });

  it('rejects a document that is too deep', async () => {
    const query = 'query($id: ID!) { job(id: $id) { files { edges { node { job { files { edges { node { job { id } } } } } } } } } }';
    await expectRejected(query, { id: seed.jobId }, /depth/i);
  });

  it('rejects depth hidden in fragments', async () => {
    const query = `
      fragment Deep on File { job { files { edges { node { job { id } } } } } }
      query($id: ID!) { job(id: $id) { files { edges { node { ...Deep } } } } }`;
    await expectRejected(query, { id: seed.jobId }, /depth/i);
  });

  it('rejects too many aliases', async () => {
    const aliased = Array.from({ length: 7 }, (_, i) => `a${i}: job(id: $id) { id }`).join(' ');
    await expectRejected(`query($id: ID!) { ${aliased} }`, { id: seed.jobId }, /alias/i);
  });

  it('rejects too many tokens', async () => {
    const fields = Array.from({ length: 450 }, () => 'id').join(' ');
    await expectRejected(`query($id: ID!) { job(id: $id) { ${fields} } }`, { id: seed.jobId }, /token/i);
  });

  it('rejects a batched request', async () => {
    const response = await testApp.app.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${seed.readKey}` },
        body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
      }),
    );
    expect(response.status).toBe(400);
  });

  it('rejects a mutation over GET', async () => {
    const url = `http://gateway.test/graphql?query=${encodeURIComponent('mutation { refreshFileUrl(id: "x") { id } }')}`;
    const response = await testApp.app.fetch(
      new Request(url, { headers: { Authorization: `Bearer ${seed.readKey}`, 'x-graphql-csrf': '1', Accept: 'application/json' } }),
    );
    expect(response.status).toBe(405);
  });

  it('rejects a cross-site simple GET', async () => {
    const url = `http://gateway.test/graphql?query=${encodeURIComponent('{ __typename }')}`;
    const response = await testApp.app.fetch(new Request(url, { headers: { Authorization: `Bearer ${seed.readKey}` } }));
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(response.status).toBe(400);
    expect(body.errors[0]?.message).toContain('CSRF');
  });

  describe('request bodies over HTTP', () => {
    let server: RunningServer;
    beforeAll(async () => {
      server = await listen(testApp.app.fetch, '127.0.0.1', 0);
      return () => server.close();
    });

    const post = (body: BodyInit, init: RequestInit = {}) =>
      fetch(`${server.url}/graphql`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${seed.readKey}` },
        body,
        ...init,
      });
    const firstError = async (response: Response) =>
      ((await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }> }).errors[0];

    it('rejects a body over the limit with 413', async () => {
      const response = await post(JSON.stringify({ query: '{ __typename }', padding: 'x'.repeat(MAX_REQUEST_BODY_BYTES) }));
      const error = await firstError(response);
      expect(response.status).toBe(413);
      expect(error?.extensions.code).toBe('PAYLOAD_TOO_LARGE');
      expect(error?.message).toContain(String(MAX_REQUEST_BODY_BYTES));
    });

    it('rejects a chunked body with 411', async () => {
      const chunks = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('{"query":"{ __typename }"}'));
          controller.close();
        },
      });
      const response = await post(chunks, { duplex: 'half' } as RequestInit);
      expect(response.status).toBe(411);
      expect((await firstError(response))?.extensions.code).toBe('LENGTH_REQUIRED');
    });

    it('accepts a body under the limit', async () => {
      const response = await post(JSON.stringify({ query: '{ __typename }' }));
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
    });
  });

  it('reports a syntax error as bad input', async () => {
    await expectRejected('query { job(id: ', {}, /Syntax Error/);
  });
});
