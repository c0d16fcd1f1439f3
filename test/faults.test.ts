import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../src/db/client.ts';
import { graphqlRequest, useTestApp } from './helpers/app.ts';
import type { TestDatabase } from './helpers/databases.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';
import { startTcpProxy, type TcpProxy } from './helpers/tcp-proxy.ts';

const DATABASE_URL = process.env.TEST_DATABASE_URL;
const QUERY = 'query($id: ID!) { job(id: $id) { id files(first: 2) { edges { node { id } } } } }';

describe.skipIf(!DATABASE_URL)('database outage on postgres', () => {
  let proxy: TcpProxy;
  const handle = { name: 'postgres' } as TestDatabase;
  let direct: Database;
  let seed: SeededOrganization;

  beforeAll(async () => {
    const url = new URL(DATABASE_URL ?? '');
    proxy = await startTcpProxy(url.hostname, Number(url.port || 5432));
    url.hostname = '127.0.0.1';
    url.port = String(proxy.port);
    handle.database = await openDatabase({ databaseUrl: url.toString(), pgliteDir: 'memory', maxConnections: 2 });
    direct = await openDatabase({ databaseUrl: DATABASE_URL, pgliteDir: 'memory', maxConnections: 1 });
    seed = await seedOrganization(direct.db, 'Outage');
    await seedFiles(direct.db, seed, 2);
  });
  afterAll(async () => {
    await handle.database?.close();
    await direct?.close();
    await proxy?.close();
  });
  const testApp = useTestApp(handle);

  it('answers 503 quickly while the database is down and recovers', async () => {
    expect((await graphqlRequest(testApp.app, seed.readKey, QUERY, { id: seed.jobId })).status).toBe(200);

    await proxy.cut();
    const started = Date.now();
    const down = await graphqlRequest(testApp.app, seed.readKey, QUERY, { id: seed.jobId });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(down.status).toBe(503);
    expect(down.body.errors?.[0]?.extensions?.code).toBe('DATABASE_UNAVAILABLE');
    expect(down.headers.get('retry-after')).toBe('5');

    const rest = await testApp.app.fetch(
      new Request(`http://gateway.test/v1/jobs/${seed.jobId}/files`, { headers: { Authorization: `Bearer ${seed.readKey}` } }),
    );
    const restBody = (await rest.json()) as { error: { type: string; message: string } };
    expect(rest.status).toBe(503);
    expect(restBody.error.type).toBe('api_error');
    expect(restBody.error.message).toMatch(/database (is )?unavailable/i);

    const ready = await testApp.app.fetch(new Request('http://gateway.test/readyz'));
    expect(ready.status).toBe(503);
    const live = await testApp.app.fetch(new Request('http://gateway.test/healthz'));
    expect(live.status).toBe(200);

    await proxy.restore();
    let recovered = 0;
    for (let attempt = 0; attempt < 20 && recovered !== 200; attempt += 1) {
      recovered = (await graphqlRequest(testApp.app, seed.readKey, QUERY, { id: seed.jobId })).status;
      if (recovered !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(recovered).toBe(200);
    expect((await testApp.app.fetch(new Request('http://gateway.test/readyz'))).status).toBe(200);
  });

  it('counts database errors in metrics', async () => {
    const response = await testApp.app.fetch(new Request('http://gateway.test/metrics'));
    const text = await response.text();
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(text).toMatch(/files_gateway_database_errors_total [1-9]/);
    expect(text).toMatch(/files_gateway_http_requests_total\{route="\/graphql",method="POST",status="503"\} [1-9]/);
  });
});

if (!DATABASE_URL) console.warn('TEST_DATABASE_URL is not set: the database outage test is skipped.');
