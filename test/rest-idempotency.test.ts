import { and, eq } from 'drizzle-orm';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { findApiKeyBySecret } from '../src/db/queries/api-keys.ts';
import { idempotencyKeys } from '../src/db/schema.ts';
import { type RequestScope, runInRequestScope } from '../src/http/request-scope.ts';
import { hashRequest } from '../src/rest/idempotency.ts';
import { createRestHandler } from '../src/rest/router.ts';
import type { SignedUrl } from '../src/storage/types.ts';
import { useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { refreshUrl } from './helpers/rest.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

const HOUR_MS = 3_600_000;

describe.each(DRIVERS)('REST Idempotency-Key on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  // A budget of 3 requests per 3-second window: replays must not spend it.
  const limitedApp = useTestApp(handle, { RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_SECOND: '1' });
  let mine: SeededOrganization;
  let theirs: SeededOrganization;
  let myApiKeyId: string;
  let myFiles: string[];
  let theirFile: string;
  let keyNumber = 0;
  // A new Idempotency-Key per test, so tests never see each other's rows.
  const newKey = () => {
    keyNumber += 1;
    return `test-key-${driver}-${keyNumber}-${Date.now()}`;
  };
  const pathOf = (fileId: string) => `/v1/files/${fileId}/refresh_url`;

  beforeAll(async () => {
    const { db } = handle.database;
    mine = await seedOrganization(db, 'Mine');
    theirs = await seedOrganization(db, 'Theirs');
    myFiles = await seedFiles(db, mine, 3);
    [theirFile] = (await seedFiles(db, theirs, 1)) as [string];
    myApiKeyId = (await findApiKeyBySecret(db, mine.readKey))?.id as string;
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const rowsFor = (apiKeyId: string, key: string) =>
    handle.database.db
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key)));

  const insertRow = (key: string, row: { requestHash: string; responseStatus: number | null; responseBody?: unknown; createdAt?: Date }) =>
    handle.database.db.insert(idempotencyKeys).values({ apiKeyId: myApiKeyId, key, ...row });

  it('replays the stored response for the same request', async () => {
    const key = newKey();
    const first = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    const signCount = testApp.services.store.signCount;
    const second = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);

    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.download_url).toBe(first.body.download_url);
    expect(second.body.download_url_expires_at).toBe(first.body.download_url_expires_at);
    expect(second.body).toEqual(first.body);
    expect(testApp.services.store.signCount).toBe(signCount);
  });

  it('marks a replay in the request scope', async () => {
    const key = newKey();
    const rest = createRestHandler(() => testApp.app.graphql, testApp.services);
    const send = (scope: RequestScope) =>
      runInRequestScope(scope, () =>
        rest(
          new Request(`http://gateway.test${pathOf(myFiles[1] as string)}`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${mine.readKey}`, 'Idempotency-Key': key },
          }),
        ),
      );
    const original: RequestScope = { requestId: 'req_original' };
    const repeat: RequestScope = { requestId: 'req_repeat' };
    expect((await send(original)).status).toBe(200);
    expect((await send(repeat)).status).toBe(200);
    expect(original.replayed).toBeUndefined();
    expect(repeat.replayed).toBe(true);
  });

  it('rejects the same key for another file with 422', async () => {
    const key = newKey();
    expect((await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key)).status).toBe(200);
    const other = await refreshUrl(testApp.app, mine.readKey, myFiles[1] as string, key);
    expect(other.status).toBe(422);
    expect(other.body.error.type).toBe('idempotency_error');
    expect(other.body.error.param).toBe('Idempotency-Key');
  });

  it('rejects a repeat while the first request runs with 409', async () => {
    const key = newKey();
    const realSign = testApp.services.store.sign.bind(testApp.services.store);
    let reachedSign!: () => void;
    const reached = new Promise<void>((resolve) => {
      reachedSign = resolve;
    });
    let releaseSign!: () => void;
    const released = new Promise<void>((resolve) => {
      releaseSign = resolve;
    });
    vi.spyOn(testApp.services.store, 'sign').mockImplementationOnce(async (requests, options): Promise<SignedUrl[]> => {
      reachedSign();
      await released;
      return realSign(requests, options);
    });

    const slow = refreshUrl(testApp.app, mine.readKey, myFiles[2] as string, key);
    await reached;
    const concurrent = await refreshUrl(testApp.app, mine.readKey, myFiles[2] as string, key);
    releaseSign();
    const first = await slow;
    const after = await refreshUrl(testApp.app, mine.readKey, myFiles[2] as string, key);

    expect(concurrent.status).toBe(409);
    expect(concurrent.body.error.type).toBe('idempotency_error');
    expect(concurrent.headers.get('retry-after')).toBe('1');
    expect(first.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.body).toEqual(first.body);
  });

  it('rejects a key held by an in-progress row with 409', async () => {
    const key = newKey();
    await insertRow(key, { requestHash: hashRequest('POST', pathOf(myFiles[0] as string), new Uint8Array()), responseStatus: null });
    const result = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    expect(result.status).toBe(409);
    expect(result.body.error.type).toBe('idempotency_error');
  });

  it('takes over a reservation abandoned for two minutes', async () => {
    const key = newKey();
    const requestHash = hashRequest('POST', pathOf(myFiles[0] as string), new Uint8Array());
    await insertRow(key, { requestHash, responseStatus: null, createdAt: new Date(Date.now() - 2 * 60_000) });
    const result = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    expect(result.status).toBe(200);
    expect((await rowsFor(myApiKeyId, key))[0]?.responseStatus).toBe(200);
  });

  it('treats a stored response older than 24 hours as absent', async () => {
    const key = newKey();
    const requestHash = hashRequest('POST', pathOf(myFiles[0] as string), new Uint8Array());
    const stale = { id: myFiles[0], download_url: 'http://stale.invalid/', download_url_expires_at: '2020-01-01T00:00:00.000Z' };
    await insertRow(key, { requestHash, responseStatus: 200, responseBody: stale, createdAt: new Date(Date.now() - 25 * HOUR_MS) });

    const result = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    expect(result.status).toBe(200);
    expect(result.headers.get('idempotent-replayed')).toBeNull();
    expect(result.body.download_url).not.toBe(stale.download_url);
    const [row] = await rowsFor(myApiKeyId, key);
    expect(row?.responseBody).toEqual(result.body);
    expect(row?.createdAt.getTime()).toBeGreaterThan(Date.now() - HOUR_MS);
  });

  it('overwrites an expired key used for another request', async () => {
    const key = newKey();
    const otherHash = hashRequest('POST', pathOf(myFiles[1] as string), new Uint8Array());
    await insertRow(key, { requestHash: otherHash, responseStatus: 200, responseBody: {}, createdAt: new Date(Date.now() - 25 * HOUR_MS) });
    const result = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    expect(result.status).toBe(200);
    expect((await rowsFor(myApiKeyId, key))[0]?.requestHash).not.toBe(otherHash);
  });

  it('does not store a failed response', async () => {
    const key = newKey();
    vi.spyOn(testApp.services.store, 'sign').mockRejectedValueOnce(new Error('object store unavailable'));
    const failed = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    expect(failed.status).toBe(500);
    expect(await rowsFor(myApiKeyId, key)).toEqual([]);

    const retry = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('does not store a 404', async () => {
    const key = newKey();
    const result = await refreshUrl(testApp.app, mine.readKey, theirFile, key);
    expect(result.status).toBe(404);
    expect(await rowsFor(myApiKeyId, key)).toEqual([]);
  });

  it('writes no row for an unauthenticated request', async () => {
    const key = newKey();
    const missing = await refreshUrl(testApp.app, undefined, myFiles[0] as string, key);
    const revoked = await refreshUrl(testApp.app, mine.revokedKey, myFiles[0] as string, key);
    const writeOnly = await refreshUrl(testApp.app, mine.writeOnlyKey, myFiles[0] as string, key);
    expect(missing.status).toBe(401);
    expect(revoked.status).toBe(401);
    expect(writeOnly.status).toBe(403);
    const rows = await handle.database.db.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, key));
    expect(rows).toEqual([]);
  });

  it('scopes keys to the API key', async () => {
    const key = newKey();
    const mineResult = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    const theirsResult = await refreshUrl(testApp.app, theirs.readKey, theirFile, key);
    expect(mineResult.status).toBe(200);
    expect(theirsResult.status).toBe(200);
    expect(theirsResult.headers.get('idempotent-replayed')).toBeNull();
    expect(theirsResult.body.id).toBe(theirFile);
  });

  it('accepts a key of 255 characters', async () => {
    const result = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, 'k'.repeat(255));
    expect(result.status).toBe(200);
  });

  it.each([
    ['256 characters', 'k'.repeat(256)],
    ['empty', ''],
  ])('rejects a key of %s with 400', async (_name, key) => {
    const result = await refreshUrl(testApp.app, mine.readKey, myFiles[0] as string, key);
    expect(result.status).toBe(400);
    expect(result.body.error.type).toBe('invalid_request_error');
    expect(result.body.error.param).toBe('Idempotency-Key');
  });

  it('replays without spending the rate limit', async () => {
    const key = newKey();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await refreshUrl(limitedApp.app, mine.readKey, myFiles[0] as string, key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });
});
