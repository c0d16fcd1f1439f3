/**
 * Heap taken by the signed-URL cache of the S3 store when it contains N distinct URLs (default
 * 1,000,000): heapUsed after a forced garbage collection, before and after filling the cache.
 * It runs in a process of its own, started with --expose-gc, so nothing else shares the heap.
 *
 * Run: node --expose-gc --import tsx scripts/bench/cache-memory.ts [urls]   (prints one JSON line)
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createObjectStore, fileObjectKey, type SignRequest } from '../../src/storage/index.ts';
import { FAKE_S3_CREDENTIALS, REPO_ROOT, serverEnv } from './settings.ts';

// The size of one page of 100 videos with three keyframes each.
const BATCH_SIZE = 400;

export interface CacheMemoryResult {
  urls: number;
  entries: number;
  heapBytes: number;
  bytesPerUrl: number;
  /** False when global.gc was missing, which makes the figure include garbage. */
  gcExposed: boolean;
  seconds: number;
}

function collectGarbage(): boolean {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return false;
  gc();
  gc();
  return true;
}

function batchOfRequests(start: number, end: number): SignRequest[] {
  const requests: SignRequest[] = [];
  for (let i = start; i < end; i++) {
    const hash = createHash('sha256').update(`cache-memory-${i}`).digest('hex');
    requests.push({ key: fileObjectKey(hash), contentType: i % 4 === 3 ? 'video/mp4' : 'image/jpeg' });
  }
  return requests;
}

async function measure(urls: number): Promise<CacheMemoryResult> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-bench-cache-'));
  const env = serverEnv({ databaseUrl: undefined, port: 0, dataDir, s3Endpoint: 'http://127.0.0.1:9', signedUrlCacheMaxEntries: urls });
  const store = await createObjectStore(loadConfig(env), createLogger('silent'), { credentials: FAKE_S3_CREDENTIALS });
  try {
    // One signature first, so the SDK's lazily loaded modules are not counted as cache.
    await store.sign(batchOfRequests(urls, urls + 1));
    const gcExposed = collectGarbage();
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();

    for (let start = 0; start < urls; start += BATCH_SIZE) {
      await store.sign(batchOfRequests(start, Math.min(urls, start + BATCH_SIZE)));
    }
    collectGarbage();
    const heapBytes = process.memoryUsage().heapUsed - before;
    const { entries } = store.cacheStats();
    return { urls, entries, heapBytes, bytesPerUrl: heapBytes / urls, gcExposed, seconds: (performance.now() - started) / 1000 };
  } finally {
    await store.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs this script in a child process with --expose-gc and returns its result. */
export async function measureCacheMemoryInChild(urls: number): Promise<CacheMemoryResult> {
  const script = path.join(REPO_ROOT, 'scripts', 'bench', 'cache-memory.ts');
  // About 1 KB per entry: leave the heap room for 1,000,000 entries and the garbage of filling them.
  const heapMb = Math.max(1024, Math.ceil((urls * 3 * 1024) / 1024 / 1024));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [`--max-old-space-size=${heapMb}`, '--expose-gc', '--import', 'tsx', script, String(urls)],
    {
      cwd: REPO_ROOT,
      timeout: 600_000,
      maxBuffer: 1024 * 1024,
    },
  );
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as CacheMemoryResult;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  const urls = Number(process.argv[2] ?? 1_000_000);
  if (!Number.isSafeInteger(urls) || urls < 1)
    throw new Error(`Invalid URL count ${JSON.stringify(process.argv[2])}: expected a positive integer.`);
  console.log(JSON.stringify(await measure(urls)));
}
