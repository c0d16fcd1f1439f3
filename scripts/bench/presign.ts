/**
 * Measures the cost of signing one download URL, in microseconds, for each signing path:
 * local HMAC, S3 presigning without the cache, S3 cache hits, and the SDK's `getSignedUrl`
 * (the per-URL path this store avoids). Presigning is offline, so the S3 endpoint is a fake
 * loopback address that never receives a request.
 *
 * Run: npm run bench:presign [-- <urls>]   (default 20000 URLs per path and round, after a warm-up)
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createObjectStore, fileObjectKey, type ObjectStore, type SignRequest } from '../../src/storage/index.ts';

const URL_COUNT = Number(process.argv[2] ?? 20_000);
const WARM_UP_COUNT = 2_000;
const ROUNDS = 3;
// A page of 100 videos carries about 400 URLs (file plus 3 keyframes each).
const BATCH_SIZE = 400;
const FAKE_ENDPOINT = 'http://127.0.0.1:9';
const FAKE_CREDENTIALS = { accessKeyId: 'AKIABENCHMARK0000000', secretAccessKey: 'bench-secret-access-key-0000000000000000' };

const logger = createLogger('silent');

function makeRequests(count: number, offset = 0): SignRequest[] {
  return Array.from({ length: count }, (_, index) => {
    const hash = createHash('sha256')
      .update(`object-${offset + index}`)
      .digest('hex');
    return { key: fileObjectKey(hash), contentType: 'video/mp4' };
  });
}

async function signAll(store: ObjectStore, requests: readonly SignRequest[]): Promise<void> {
  for (let start = 0; start < requests.length; start += BATCH_SIZE) {
    await store.sign(requests.slice(start, start + BATCH_SIZE));
  }
}

/**
 * Runs `work` over the requests ROUNDS times and returns the fastest round in microseconds per URL:
 * other processes only ever add time, so the minimum is the least disturbed figure.
 */
async function microsecondsPerUrl(
  requests: readonly SignRequest[],
  work: (requests: readonly SignRequest[]) => Promise<void>,
): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    const started = process.hrtime.bigint();
    await work(requests);
    const elapsedNs = Number(process.hrtime.bigint() - started);
    best = Math.min(best, elapsedNs / 1000 / requests.length);
  }
  return best;
}

async function openStore(env: Record<string, string>): Promise<ObjectStore> {
  return createObjectStore(loadConfig(env), logger, { credentials: FAKE_CREDENTIALS });
}

async function main(): Promise<void> {
  if (!Number.isInteger(URL_COUNT) || URL_COUNT < 1 || URL_COUNT > 1_000_000) {
    throw new Error(`Invalid URL count ${JSON.stringify(process.argv[2])}: expected an integer from 1 to 1000000.`);
  }

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'files-gateway-bench-'));
  const s3Env = {
    DATA_DIR: dataDir,
    S3_BUCKET: 'bench-bucket',
    S3_REGION: 'us-east-1',
    S3_ENDPOINT: FAKE_ENDPOINT,
    S3_FORCE_PATH_STYLE: 'true',
  };
  const localEnv = { DATA_DIR: dataDir, LOCAL_SIGNING_SECRET: 'bench-signing-secret-0123456789abcdef' };
  const warmUp = makeRequests(WARM_UP_COUNT, URL_COUNT);
  const requests = makeRequests(URL_COUNT);
  const results: [string, number][] = [];

  try {
    const local = await openStore({ ...localEnv, SIGNED_URL_CACHE_MAX_ENTRIES: '0' });
    await signAll(local, warmUp);
    results.push(['local HMAC, cache disabled', await microsecondsPerUrl(requests, (batch) => signAll(local, batch))]);

    const s3Cold = await openStore({ ...s3Env, SIGNED_URL_CACHE_MAX_ENTRIES: '0' });
    await signAll(s3Cold, warmUp);
    results.push(['S3 presign, cache disabled', await microsecondsPerUrl(requests, (batch) => signAll(s3Cold, batch))]);

    const s3Warm = await openStore({ ...s3Env, SIGNED_URL_CACHE_MAX_ENTRIES: String(URL_COUNT + WARM_UP_COUNT) });
    await signAll(s3Warm, requests);
    await signAll(s3Warm, warmUp);
    results.push(['S3 cache hit', await microsecondsPerUrl(requests, (batch) => signAll(s3Warm, batch))]);
    await Promise.all([local.close(), s3Cold.close(), s3Warm.close()]);

    const client = new S3Client({ region: 'us-east-1', endpoint: FAKE_ENDPOINT, forcePathStyle: true, credentials: FAKE_CREDENTIALS });
    const presignEach = async (batch: readonly SignRequest[]) => {
      for (const request of batch) {
        const command = new GetObjectCommand({ Bucket: 'bench-bucket', Key: request.key, ResponseContentType: request.contentType });
        await getSignedUrl(client, command, { expiresIn: 604_800 });
      }
    };
    await presignEach(warmUp);
    results.push(['SDK getSignedUrl per URL (comparison)', await microsecondsPerUrl(requests, presignEach)]);
    client.destroy();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  const [load1] = os.loadavg();
  console.log(
    `Signing ${URL_COUNT} URLs in batches of ${BATCH_SIZE} after ${WARM_UP_COUNT} warm-up URLs, fastest of ${ROUNDS} rounds ` +
      `(Node ${process.version}, ${os.cpus().length} CPUs, load average ${load1?.toFixed(1)}):`,
  );
  for (const [name, microseconds] of results) console.log(`  ${name.padEnd(40)} ${microseconds.toFixed(1).padStart(7)} µs per URL`);
}

await main();
