import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { createApp } from '../src/http/app.ts';
import { listen, type RunningServer } from '../src/http/server.ts';
import { ingestPaths } from '../src/ingest/ingest.ts';
import { createLogger } from '../src/logger.ts';
import { createRestHandler } from '../src/rest/router.ts';
import type { AppServices } from '../src/schema/context.ts';
import { createObjectStore } from '../src/storage/index.ts';
import { DRIVERS, useTestDatabase } from './helpers/databases.ts';
import { binaries, H264_ARGS, runFfmpeg } from './helpers/media.ts';
import { freePort } from './helpers/net.ts';
import { seedOrganization } from './helpers/seed.ts';
import { verifyPresignedUrl } from './sigv4-verifier.ts';

const FIXTURES_DIR = process.env.FIXTURES_DIR;
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const PNG_SIGNATURE = '89504e470d0a1a0a';
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const LIST = `query($id: ID!, $after: String) { job(id: $id) { files(first: 10, after: $after, minScore: 1) {
  edges { node { id contentType contentHash sizeBytes downloadUrl keyframes { width height downloadUrl } } }
  pageInfo { hasNextPage endCursor } } } }`;

interface ListedFile {
  id: string;
  contentType: string;
  contentHash: string;
  sizeBytes: number;
  downloadUrl: string;
  keyframes: Array<{ width: number; height: number; downloadUrl: string }> | null;
}

