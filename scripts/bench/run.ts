/**
 * The benchmark: list-files throughput and latency of the gateway against a hand-written floor on
 * a seeded PostgreSQL database, the SQL statements per request, URL presigning cost, ingest
 * throughput and the signed-URL cache's heap. Prints Markdown tables with the targets.
 *
 * Run: npm run bench
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/files_gateway_bench),
 * BENCH_FILES (big job size, default 1000000), BENCH_SECONDS (per round and scenario, default 3),
 * BENCH_ROUNDS (default 5), BENCH_WARMUP_SECONDS (default 2), BENCH_CONNECTIONS (default 10), BENCH_PRESIGN_URLS (default 20000),
 * BENCH_CACHE_URLS (default 1000000).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/db/client.ts';
import { measureCacheMemoryInChild } from './cache-memory.ts';
import { benchIngest } from './ingest-bench.ts';
import { stopCurrentLoad } from './load.ts';
import { installCleanup, removeOnExit, startConnectionCounter } from './processes.ts';
import { type PresignResult, renderReport } from './report.ts';
import { buildScenarios, checkScenariosInProcess, findDeepPage } from './scenarios.ts';
import { ensureBenchSeed, requestedSizes } from './seed.ts';
import { measureServices, SERVICE_VARIANTS, type ServiceVariant } from './services.ts';
import { benchDatabaseUrl, describeDatabaseUrl, REPO_ROOT, readPositiveInt } from './settings.ts';

const log = (message: string) => console.error(message);

/** Runs scripts/bench/presign.ts in its own process and picks the S3 figure out of its output. */
async function runPresignBench(urls: number): Promise<PresignResult> {
  const script = path.join(REPO_ROOT, 'scripts', 'bench', 'presign.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, String(urls)], {
    cwd: REPO_ROOT,
    timeout: 600_000,
  });
  const lines = stdout
    .split('\n')
    .filter((line) => line.includes('µs per URL'))
    .map((line) => line.trim());
  const s3Line = lines.find((line) => line.startsWith('S3 presign, cache disabled'));
  const s3Microseconds = s3Line === undefined ? undefined : Number(/([\d.]+) µs per URL$/.exec(s3Line)?.[1]);
  return { lines, s3Microseconds };
}

async function findDeepPageOf(databaseUrl: string, seed: Parameters<typeof findDeepPage>[1]) {
  const database = await openDatabase({ databaseUrl, pgliteDir: 'memory', maxConnections: 1 });
  try {
    return await findDeepPage(database.db, seed);
  } finally {
    await database.close();
  }
}

function describeEnvironment(databaseUrl: string, seedNote: string): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const load = os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(', ');
  return [
    `Run ${new Date().toISOString()} on Node ${process.version}, ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, load average at start ${load}.`,
    `Database ${describeDatabaseUrl(databaseUrl)}: ${seedNote}.`,
  ].join('\n');
}

async function main(): Promise<void> {
  installCleanup(stopCurrentLoad);
  const settings = {
    connections: readPositiveInt('BENCH_CONNECTIONS', 10),
    warmUpSeconds: readPositiveInt('BENCH_WARMUP_SECONDS', 2),
    seconds: readPositiveInt('BENCH_SECONDS', 3),
    rounds: readPositiveInt('BENCH_ROUNDS', 5),
  };
  const databaseUrl = benchDatabaseUrl();

  log('Checking the seed…');
  const seeded = await ensureBenchSeed(databaseUrl, requestedSizes(), log);
  const { seed } = seeded;
  const seedNote = `big job ${seed.bigJobFiles.toLocaleString('en-US')} files, small job ${seed.smallJobFiles.toLocaleString('en-US')} files, ${seeded.reused ? 'existing seed kept' : `seeded in ${seeded.seconds.toFixed(1)} s`}`;
  const environment = describeEnvironment(databaseUrl, seedNote);

  const deep = await findDeepPageOf(databaseUrl, seed);
  const scenarios = buildScenarios(seed, deep);
  log('Counting SQL statements per request in-process…');
  const checks = await checkScenariosInProcess(databaseUrl, scenarios);

  const s3 = await startConnectionCounter();
  const tempDir = removeOnExit(fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-bench-')));
  try {
    const context = { databaseUrl, s3Endpoint: s3.url, tempDir, settings, log };
    // The floor serves REST only.
    const scenariosOf = (variant: ServiceVariant) =>
      variant.kind === 'gateway' ? scenarios : scenarios.filter((scenario) => scenario.api === 'REST');
    const services = await measureServices(SERVICE_VARIANTS, scenariosOf, context);

    log('Measuring presigning…');
    const presign = await runPresignBench(readPositiveInt('BENCH_PRESIGN_URLS', 20_000));
    log('Measuring ingest…');
    const ingest = await benchIngest();
    log('Measuring the signed-URL cache heap…');
    const cache = await measureCacheMemoryInChild(readPositiveInt('BENCH_CACHE_URLS', 1_000_000));

    console.log(renderReport({ environment, settings, deep, checks, services, s3Connections: s3.connections(), presign, ingest, cache }));
  } finally {
    await s3.close();
    fs.rmSync(tempDir, { recursive: true, force: true });
  }
}

await main();
