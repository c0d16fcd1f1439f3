import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_REQUEST_BODY_BYTES } from '../src/http/request-body.ts';
import { runInRequestScope } from '../src/http/request-scope.ts';
import { createLogger } from '../src/logger.ts';
import { restErrorFromGraphQL, restParamName } from '../src/rest/errors.ts';
import { captureLogs, useTestApp } from './helpers/app.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { listFiles, type RestErrorBody, refreshUrl, restRequest } from './helpers/rest.ts';
import { type SeededOrganization, seedFiles, seedOrganization } from './helpers/seed.ts';

const MISSING_JOB = 'job_01JQ0000000000000000000000';
const MISSING_FILE = 'file_01JQ0000000000000000000000';

/** Returns the error with the echoed id and the request id replaced, so two responses can be compared. */
function normalized(body: RestErrorBody, id: string) {
  return { ...body.error, message: body.error.message.replace(id, 'ID'), request_id: 'REQUEST' };
}

describe('REST error mapping', () => {
  it('renames GraphQL arguments to REST parameters', () => {
    expect(restParamName('first')).toBe('limit');
    expect(restParamName('after')).toBe('cursor');
    expect(restParamName('minScore')).toBe('min_score');
    expect(restParamName('Idempotency-Key')).toBe('Idempotency-Key');
  });

  it('maps RATE_LIMITED to 429 with Retry-After', async () => {
    const errors = [{ message: 'Too many requests: retry in 3 s.', extensions: { code: 'RATE_LIMITED' } }];
    const response = runInRequestScope({ requestId: 'req_test' }, () =>
      restErrorFromGraphQL(errors, { 'retry-after': '3' }, createLogger('silent')).toResponse(),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({
      error: { type: 'rate_limit_error', message: 'Too many requests: retry in 3 s.', request_id: 'req_test' },
    });
  });

  it('maps a GraphQL param to its REST name', async () => {
    const errors = [{ message: 'Invalid first=101.', extensions: { code: 'BAD_USER_INPUT', param: 'first' } }];
    const response = runInRequestScope({ requestId: 'req_test' }, () =>
      restErrorFromGraphQL(errors, {}, createLogger('silent')).toResponse(),
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as RestErrorBody).error.param).toBe('limit');
  });

  it('hides an uncatalogued error behind api_error', async () => {
    const { logs, stream } = captureLogs();
    const errors = [{ message: 'Cannot query field "secret" on type "Query".' }];
    const response = runInRequestScope({ requestId: 'req_test' }, () =>
      restErrorFromGraphQL(errors, {}, createLogger('info', stream)).toResponse(),
    );
    const body = (await response.json()) as RestErrorBody;
    expect(response.status).toBe(500);
    expect(body.error.type).toBe('api_error');
    expect(body.error.message).not.toContain('secret');
    expect(logs.lines.join('')).toContain('without a catalogue code');
  });
});