/** Real media: the shared fixtures when present, else a clip, a tone and a photo made with ffmpeg. */
function mediaInputs(): string[] {
  if (FIXTURES_DIR) return [FIXTURES_DIR];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-e2e-media-'));
  runFfmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x240:rate=25:duration=2',
    '-f',
    'lavfi',
    '-i',
    'sine=duration=2',
    ...H264_ARGS,
    '-c:a',
    'aac',
    '-shortest',
    path.join(dir, 'clip.mp4'),
  ]);
  runFfmpeg(['-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'aac', path.join(dir, 'tone.m4a')]);
  runFfmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=640x360', '-frames:v', '1', path.join(dir, 'photo.jpg')]);
  return [dir];
}

const CASES = [...DRIVERS.map((driver) => ({ driver, storage: 'local' as const })), { driver: 'pglite' as const, storage: 's3' as const }];

describe.each(CASES)('ingest, list and download on $driver with $storage storage', ({ driver, storage }) => {
  const handle = useTestDatabase(driver);
  let s3: S3rver | undefined;
  let server: RunningServer;
  let services: AppServices;
  let seed: Awaited<ReturnType<typeof seedOrganization>>;
  let dataDir: string;
  const listed: ListedFile[] = [];

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-e2e-'));
    const port = await freePort();
    const env: Record<string, string> = { DATA_DIR: dataDir, PORT: String(port), RATE_LIMIT_BURST: '10000' };
    if (storage === 's3') {
      s3 = new S3rver({
        port: 0,
        address: '127.0.0.1',
        silent: true,
        directory: dataDir,
        configureBuckets: [{ name: 'files', configs: [] }],
      });
      const address = await s3.run();
      Object.assign(env, {
        S3_BUCKET: 'files',
        S3_REGION: 'us-east-1',
        S3_ENDPOINT: `http://127.0.0.1:${address.port}`,
        S3_FORCE_PATH_STYLE: 'true',
      });
    }
    const config = loadConfig(env);
    const logger = createLogger('silent');
    const store = await createObjectStore(config, logger, { credentials: S3RVER_CREDENTIALS });
    services = { config, database: handle.database, store, logger };
    const app = createApp(services, { rest: createRestHandler(() => app.graphql, services) });
    server = await listen(app.fetch, '127.0.0.1', port);

    seed = await seedOrganization(handle.database.db, `E2E ${storage}`);
    const results = await ingestPaths({
      db: handle.database.db,
      store,
      jobId: seed.jobId,
      organizationId: seed.organizationId,
      inputs: mediaInputs(),
      defaultRating: 4,
      binaries,
    });
    expect(results.filter((result) => result.status === 'created').length).toBeGreaterThanOrEqual(3);
  }, 300_000);

  afterAll(async () => {
    await server?.close();
    await services?.store.close();
    await s3?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const graphql = async (variables: Record<string, unknown>) => {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${seed.readKey}` },
      body: JSON.stringify({ query: LIST, variables }),
    });
    return (await response.json()) as {
      data: { job: { files: { edges: Array<{ node: ListedFile }>; pageInfo: { hasNextPage: boolean; endCursor: string } } } };
    };
  };

  it('lists every ingested file over GraphQL', async () => {
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const files: { edges: Array<{ node: ListedFile }>; pageInfo: { hasNextPage: boolean; endCursor: string } } = (
        await graphql({ id: seed.jobId, after })
      ).data.job.files;
      listed.push(...files.edges.map((edge) => edge.node));
      if (!files.pageInfo.hasNextPage) break;
      after = files.pageInfo.endCursor;
    }
    expect(listed.length).toBeGreaterThanOrEqual(3);
    expect(new Set(listed.map((file) => file.id)).size).toBe(listed.length);
  });

  it('downloads bytes matching contentHash', async () => {
    for (const file of listed) {
      const response = await fetch(file.downloadUrl);
      const body = new Uint8Array(await response.arrayBuffer());
      expect(response.status, file.id).toBe(200);
      expect(response.headers.get('content-type'), file.id).toBe(file.contentType);
      expect(body.byteLength, file.id).toBe(file.sizeBytes);
      expect(sha256(body), file.id).toBe(file.contentHash);
    }
  });

  it('downloads three PNG keyframes per video', async () => {
    const videos = listed.filter((file) => file.contentType.startsWith('video/'));
    expect(videos.length).toBeGreaterThanOrEqual(1);
    for (const video of videos) {
      expect(video.keyframes, video.id).toHaveLength(3);
      for (const frame of video.keyframes ?? []) {
        const response = await fetch(frame.downloadUrl);
        const body = Buffer.from(await response.arrayBuffer());
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('image/png');
        expect(body.subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
        // The PNG header (IHDR) stores width and height as big-endian integers at bytes 16 and 20.
        expect(body.readUInt32BE(16)).toBe(frame.width);
        expect(body.readUInt32BE(20)).toBe(frame.height);
      }
    }
  });

  it.runIf(storage === 's3')('returns URLs whose SigV4 signature verifies', () => {
    const urls = listed.flatMap((file) => [file.downloadUrl, ...(file.keyframes ?? []).map((frame) => frame.downloadUrl)]);
    for (const url of urls) {
      expect(
        verifyPresignedUrl(url, { secretAccessKey: S3RVER_CREDENTIALS.secretAccessKey, now: new Date() }).valid,
        url.split('?')[0],
      ).toBe(true);
    }
  });

  it('lists the same files and hashes over REST', async () => {
    const seen: Array<{ id: string; content_hash: string }> = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const response = await fetch(`${server.url}/v1/jobs/${seed.jobId}/files?min_score=1&limit=7${query}`, {
        headers: { Authorization: `Bearer ${seed.readKey}` },
      });
      const body = (await response.json()) as {
        data: Array<{ id: string; content_hash: string }>;
        has_more: boolean;
        next_cursor: string | null;
      };
      seen.push(...body.data.map((file) => ({ id: file.id, content_hash: file.content_hash })));
      if (!body.has_more) break;
      cursor = body.next_cursor;
    }
    expect(seen).toEqual(listed.map((file) => ({ id: file.id, content_hash: file.contentHash })));
  });
});

if (!FIXTURES_DIR)
  console.warn('FIXTURES_DIR is not set: the end-to-end test ingests media generated with ffmpeg instead of the real fixtures.');
