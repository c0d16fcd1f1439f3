import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import {
  createObjectStore,
  fileObjectKey,
  keyframeObjectKey,
  type S3Credentials,
  type S3CredentialsOption,
  type S3ObjectStore,
  type SignRequest,
} from '../src/storage/index.ts';
import { verifyPresignedUrl } from './sigv4-verifier.ts';

const BUCKET = 'test-bucket';
const WINDOW_SECONDS = 3600;
// s3rver returns 403 for any access key id but its own. It checks no signature, so the tests run the verifier.
const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const silentLogger = createLogger('silent');

/** A window start near the real time: s3rver checks expiry against its own clock. */
const WINDOW_START_MS = Math.floor(Date.now() / (WINDOW_SECONDS * 1000)) * WINDOW_SECONDS * 1000;

interface TestClock {
  nowMs: number;
  now: () => number;
}

function makeClock(nowMs = WINDOW_START_MS + 60_000): TestClock {
  const clock: TestClock = { nowMs, now: () => clock.nowMs };
  return clock;
}

function captureLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', stream), lines };
}

function amzParam(url: string, name: string): string | null {
  return new URL(url).searchParams.get(name);
}

describe('SigV4 test verifier', () => {
  // The presigned GET example of the Amazon S3 API Reference page
  // "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)".
  const example =
    'https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256' +
    '&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request' +
    '&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host' +
    '&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';
  const secretAccessKey = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';

  it('accepts the AWS documentation example', () => {
    expect(verifyPresignedUrl(example, { secretAccessKey })).toEqual({ valid: true });
  });

  it('rejects the example with another path', () => {
    expect(verifyPresignedUrl(example.replace('test.txt', 'test.txu'), { secretAccessKey }).valid).toBe(false);
  });

  it('rejects the example with another secret', () => {
    expect(verifyPresignedUrl(example, { secretAccessKey: `${secretAccessKey}x` }).valid).toBe(false);
  });

  it('rejects the example after expiry', () => {
    const check = verifyPresignedUrl(example, { secretAccessKey, now: new Date('2013-05-25T00:00:01Z') });

    expect(check).toEqual({ valid: false, reason: 'expired' });
  });
});