describe.each(DRIVERS)('REST errors on %s', (driver) => {
  const handle = useTestDatabase(driver);
  const testApp = useTestApp(handle);
  // A budget of 3 requests per 3-second window, small enough to exhaust in one test.
  const limitedApp = useTestApp(handle, { RATE_LIMIT_BURST: '3', RATE_LIMIT_PER_SECOND: '1' });
  let mine: SeededOrganization;
  let theirs: SeededOrganization;
  let myFile: string;
  let theirFile: string;
  let theirCursor: string;

  beforeAll(async () => {
    mine = await seedOrganization(handle.database.db, 'Mine');
    theirs = await seedOrganization(handle.database.db, 'Theirs');
    [myFile] = (await seedFiles(handle.database.db, mine, 3)) as [string];
    [theirFile] = (await seedFiles(handle.database.db, theirs, 3)) as [string];
    theirCursor = (await listFiles(testApp.app, theirs.readKey, theirs.jobId, 'limit=1')).body.next_cursor as string;
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  const BAD_LIST_QUERIES: Array<[string, string]> = [
    ['limit=abc', 'limit'],
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=1.5', 'limit'],
    ['limit=-1', 'limit'],
    ['limit=', 'limit'],
    ['min_score=9', 'min_score'],
    ['min_score=0', 'min_score'],
    ['min_score=high', 'min_score'],
    ['cursor=not*a*cursor', 'cursor'],
    ['cursor=', 'cursor'],
    ['limit=5&limit=6', 'limit'],
    ['minscore=4', 'minscore'],
  ];

  it.each(BAD_LIST_QUERIES)('rejects %s with 400 naming %s', async (query, param) => {
    const result = await listFiles(testApp.app, mine.readKey, mine.jobId, query);
    expect(result.status).toBe(400);
    expect(result.body.error.type).toBe('invalid_request_error');
    expect(result.body.error.param).toBe(param);
    expect(result.body.error.message).toContain(param);
    expect(result.body.error.request_id).toBe(result.headers.get('request-id'));
  });

  it('rejects a cursor of another job with 400', async () => {
    const result = await listFiles(testApp.app, mine.readKey, mine.jobId, `cursor=${theirCursor}`);
    expect(result.status).toBe(400);
    expect(result.body.error.param).toBe('cursor');
    expect(result.body.error.message).toContain('different job');
  });

  it('rejects a query parameter on refresh_url with 400', async () => {
    const result = await restRequest<RestErrorBody>(testApp.app, 'POST', `/v1/files/${myFile}/refresh_url?force=1`, { key: mine.readKey });
    expect(result.status).toBe(400);
    expect(result.body.error.param).toBe('force');
  });

  it('authenticates before rejecting parameters', async () => {
    const result = await listFiles(testApp.app, undefined, mine.jobId, 'limit=abc');
    expect(result.status).toBe(401);
    expect(result.body.error.type).toBe('authentication_error');
  });

  it('returns 404 for an unknown route', async () => {
    for (const path of ['/v1/nothing', `/v1/jobs/${mine.jobId}/files/`, `/v1/jobs/${mine.jobId}`, '/v1/files//refresh_url']) {
      const result = await restRequest<RestErrorBody>(testApp.app, 'GET', path, { key: mine.readKey });
      expect(result.status, path).toBe(404);
      expect(result.body.error.type).toBe('not_found');
      expect(result.headers.get('request-id')).toBe(result.body.error.request_id);
    }
  });

  it('rejects an oversized body with 413', async () => {
    const length = String(MAX_REQUEST_BODY_BYTES + 1);
    const result = await restRequest<RestErrorBody>(testApp.app, 'POST', `/v1/files/${myFile}/refresh_url`, {
      key: mine.readKey,
      headers: { 'Content-Length': length },
      body: '{}',
    });
    expect(result.status).toBe(413);
    expect(result.body.error.type).toBe('invalid_request_error');
    expect(result.body.error.message).toContain(length);
    expect(result.body.error.message).toContain('empty');
    expect(result.statements).toBe(0);
  });

  it('rejects a chunked body with 411', async () => {
    const result = await restRequest<RestErrorBody>(testApp.app, 'POST', `/v1/files/${myFile}/refresh_url`, {
      key: mine.readKey,
      headers: { 'Transfer-Encoding': 'chunked' },
      body: '{}',
    });
    expect(result.status).toBe(411);
    expect(result.body.error.type).toBe('invalid_request_error');
    expect(result.body.error.message).toContain('Content-Length');
  });

  it('returns 405 with Allow for a wrong method', async () => {
    const post = await restRequest<RestErrorBody>(testApp.app, 'POST', `/v1/jobs/${mine.jobId}/files`, { key: mine.readKey });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
    expect(post.body.error.type).toBe('invalid_request_error');

    const get = await restRequest<RestErrorBody>(testApp.app, 'GET', `/v1/files/${myFile}/refresh_url`, { key: mine.readKey });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(get.body.error.type).toBe('invalid_request_error');
  });

  it('returns 404 for unknown and malformed ids', async () => {
    for (const id of [MISSING_JOB, 'garbage', 'job_%ZZ']) {
      const result = await listFiles(testApp.app, mine.readKey, id);
      expect(result.status, id).toBe(404);
      expect(result.body.error.type).toBe('not_found');
    }
    for (const id of [MISSING_FILE, 'garbage', mine.jobId]) {
      const result = await refreshUrl(testApp.app, mine.readKey, id);
      expect(result.status, id).toBe(404);
      expect(result.body.error.type).toBe('not_found');
    }
  });

  it('hides another organization job like a missing one', async () => {
    const other = await listFiles(testApp.app, mine.readKey, theirs.jobId);
    const missing = await listFiles(testApp.app, mine.readKey, MISSING_JOB);
    expect(other.status).toBe(404);
    expect(other.status).toBe(missing.status);
    expect(normalized(other.body, theirs.jobId)).toEqual(normalized(missing.body, MISSING_JOB));
    expect(Object.keys(other.body.error)).toEqual(Object.keys(missing.body.error));
  });

  it('hides another organization job with its own cursor', async () => {
    const other = await listFiles(testApp.app, mine.readKey, theirs.jobId, `cursor=${theirCursor}&limit=1`);
    expect(other.status).toBe(404);
    expect(other.body.error.type).toBe('not_found');
  });

  it('hides another organization file like a missing one', async () => {
    const other = await refreshUrl(testApp.app, mine.readKey, theirFile);
    const missing = await refreshUrl(testApp.app, mine.readKey, MISSING_FILE);
    expect(other.status).toBe(404);
    expect(other.status).toBe(missing.status);
    expect(normalized(other.body, theirFile)).toEqual(normalized(missing.body, MISSING_FILE));
  });

  const BAD_KEYS: Array<[string, (seed: SeededOrganization) => string | undefined, string]> = [
    ['missing', () => undefined, 'Missing'],
    ['malformed', () => 'not-a-key', 'keys are fh_live_'],
    ['short', () => 'fh_live_wrongwrongwrong', 'keys are fh_live_'],
    ['unknown', () => `fh_live_${'x'.repeat(40)}`, 'Invalid'],
    ['revoked', (seed) => seed.revokedKey, 'revoked'],
  ];

  it.each(BAD_KEYS)('rejects a %s key with 401 on both routes', async (_name, keyOf, wording) => {
    const key = keyOf(mine);
    for (const result of [await listFiles(testApp.app, key, mine.jobId), await refreshUrl(testApp.app, key, myFile)]) {
      expect(result.status).toBe(401);
      expect(result.body.error.type).toBe('authentication_error');
      expect(result.body.error.message).toContain(wording);
      expect(result.headers.get('www-authenticate')).toContain('Bearer');
    }
  });

  it('rejects a write-only key with 403 on both routes', async () => {
    for (const result of [
      await listFiles(testApp.app, mine.writeOnlyKey, mine.jobId),
      await refreshUrl(testApp.app, mine.writeOnlyKey, myFile),
    ]) {
      expect(result.status).toBe(403);
      expect(result.body.error.type).toBe('authorization_error');
      expect(result.body.error.message).toContain('jobs:read');
    }
  });

  it('returns 500 api_error for an internal failure', async () => {
    vi.spyOn(testApp.services.store, 'sign').mockRejectedValueOnce(new Error('bucket credentials expired at /secret/path'));
    const result = await refreshUrl(testApp.app, mine.readKey, myFile);
    expect(result.status).toBe(500);
    expect(result.body.error.type).toBe('api_error');
    expect(result.body.error.message).not.toContain('secret');
    expect(result.body.error.request_id).toBe(result.headers.get('request-id'));
  });

  it('returns 503 for an unreachable database', async () => {
    const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    vi.spyOn(handle.database.db, 'insert').mockImplementationOnce(() => {
      throw unreachable;
    });
    const result = await refreshUrl(testApp.app, mine.readKey, myFile, `db-down-${Date.now()}`);
    expect(result.status).toBe(503);
    expect(result.body.error.type).toBe('api_error');
    expect(result.body.error.message).not.toContain('ECONNREFUSED');
    expect(result.headers.get('retry-after')).toBe('5');
  });

  it('returns 429 once the rate limit is spent', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof listFiles>> | undefined;
    for (let i = 0; i < 4; i += 1) {
      last = await listFiles(limitedApp.app, 'rate-limit-test-key', mine.jobId);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([401, 401, 401, 429]);
    expect(last?.body.error.type).toBe('rate_limit_error');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
