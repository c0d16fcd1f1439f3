/**
 * Load test: starts the gateway as a process of its own on 127.0.0.1 and sends it mixed REST list,
 * REST refresh_url (with and without Idempotency-Key) and GraphQL traffic with autocannon. Reports
 * responses by kind and status, connection errors, and the gateway's RSS sampled every second.
 * Exits with code 1 on any 5xx response or connection error.
 *
 * Run: npm run loadtest
 * Environment: LOADTEST_SECONDS (default 60), LOADTEST_CONNECTIONS (default 10), LOADTEST_EMBEDDED=1
 * for embedded PGlite with a few hundred seeded files; otherwise the benchmark seed on PostgreSQL
 * (BENCH_DATABASE_URL, BENCH_FILES, as for npm run bench).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase } from '../src/db/client.ts';
import { runAutocannon, stopCurrentLoad } from './bench/load.ts';
import { buildTraffic, type StatusCounts } from './bench/loadtest-traffic.ts';
import {
  type ChildServer,
  findFreePort,
  installCleanup,
  interruptingSignal,
  readProcStatusBytes,
  removeOnExit,
  startConnectionCounter,
  startServer,
} from './bench/processes.ts';
import { type BenchSeed, createBenchData, ensureBenchSeed, requestedSizes } from './bench/seed.ts';
import { benchFileId } from './bench/seed-rows.ts';
import { benchDatabaseUrl, describeDatabaseUrl, readFlag, readPositiveInt, serverEnv, serverNodeFlags } from './bench/settings.ts';

const EMBEDDED_SIZES = { bigJobFiles: 300, smallJobFiles: 100 };
const MB = 1024 * 1024;

interface Target {
  seed: BenchSeed;
  /** Undefined for embedded PGlite under the gateway's DATA_DIR. */
  databaseUrl: string | undefined;
  description: string;
}

/** Seeds PGlite where the gateway will open it ($DATA_DIR/pglite), then closes it: two processes must never share one. */
async function prepareEmbedded(dataDir: string): Promise<Target> {
  const database = await openDatabase({ databaseUrl: undefined, pgliteDir: path.join(dataDir, 'pglite') });
  try {
    await database.migrate();
    const seed = await createBenchData(database.db, EMBEDDED_SIZES, () => {});
    await database.db.execute(sql`ANALYZE`);
    return {
      seed,
      databaseUrl: undefined,
      description: `embedded PGlite, ${EMBEDDED_SIZES.bigJobFiles} + ${EMBEDDED_SIZES.smallJobFiles} files`,
    };
  } finally {
    await database.close();
  }
}

async function preparePostgres(): Promise<Target> {
  const databaseUrl = benchDatabaseUrl();
  const { seed } = await ensureBenchSeed(databaseUrl, requestedSizes());
  const description = `${describeDatabaseUrl(databaseUrl)}, ${seed.bigJobFiles.toLocaleString('en-US')} + ${seed.smallJobFiles.toLocaleString('en-US')} files`;
  return { seed, databaseUrl, description };
}

