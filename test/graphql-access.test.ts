import { beforeAll, describe, expect, it } from 'vitest';
import { graphqlRequest, useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

const JOB_QUERY = 'query($id: ID!) { job(id: $id) { id name files(first: 5) { totalCount edges { node { id } } } } }';
const FILE_QUERY = 'query($id: ID!) { file(id: $id) { id contentHash } }';
const NODE_QUERY = 'query($id: ID!) { node(id: $id) { id __typename } }';
const NODES_QUERY = 'query($ids: [ID!]!) { nodes(ids: $ids) { id __typename } }';
const REFRESH_MUTATION = 'mutation($id: ID!) { refreshFileUrl(id: $id) { id downloadUrl downloadUrlExpiresAt } }';

describe.each(DRIVERS)('GraphQL access on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  let mine: SeededOrganization;
  let theirs: SeededOrganization;
  let myFile: string;
  let theirFile: string;

  beforeAll(async () => {
    mine = await seedOrganization(handle.database.db, 'Mine');
    theirs = await seedOrganization(handle.database.db, 'Theirs');
    [myFile] = (await seedFiles(handle.database.db, mine, 1)) as [string];
    [theirFile] = (await seedFiles(handle.database.db, theirs, 1)) as [string];
  });

  it('rejects a request without a key with 401', async () => {
    const result = await graphqlRequest(testApp.app, undefined, JOB_QUERY, { id: mine.jobId });
    expect(result.status).toBe(401);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(result.body.data ?? null).toBeNull();
  });

  it('rejects an unknown key with 401', async () => {
    const result = await graphqlRequest(testApp.app, `fh_live_${'x'.repeat(40)}`, JOB_QUERY, { id: mine.jobId });
    expect(result.status).toBe(401);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('rejects a malformed key with 401', async () => {
    const result = await graphqlRequest(testApp.app, 'not-a-key', JOB_QUERY, { id: mine.jobId });
    expect(result.status).toBe(401);
    expect(result.body.errors?.[0]?.message).toContain('keys are fh_live_');
  });

  it('rejects a header without Bearer with 401', async () => {
    const response = await testApp.app.fetch(
      new Request('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Basic dXNlcjpwYXNz' },
        body: JSON.stringify({ query: '{ __typename }' }),
      }),
    );
    const body = (await response.json()) as { errors: Array<{ message: string }> };
    expect(response.status).toBe(401);
    expect(body.errors[0]?.message).toContain('Malformed Authorization header');
  });

  it('rejects a revoked key with 401', async () => {
    const result = await graphqlRequest(testApp.app, mine.revokedKey, JOB_QUERY, { id: mine.jobId });
    expect(result.status).toBe(401);
    expect(result.body.errors?.[0]?.message).toContain('revoked');
  });

  it('rejects a key without jobs:read with 403', async () => {
    const result = await graphqlRequest(testApp.app, mine.writeOnlyKey, JOB_QUERY, { id: mine.jobId });
    expect(result.status).toBe(403);
    expect(result.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('returns own job with its files', async () => {
    const result = await graphqlRequest(testApp.app, mine.readKey, JOB_QUERY, { id: mine.jobId });
    expect(result.status).toBe(200);
    expect(result.body.data?.job).toMatchObject({ id: mine.jobId, files: { totalCount: 1, edges: [{ node: { id: myFile } }] } });
  });

  it('hides other organization job like a missing one', async () => {
    const other = await graphqlRequest(testApp.app, mine.readKey, JOB_QUERY, { id: theirs.jobId });
    const missing = await graphqlRequest(testApp.app, mine.readKey, JOB_QUERY, { id: 'job_01JQ0000000000000000000000' });
    expect(other.body.data?.job).toBeNull();
    expect(other.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(other.status).toBe(missing.status);
    expect(other.body.errors?.[0]?.message.replace(theirs.jobId, 'ID')).toBe(
      missing.body.errors?.[0]?.message.replace('job_01JQ0000000000000000000000', 'ID'),
    );
  });

  it('hides other organization file', async () => {
    const result = await graphqlRequest(testApp.app, mine.readKey, FILE_QUERY, { id: theirFile });
    expect(result.body.data?.file).toBeNull();
    expect(result.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('returns own file by id', async () => {
    const result = await graphqlRequest(testApp.app, mine.readKey, FILE_QUERY, { id: myFile });
    expect(result.body.data?.file).toMatchObject({ id: myFile });
  });

  it('hides other organization node', async () => {
    const job = await graphqlRequest(testApp.app, mine.readKey, NODE_QUERY, { id: theirs.jobId });
    const file = await graphqlRequest(testApp.app, mine.readKey, NODE_QUERY, { id: theirFile });
    expect(job.body.data?.node).toBeNull();
    expect(file.body.data?.node).toBeNull();
  });

  it('resolves own nodes by type', async () => {
    const result = await graphqlRequest(testApp.app, mine.readKey, NODE_QUERY, { id: myFile });
    expect(result.body.data?.node).toEqual({ id: myFile, __typename: 'File' });
  });

  it('returns null slots in nodes for other organization', async () => {
    const result = await graphqlRequest(testApp.app, mine.readKey, NODES_QUERY, {
      ids: [mine.jobId, theirs.jobId, myFile, theirFile, 'garbage'],
    });
    expect(result.body.data?.nodes).toEqual([{ id: mine.jobId, __typename: 'Job' }, null, { id: myFile, __typename: 'File' }, null, null]);
  });

  it('refuses to refresh other organization file', async () => {
    const result = await graphqlRequest(testApp.app, mine.readKey, REFRESH_MUTATION, { id: theirFile });
    expect(result.body.data ?? null).toBeNull();
    expect(result.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('refreshes own file URL', async () => {
    const result = await graphqlRequest(testApp.app, mine.readKey, REFRESH_MUTATION, { id: myFile });
    const payload = result.body.data?.refreshFileUrl as { id: string; downloadUrl: string; downloadUrlExpiresAt: string };
    expect(payload.id).toBe(myFile);
    expect(payload.downloadUrl).toMatch(/^http:\/\//);
    expect(new Date(payload.downloadUrlExpiresAt).getTime()).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);
  });
});