describe('S3 object store', () => {
  let server: S3rver;
  let directory: string;
  let endpoint: string;
  const opened: S3ObjectStore[] = [];

  beforeAll(async () => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-s3rver-'));
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory, configureBuckets: [{ name: BUCKET, configs: [] }] });
    const address = await server.run();
    endpoint = `http://127.0.0.1:${address.port}`;
  });

  afterAll(async () => {
    for (const store of opened) await store.close();
    await server?.close();
    fs.rmSync(directory, { recursive: true, force: true });
  });

  async function openStore(
    options: { env?: Record<string, string>; clock?: TestClock; credentials?: S3CredentialsOption; logger?: Logger } = {},
  ): Promise<S3ObjectStore> {
    const config = loadConfig({
      DATA_DIR: directory,
      S3_BUCKET: BUCKET,
      S3_REGION: 'us-east-1',
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      SIGNING_WINDOW_SECONDS: String(WINDOW_SECONDS),
      ...options.env,
    });
    const store = await createObjectStore(config, options.logger ?? silentLogger, {
      now: (options.clock ?? makeClock()).now,
      credentials: options.credentials ?? CREDENTIALS,
    });
    if (store.driver !== 's3') throw new Error('expected the S3 driver');
    opened.push(store);
    return store;
  }

  async function signOne(store: S3ObjectStore, key: string, contentType: string, fresh = false): Promise<{ url: string; expiresAt: Date }> {
    const [signed] = await store.sign([{ key, contentType }], { fresh });
    if (!signed) throw new Error('sign returned no URL');
    return signed;
  }

  describe('uploads and downloads', () => {
    const body = randomBytes(200_000);
    const key = fileObjectKey(sha256(body));
    let store: S3ObjectStore;

    beforeAll(async () => {
      store = await openStore();
      await store.put(key, body, 'video/mp4', body.length);
    });

    it('downloads the exact bytes', async () => {
      const { url } = await signOne(store, key, 'video/mp4');
      const response = await fetch(url);
      const bytes = new Uint8Array(await response.arrayBuffer());

      expect(response.status).toBe(200);
      expect(sha256(bytes)).toBe(sha256(body));
      expect(response.headers.get('content-type')).toBe('video/mp4');
    });

    it('stores a stream body intact', async () => {
      const streamed = randomBytes(150_000);
      const streamedKey = fileObjectKey(sha256(streamed));
      await store.put(streamedKey, Readable.from([streamed.subarray(0, 70_000), streamed.subarray(70_000)]), 'audio/mpeg', streamed.length);
      const { url } = await signOne(store, streamedKey, 'audio/mpeg');
      const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());

      expect(sha256(bytes)).toBe(sha256(streamed));
    });

    it('serves the signed content type', async () => {
      const { url } = await signOne(store, key, 'application/octet-stream');
      const response = await fetch(url);
      await response.arrayBuffer();

      expect(response.headers.get('content-type')).toBe('application/octet-stream');
    });

    it('reports existence', async () => {
      expect(await store.exists(key)).toBe(true);
      expect(await store.exists(fileObjectKey(sha256(Buffer.from('absent'))))).toBe(false);
    });

    it('treats put of an existing key as a no-op', async () => {
      const stream = Readable.from([body]);
      await store.put(key, stream, 'video/mp4', body.length);

      expect(stream.destroyed).toBe(true);
    });

    it('deletes an object', async () => {
      const frame = randomBytes(1000);
      const frameKey = keyframeObjectKey(sha256(body), 0);
      await store.put(frameKey, frame, 'image/png', frame.length);
      await store.delete(frameKey);

      expect(await store.exists(frameKey)).toBe(false);
    });
  });

  describe('signatures', () => {
    const key = fileObjectKey(sha256(Buffer.from('signatures')));
    let store: S3ObjectStore;

    beforeAll(async () => {
      store = await openStore();
    });

    it('verifies every signed URL', async () => {
      const keys = [key, keyframeObjectKey(sha256(Buffer.from('signatures')), 2)];
      const signed = await store.sign(keys.map((objectKey) => ({ key: objectKey, contentType: 'image/png; charset=binary' })));

      for (const { url } of signed) {
        expect(verifyPresignedUrl(url, { secretAccessKey: CREDENTIALS.secretAccessKey })).toEqual({ valid: true });
      }
    });

    it('rejects tampered URLs', async () => {
      const { url } = await signOne(store, key, 'video/mp4');
      const tampered = [
        url.replace('video%2Fmp4', 'text%2Fhtml'),
        url.replace(key, fileObjectKey(sha256(Buffer.from('other')))),
        url.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604799'),
      ];

      for (const candidate of tampered) {
        expect(candidate).not.toBe(url);
        expect(verifyPresignedUrl(candidate, { secretAccessKey: CREDENTIALS.secretAccessKey }).valid).toBe(false);
      }
    });

    it('sets X-Amz-Expires to 604800', async () => {
      const { url } = await signOne(store, key, 'video/mp4');

      expect(amzParam(url, 'X-Amz-Expires')).toBe('604800');
    });

    it('signs as of the window start', async () => {
      const { url, expiresAt } = await signOne(store, key, 'video/mp4');
      const windowStart = new Date(WINDOW_START_MS)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');

      expect(amzParam(url, 'X-Amz-Date')).toBe(windowStart);
      expect(expiresAt.getTime()).toBe(WINDOW_START_MS + 604_800_000);
    });

    it('puts URLs on the public endpoint', async () => {
      const publicStore = await openStore({ env: { S3_PUBLIC_ENDPOINT: 'https://files.example.test' } });
      const { url } = await signOne(publicStore, key, 'video/mp4');
      const parsed = new URL(url);

      expect(parsed.origin).toBe('https://files.example.test');
      expect(parsed.pathname).toBe(`/${BUCKET}/${key}`);
      expect(verifyPresignedUrl(url, { secretAccessKey: CREDENTIALS.secretAccessKey })).toEqual({ valid: true });
    });

    it('answers 403 once expired', async () => {
      const body = randomBytes(100);
      const shortKey = fileObjectKey(sha256(body));
      // Signed 60 s ago with a 2 s lifetime, so the URL is already expired when s3rver receives it.
      const shortStore = await openStore({
        env: { URL_EXPIRES_SECONDS: '2', SIGNING_WINDOW_SECONDS: '1' },
        clock: makeClock(Date.now() - 60_000),
      });
      await shortStore.put(shortKey, body, 'image/jpeg', body.length);
      const { url } = await signOne(shortStore, shortKey, 'image/jpeg', true);
      const response = await fetch(url);
      const text = await response.text();

      expect(amzParam(url, 'X-Amz-Expires')).toBe('2');
      expect(response.status).toBe(403);
      expect(text).toMatch(/expired/i);
    });
  });

  describe('temporary credentials', () => {
    const key = fileObjectKey(sha256(Buffer.from('temporary')));
    const expiration = new Date(Date.now() + 2 * 3600 * 1000);
    const temporary = { ...CREDENTIALS, sessionToken: 'session-token/with+symbols=', expiration };

    it('caps expiresAt at the credentials expiry', async () => {
      const store = await openStore({ credentials: temporary });
      const { url, expiresAt } = await signOne(store, key, 'video/mp4');

      expect(expiresAt.getTime()).toBe(expiration.getTime());
      expect(amzParam(url, 'X-Amz-Security-Token')).toBe(temporary.sessionToken);
      expect(verifyPresignedUrl(url, { secretAccessKey: temporary.secretAccessKey })).toEqual({ valid: true });
    });

    it('warns once at start-up', async () => {
      const { logger, lines } = captureLogger();
      const store = await openStore({ credentials: temporary, logger });
      await store.sign([{ key, contentType: 'video/mp4' }]);
      const warnings = lines.filter((line) => line.includes('credentials are temporary'));

      expect(warnings).toHaveLength(1);
      expect(lines.join('')).not.toContain(temporary.secretAccessKey);
      expect(lines.join('')).not.toContain(temporary.sessionToken);
    });

    it('signs again after rotation', async () => {
      // Credentials that expire within 5 minutes make the SDK ask the provider again on every use.
      const soon = () => new Date(Date.now() + 120_000);
      let current: S3Credentials = { ...CREDENTIALS, sessionToken: 'first', expiration: soon() };
      const store = await openStore({ credentials: async () => current });
      const before = await signOne(store, key, 'video/mp4');
      const countBefore = store.signCount;
      const rotated = {
        accessKeyId: 'AKIATESTSTORAGE00002',
        secretAccessKey: 'rotated-secret',
        sessionToken: 'second',
        expiration: soon(),
      };
      current = rotated;
      const after = await signOne(store, key, 'video/mp4');

      expect(after.url).not.toBe(before.url);
      expect(store.signCount).toBe(countBefore + 1);
      expect(amzParam(after.url, 'X-Amz-Credential')).toMatch(/^AKIATESTSTORAGE00002\//);
      expect(verifyPresignedUrl(after.url, { secretAccessKey: rotated.secretAccessKey })).toEqual({ valid: true });
    });

    it('ignores cached URLs of rotated credentials', async () => {
      const soon = () => new Date(Date.now() + 120_000);
      let current: S3Credentials = { ...CREDENTIALS, sessionToken: 'first', expiration: soon() };
      const store = await openStore({ credentials: async () => current });
      const signed = await signOne(store, key, 'video/mp4');
      const beforeRotation = await store.cachedUrls();
      current = { accessKeyId: 'AKIATESTSTORAGE00003', secretAccessKey: 'rotated-again', sessionToken: 'third', expiration: soon() };
      const afterRotation = await store.cachedUrls();

      expect(beforeRotation.get({ key, contentType: 'video/mp4' })).toEqual(signed);
      expect(afterRotation.get({ key, contentType: 'video/mp4' })).toBeUndefined();
    });
  });

  describe('signing window and cache', () => {
    const keys = ['one', 'two', 'three'].map((text) => ({ key: fileObjectKey(sha256(Buffer.from(text))), contentType: 'video/mp4' }));

    it('returns identical URLs within a window', async () => {
      const clock = makeClock(WINDOW_START_MS + 5_000);
      const store = await openStore({ clock });
      const first = await store.sign(keys);
      clock.nowMs = WINDOW_START_MS + WINDOW_SECONDS * 1000 - 1;
      const second = await store.sign(keys);

      expect(second.map((signed) => signed.url)).toEqual(first.map((signed) => signed.url));
    });

    it('signs nothing for a second listing', async () => {
      const clock = makeClock();
      const store = await openStore({ clock });
      await store.sign(keys);
      const countAfterFirst = store.signCount;
      await store.sign(keys);

      expect(countAfterFirst).toBe(keys.length);
      expect(store.signCount).toBe(countAfterFirst);
      expect(store.cacheStats().hits).toBe(keys.length);
    });

    it('returns new URLs in the next window', async () => {
      const clock = makeClock();
      const store = await openStore({ clock });
      const first = await store.sign(keys);
      clock.nowMs = WINDOW_START_MS + WINDOW_SECONDS * 1000;
      const second = await store.sign(keys);

      expect(second[0]?.url).not.toBe(first[0]?.url);
      expect(second[0]?.expiresAt.getTime()).toBe(WINDOW_START_MS + (WINDOW_SECONDS + 604_800) * 1000);
      expect(store.signCount).toBe(2 * keys.length);
    });

    it('signs fresh URLs at the current time', async () => {
      const clock = makeClock(WINDOW_START_MS + 1_234_000);
      const store = await openStore({ clock });
      await store.sign(keys);
      const countBefore = store.signCount;
      const [fresh] = await store.sign(keys.slice(0, 1), { fresh: true });

      expect(store.signCount).toBe(countBefore + 1);
      expect(fresh?.expiresAt.getTime()).toBe(WINDOW_START_MS + 1_234_000 + 604_800_000);
      expect(verifyPresignedUrl(fresh?.url ?? '', { secretAccessKey: CREDENTIALS.secretAccessKey })).toEqual({ valid: true });
    });

    it('reads cached URLs per window and type', async () => {
      const clock = makeClock(WINDOW_START_MS + 5_000);
      const store = await openStore({ clock });
      const [first] = keys;
      const empty = await store.cachedUrls();
      expect(empty.get(first as SignRequest)).toBeUndefined();

      const [signed] = await store.sign(keys);
      const sameWindow = await store.cachedUrls();
      expect(sameWindow.get(first as SignRequest)).toEqual(signed);
      expect(sameWindow.get({ key: first?.key ?? '', contentType: 'image/png' })).toBeUndefined();

      clock.nowMs = WINDOW_START_MS + WINDOW_SECONDS * 1000;
      const nextWindow = await store.cachedUrls();
      expect(nextWindow.get(first as SignRequest)).toBeUndefined();
      expect(store.signCount).toBe(keys.length);
    });

    it('keeps the cache within its cap', async () => {
      const store = await openStore({ env: { SIGNED_URL_CACHE_MAX_ENTRIES: '3' } });
      const many = Array.from({ length: 10 }, (_, index) => ({
        key: fileObjectKey(sha256(Buffer.from(`k${index}`))),
        contentType: 'video/mp4',
      }));
      await store.sign(many);

      expect(store.cacheStats().entries).toBe(3);
      expect(store.cacheStats().evictions).toBe(7);
    });

    it('signs every time with the cache disabled', async () => {
      const store = await openStore({ env: { SIGNED_URL_CACHE_MAX_ENTRIES: '0' } });
      await store.sign(keys);
      await store.sign(keys);

      expect(store.signCount).toBe(2 * keys.length);
      expect(store.cacheStats().entries).toBe(0);
      expect((await store.cachedUrls()).get(keys[0] as SignRequest)).toBeUndefined();
    });
  });
});
