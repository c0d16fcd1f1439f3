import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createServerAdapter } from '@whatwg-node/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import {
  createLocalDownloadHandler,
  createObjectStore,
  fileObjectKey,
  keyframeObjectKey,
  type LocalObjectStore,
} from '../src/storage/index.ts';

const PUBLIC_URL = 'http://127.0.0.1:4000';
const WINDOW_SECONDS = 3600;
// A window start, so tests can move inside and across windows exactly.
const START_MS = Date.UTC(2026, 0, 5, 10, 0, 0);

const logger = createLogger('silent');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface Clock {
  nowMs: number;
  now: () => number;
}

function makeClock(): Clock {
  const clock: Clock = { nowMs: START_MS, now: () => clock.nowMs };
  return clock;
}

function makeConfig(dataDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({ DATA_DIR: dataDir, PUBLIC_URL, SIGNING_WINDOW_SECONDS: String(WINDOW_SECONDS), ...env });
}

async function openStore(dataDir: string, clock: Clock, env: Record<string, string> = {}): Promise<LocalObjectStore> {
  const store = await createObjectStore(makeConfig(dataDir, env), logger, { now: clock.now });
  if (store.driver !== 'local') throw new Error('expected the local driver');
  return store;
}

/** Returns `url` with one query parameter replaced, or removed when `value` is undefined. */
function withParam(url: string, name: string, value: string | undefined): string {
  const parsed = new URL(url);
  if (value === undefined) parsed.searchParams.delete(name);
  else parsed.searchParams.set(name, value);
  return parsed.toString();
}

async function errorOf(response: Response): Promise<{ type: string; message: string }> {
  const body = (await response.json()) as { error: { type: string; message: string } };
  return body.error;
}