/** Uses the replay key once, so every later request with it is a replay of a completed response. */
async function primeReplayKey(server: ChildServer, seed: BenchSeed, replay: { key: string; fileId: string }): Promise<void> {
  const response = await fetch(`${server.url}/v1/files/${replay.fileId}/refresh_url`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${seed.apiKeySecret}`, 'Idempotency-Key': replay.key },
  });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`Priming the Idempotency-Key returned HTTP ${response.status}: ${text.slice(0, 300)}`);
}

/** Samples the process's VmRSS every second until stopped. */
function sampleRss(pid: number): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    const rss = readProcStatusBytes(pid, 'VmRSS');
    if (rss !== undefined) samples.push(rss);
  }, 1_000);
  return {
    stop: () => {
      clearInterval(timer);
      return samples;
    },
  };
}

function printCounts(counts: StatusCounts): number {
  let serverErrors = 0;
  console.log('| traffic | responses | by status |\n| --- | --- | --- |');
  for (const [kind, byStatus] of counts) {
    const total = [...byStatus.values()].reduce((sum, count) => sum + count, 0);
    const statuses = [...byStatus].sort(([a], [b]) => a - b).map(([status, count]) => `${status}: ${count}`);
    for (const [status, count] of byStatus) if (status >= 500) serverErrors += count;
    console.log(`| ${kind} | ${total} | ${statuses.join(', ')} |`);
  }
  return serverErrors;
}

function printRss(samples: number[], peakBytes: number | undefined): void {
  const first = samples[0];
  const last = samples.at(-1);
  if (first === undefined || last === undefined) {
    console.log('Gateway RSS: no samples.');
    return;
  }
  const peak = Math.max(...samples);
  const every10 = samples.filter((_, index) => index % 10 === 0).map((bytes) => (bytes / MB).toFixed(0));
  console.log(
    `Gateway RSS over ${samples.length} one-second samples: first ${(first / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB, ` +
      `last ${(last / MB).toFixed(0)} MB (VmHWM ${peakBytes === undefined ? 'n/a, the process has exited' : `${(peakBytes / MB).toFixed(0)} MB`}). Every 10 s: ${every10.join(', ')} MB.`,
  );
}

async function main(): Promise<void> {
  installCleanup(stopCurrentLoad);
  const seconds = readPositiveInt('LOADTEST_SECONDS', 60);
  const connections = readPositiveInt('LOADTEST_CONNECTIONS', 10);
  const dataDir = removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-loadtest-')));
  const s3 = await startConnectionCounter();
  let server: ChildServer | undefined;

  try {
    const target = readFlag('LOADTEST_EMBEDDED') ? await prepareEmbedded(dataDir) : await preparePostgres();
    const port = await findFreePort();
    const env = serverEnv({ databaseUrl: target.databaseUrl, port, dataDir, s3Endpoint: s3.url });
    server = await startServer({
      name: 'gateway',
      nodeArgs: [...serverNodeFlags(), 'bin/files-gateway.js', 'serve'],
      env,
      port,
      readyPath: '/readyz',
    });

    const runId = randomUUID();
    const replay = { key: `loadtest-replay-${runId}`, fileId: benchFileId(1) };
    await primeReplayKey(server, target.seed, replay);
    const traffic = buildTraffic(target.seed, replay, runId);

    console.error(
      `Sending mixed traffic for ${seconds} s with ${connections} connections to the gateway (PID ${server.pid}) on ${target.description}…`,
    );
    const rss = sampleRss(server.pid);
    const result = await runAutocannon(server.url, { requests: traffic.requests, connections, duration: seconds });
    const samples = rss.stop();

    console.log(
      `## files-gateway load test\n\n${seconds} s, ${connections} connections, ${target.description}, Node ${process.version}.\n`,
    );
    const serverErrors = printCounts(traffic.counts);
    console.log(
      `\nTotal ${result.requests.total} responses (${result.requests.average.toFixed(0)} req/s); connection errors ${result.errors}, of which timeouts ${result.timeouts}.`,
    );
    printRss(samples, readProcStatusBytes(server.pid, 'VmHWM'));
    console.log(`Connections the S3 endpoint received: ${s3.connections()}.`);

    const signal = interruptingSignal();
    if (signal) {
      console.log(`INTERRUPTED by ${signal}: the counts above are partial, and errors after the signal are expected.`);
      return;
    }
    const failed = serverErrors > 0 || result.errors > 0;
    console.log(
      failed
        ? `FAILED: ${serverErrors} 5xx responses, ${result.errors} connection errors.`
        : 'PASSED: no 5xx responses and no connection errors.',
    );
    if (failed) process.exitCode = 1;
  } finally {
    await server?.stop();
    await s3.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