describe('local object store', () => {
  const clock = makeClock();
  const body = randomBytes(100_000);
  const contentHash = sha256(body);
  const key = fileObjectKey(contentHash);
  let dataDir: string;
  let store: LocalObjectStore;
  let download: (request: Request) => Promise<Response>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-local-'));
    store = await openStore(dataDir, clock);
    download = createLocalDownloadHandler(store);
    await store.put(key, body, 'video/mp4', body.length);
  });

  afterAll(async () => {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function signedUrl(contentType = 'video/mp4', fresh = false): Promise<string> {
    const [signed] = await store.sign([{ key, contentType }], { fresh });
    if (!signed) throw new Error('sign returned no URL');
    return signed.url;
  }

  it('downloads the exact bytes', async () => {
    const response = await download(new Request(await signedUrl()));
    const bytes = new Uint8Array(await response.arrayBuffer());

    expect(response.status).toBe(200);
    expect(sha256(bytes)).toBe(contentHash);
    expect(response.headers.get('content-type')).toBe('video/mp4');
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(response.headers.get('etag')).toBe(`"${contentHash}"`);
    expect(response.headers.get('accept-ranges')).toBe('bytes');
  });

  it('formats URLs with expiry, content type and signature', async () => {
    const url = new URL(await signedUrl());

    expect(`${url.origin}${url.pathname}`).toBe(`${PUBLIC_URL}/objects/${key}`);
    expect(url.searchParams.get('expires')).toBe(String(START_MS / 1000 + 604_800));
    expect(url.searchParams.get('content_type')).toBe('video/mp4');
    expect(url.searchParams.get('signature')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('downloads through a node:http server', async () => {
    const server = http.createServer(createServerAdapter(download));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const signed = new URL(await signedUrl());
      const response = await fetch(`http://127.0.0.1:${port}${signed.pathname}${signed.search}`);
      const bytes = new Uint8Array(await response.arrayBuffer());

      expect(response.status).toBe(200);
      expect(sha256(bytes)).toBe(contentHash);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('answers HEAD without a body', async () => {
    const response = await download(new Request(await signedUrl(), { method: 'HEAD' }));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(body.length));
    expect(await response.text()).toBe('');
  });

  it('sets max-age to the seconds left', async () => {
    clock.nowMs = START_MS + 100_000;
    const response = await download(new Request(await signedUrl()));
    await response.body?.cancel();
    clock.nowMs = START_MS;

    expect(response.headers.get('cache-control')).toBe(`private, max-age=${604_800 - 100}`);
  });

  it('rejects tampered signature', async () => {
    const url = await signedUrl();
    const signature = new URL(url).searchParams.get('signature') ?? '';
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    const response = await download(new Request(withParam(url, 'signature', flipped)));
    const error = await errorOf(response);

    expect(response.status).toBe(403);
    expect(error.type).toBe('authorization_error');
    expect(error.message).toMatch(/signature does not match/);
    expect(error.message).toMatch(/refresh_url/);
  });

  it('rejects tampered expiry', async () => {
    const url = await signedUrl();
    const later = String(Number(new URL(url).searchParams.get('expires')) + 86_400);
    const response = await download(new Request(withParam(url, 'expires', later)));

    expect(response.status).toBe(403);
    expect((await errorOf(response)).type).toBe('authorization_error');
  });

  it('rejects tampered content type', async () => {
    const response = await download(new Request(withParam(await signedUrl(), 'content_type', 'text/html')));

    expect(response.status).toBe(403);
  });

  it('rejects URL signed for another object', async () => {
    const url = await signedUrl();
    const otherKey = fileObjectKey(sha256(Buffer.from('other')));
    const response = await download(new Request(url.replace(key, otherKey)));

    expect(response.status).toBe(403);
  });

  it('rejects missing signature', async () => {
    const response = await download(new Request(withParam(await signedUrl(), 'signature', undefined)));
    const error = await errorOf(response);

    expect(response.status).toBe(403);
    expect(error.message).toMatch(/has no signature/);
  });

  it('rejects expired URL', async () => {
    const url = await signedUrl();
    clock.nowMs = START_MS + 604_800_000;
    const response = await download(new Request(url));
    clock.nowMs = START_MS;
    const error = await errorOf(response);

    expect(response.status).toBe(403);
    expect(error.type).toBe('authorization_error');
    expect(error.message).toMatch(/has expired/);
  });

  it('serves a range with 206', async () => {
    const response = await download(new Request(await signedUrl(), { headers: { Range: 'bytes=1000-1999' } }));
    const bytes = Buffer.from(await response.arrayBuffer());

    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 1000-1999/${body.length}`);
    expect(response.headers.get('content-length')).toBe('1000');
    expect(bytes.equals(body.subarray(1000, 2000))).toBe(true);
  });

  it('serves a suffix range', async () => {
    const response = await download(new Request(await signedUrl(), { headers: { Range: 'bytes=-10' } }));
    const bytes = Buffer.from(await response.arrayBuffer());

    expect(response.status).toBe(206);
    expect(bytes.equals(body.subarray(body.length - 10))).toBe(true);
  });

  it('answers 416 for unsatisfiable range', async () => {
    const response = await download(new Request(await signedUrl(), { headers: { Range: `bytes=${body.length}-` } }));

    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe(`bytes */${body.length}`);
  });

  it('rejects path traversal', async () => {
    const url = new URL(await signedUrl());
    const attempts = ['..%2F..%2Fsigning-secret', '%2Fetc%2Fpasswd', 'files%5C..%5Csigning-secret', `${key}%00`, `${key}/..`];
    for (const attempt of attempts) {
      const response = await download(new Request(`${PUBLIC_URL}/objects/${attempt}${url.search}`));
      expect(response.status, attempt).toBe(400);
    }
  });

  it('answers 404 for a missing object', async () => {
    const missingKey = fileObjectKey(sha256(Buffer.from('never stored')));
    const [signed] = await store.sign([{ key: missingKey, contentType: 'image/jpeg' }]);
    const response = await download(new Request(signed?.url ?? ''));

    expect(response.status).toBe(404);
    expect((await errorOf(response)).type).toBe('not_found');
  });

  it('answers 405 for POST', async () => {
    const response = await download(new Request(await signedUrl(), { method: 'POST' }));

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('stores a stream body', async () => {
    const streamed = randomBytes(300_000);
    const streamedKey = fileObjectKey(sha256(streamed));
    await store.put(streamedKey, Readable.from([streamed.subarray(0, 1000), streamed.subarray(1000)]), 'audio/mpeg', streamed.length);

    expect(await store.exists(streamedKey)).toBe(true);
    expect(fs.readFileSync(store.objectPath(streamedKey)).equals(streamed)).toBe(true);
  });

  it('rejects bytes that differ from the key hash', async () => {
    const wrongKey = fileObjectKey(sha256(Buffer.from('something else')));

    await expect(store.put(wrongKey, body, 'video/mp4', body.length)).rejects.toThrow(/SHA-256/);
    expect(await store.exists(wrongKey)).toBe(false);
  });

  it('rejects a body longer than stated', async () => {
    const frameKey = keyframeObjectKey(contentHash, 7);

    await expect(store.put(frameKey, body, 'image/png', body.length - 1)).rejects.toThrow(/longer than/);
    expect(await store.exists(frameKey)).toBe(false);
  });

  it('rejects a body shorter than stated', async () => {
    const frameKey = keyframeObjectKey(contentHash, 8);

    await expect(store.put(frameKey, body, 'image/png', body.length + 1)).rejects.toThrow(/expected/);
    expect(await store.exists(frameKey)).toBe(false);
  });

  it('leaves no temporary files behind', () => {
    const folder = path.dirname(store.objectPath(key));
    const leftovers = fs.readdirSync(folder).filter((name) => name.endsWith('.tmp'));

    expect(leftovers).toEqual([]);
  });

  it('treats put of an existing key as a no-op', async () => {
    const before = fs.statSync(store.objectPath(key)).mtimeMs;
    await store.put(key, body, 'video/mp4', body.length);

    expect(fs.statSync(store.objectPath(key)).mtimeMs).toBe(before);
  });

  it('serves a keyframe beside its video', async () => {
    const png = randomBytes(5000);
    const frameKey = keyframeObjectKey(contentHash, 1);
    await store.put(frameKey, png, 'image/png', png.length);
    const [signed] = await store.sign([{ key: frameKey, contentType: 'image/png' }]);
    const response = await download(new Request(signed?.url ?? ''));

    expect(path.dirname(store.objectPath(frameKey))).toBe(path.dirname(store.objectPath(key)));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('etag')).toBe(`"${contentHash}-keyframe-1"`);
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('deletes an object', async () => {
    const extra = randomBytes(10);
    const extraKey = fileObjectKey(sha256(extra));
    await store.put(extraKey, extra, 'image/jpeg', extra.length);
    await store.delete(extraKey);

    expect(await store.exists(extraKey)).toBe(false);
  });
});

describe('local signing window', () => {
  const clock = makeClock();
  const key = fileObjectKey(sha256(Buffer.from('window')));
  let dataDir: string;
  let store: LocalObjectStore;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-window-'));
    store = await openStore(dataDir, clock, { SIGNED_URL_CACHE_MAX_ENTRIES: '2' });
  });

  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('returns identical URLs within a window', async () => {
    clock.nowMs = START_MS + 10_000;
    const [first] = await store.sign([{ key, contentType: 'image/jpeg' }]);
    const countAfterFirst = store.signCount;
    clock.nowMs = START_MS + WINDOW_SECONDS * 1000 - 1;
    const [second] = await store.sign([{ key, contentType: 'image/jpeg' }]);

    expect(second?.url).toBe(first?.url);
    expect(store.signCount).toBe(countAfterFirst);
    expect(first?.expiresAt.getTime()).toBe(START_MS + 604_800_000);
  });

  it('signs again in the next window', async () => {
    clock.nowMs = START_MS;
    const [first] = await store.sign([{ key, contentType: 'image/jpeg' }]);
    clock.nowMs = START_MS + WINDOW_SECONDS * 1000;
    const [second] = await store.sign([{ key, contentType: 'image/jpeg' }]);

    expect(second?.url).not.toBe(first?.url);
    expect(second?.expiresAt.getTime()).toBe(START_MS + (WINDOW_SECONDS + 604_800) * 1000);
  });

  it('signs fresh URLs at the current time', async () => {
    clock.nowMs = START_MS + 1_234_000;
    const before = store.signCount;
    const [fresh] = await store.sign([{ key, contentType: 'image/jpeg' }], { fresh: true });

    expect(store.signCount).toBe(before + 1);
    expect(fresh?.expiresAt.getTime()).toBe(START_MS + 1_234_000 + 604_800_000);
  });

  it('keeps the cache within its cap', async () => {
    clock.nowMs = START_MS;
    const keys = ['a', 'b', 'c', 'd'].map((text) => ({ key: fileObjectKey(sha256(Buffer.from(text))), contentType: 'image/jpeg' }));
    await store.sign(keys);

    expect(store.cacheStats().entries).toBe(2);
    expect(store.cacheStats().evictions).toBeGreaterThan(0);
  });

  it('rejects an invalid content type', async () => {
    await expect(store.sign([{ key, contentType: 'text/html\r\nX-Evil: 1' }])).rejects.toThrow(/Invalid content type/);
  });

  it('rejects a key it did not make', async () => {
    await expect(store.sign([{ key: '../signing-secret', contentType: 'image/jpeg' }])).rejects.toThrow(/Invalid object key/);
  });
});

describe('local signing secret', () => {
  it('persists across restarts', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-secret-'));
    try {
      const clock = makeClock();
      const key = fileObjectKey(sha256(Buffer.from('secret')));
      const first = await openStore(dataDir, clock);
      const [signedByFirst] = await first.sign([{ key, contentType: 'image/jpeg' }]);
      const second = await openStore(dataDir, clock);
      const [signedBySecond] = await second.sign([{ key, contentType: 'image/jpeg' }]);
      const secretFile = path.join(dataDir, 'signing-secret');

      expect(signedBySecond?.url).toBe(signedByFirst?.url);
      expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(secretFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('uses LOCAL_SIGNING_SECRET when set', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-secret-'));
    try {
      await openStore(dataDir, makeClock(), { LOCAL_SIGNING_SECRET: 'x'.repeat(40) });

      expect(fs.existsSync(path.join(dataDir, 'signing-secret'))).toBe(false);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('rejects a corrupt secret file', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-secret-'));
    try {
      fs.writeFileSync(path.join(dataDir, 'signing-secret'), 'short\n', { mode: 0o600 });

      await expect(openStore(dataDir, makeClock())).rejects.toThrow(/Invalid signing secret/);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
