/**
 * The servers the list benchmark measures, each started as a process of its own: the gateway with
 * and without its signed-URL cache, and the hand-written floor with signing on (cache on and off)
 * and off. Servers run one at a time, so they never compete with each other for CPU.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type LoadResult, type LoadSettings, measureLoad } from './load.ts';
import {
  type ChildServer,
  findFreePort,
  postgresCpuBetween,
  postgresCpuByPid,
  processCpuMs,
  readProcStatusBytes,
  startServer,
} from './processes.ts';
import { filesInResponse, PAGE_LIMIT, type Scenario, type ScenarioId } from './scenarios.ts';
import { serverEnv, serverNodeFlags } from './settings.ts';

export type ServiceId = 'gatewayWarm' | 'gatewayCold' | 'floorSigned' | 'floorSignedCold' | 'floorUnsigned';

export interface ServiceVariant {
  id: ServiceId;
  label: string;
  kind: 'gateway' | 'floor';
  /** SIGNED_URL_CACHE_MAX_ENTRIES, or undefined for the gateway's default. */
  cacheEntries?: number;
  /** Floor only: with false, the floor returns storage keys in place of signed URLs. */
  signing?: boolean;
}

export const SERVICE_VARIANTS: ServiceVariant[] = [
  { id: 'gatewayWarm', label: 'gateway, URL cache on', kind: 'gateway' },
  { id: 'gatewayCold', label: 'gateway, URL cache off', kind: 'gateway', cacheEntries: 0 },
  { id: 'floorSigned', label: 'floor, signing, URL cache on', kind: 'floor', signing: true },
  { id: 'floorSignedCold', label: 'floor, signing, URL cache off', kind: 'floor', signing: true, cacheEntries: 0 },
  { id: 'floorUnsigned', label: 'floor, no signing', kind: 'floor', signing: false },
];

export interface ScenarioRun extends LoadResult {
  /** The server's VmHWM after this scenario: its peak RSS since start-up, in bytes. */
  peakRssBytes: number | undefined;
  /** CPU milliseconds per response of the server process during the measured part. */
  serverCpuMsPerRequest: number | undefined;
  /** The same for every PostgreSQL process together. */
  databaseCpuMsPerRequest: number | undefined;
}

/** Reads the CPU time of the server and of PostgreSQL around a measured run. */
function cpuSampler(pid: number) {
  type Sample = { server: number | undefined; database: Map<number, number> };
  const samples: Record<'start' | 'end', Sample> = {
    start: { server: undefined, database: new Map() },
    end: { server: undefined, database: new Map() },
  };
  return {
    sample: (moment: 'start' | 'end') => {
      samples[moment] = { server: processCpuMs(pid), database: postgresCpuByPid() };
    },
    used: () => {
      const { start, end } = samples;
      const server = start.server === undefined || end.server === undefined ? undefined : end.server - start.server;
      return { server, database: postgresCpuBetween(start.database, end.database) };
    },
  };
}

export interface ServiceRun {
  variant: ServiceVariant;
  pid: number;
  results: Map<ScenarioId, ScenarioRun>;
}

export interface ServiceContext {
  databaseUrl: string;
  /** Stand-in S3 endpoint that counts connections. */
  s3Endpoint: string;
  tempDir: string;
  settings: LoadSettings;
  log: (message: string) => void;
}

/** Sends the scenario once and checks that the server returns a full page before the load starts. */
async function checkFullPage(url: string, scenario: Scenario): Promise<void> {
  const { method, path: requestPath, headers, body } = scenario.request;
  const response = await fetch(`${url}${requestPath}`, { method, headers, body });
  const returned = filesInResponse(scenario, response.status, await response.text());
  if (returned !== PAGE_LIMIT) throw new Error(`${scenario.id} returned ${returned} files from ${url}, expected ${PAGE_LIMIT}.`);
}

function startVariant(variant: ServiceVariant, context: ServiceContext, port: number) {
  const dataDir = path.join(context.tempDir, variant.id);
  fs.mkdirSync(dataDir, { recursive: true });
  const extra: Record<string, string> = variant.kind === 'floor' ? { FLOOR_SIGNING: variant.signing ? 'on' : 'off' } : {};
  const env = serverEnv({
    databaseUrl: context.databaseUrl,
    port,
    dataDir,
    s3Endpoint: context.s3Endpoint,
    signedUrlCacheMaxEntries: variant.cacheEntries,
    extra,
  });
  const entry = variant.kind === 'gateway' ? ['bin/files-gateway.js', 'serve'] : ['--import', 'tsx', 'scripts/bench/minimal-handler.ts'];
  const nodeArgs = [...serverNodeFlags(), ...entry];
  return startServer({ name: variant.label, nodeArgs, env, port, readyPath: variant.kind === 'gateway' ? '/readyz' : '/healthz' });
}

interface Pair {
  variant: ServiceVariant;
  server: ChildServer;
  scenario: Scenario;
  rounds: LoadResult[];
  serverCpuMs: number;
  databaseCpuMs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
};

/** Runs one measured round of a pair and adds its CPU time to the pair's totals. */
async function measureRound(pair: Pair, settings: LoadSettings): Promise<LoadResult> {
  const cpu = cpuSampler(pair.server.pid);
  const result = await measureLoad(pair.server.url, pair.scenario.request, { ...settings, warmUpSeconds: 0 }, cpu.sample);
  const used = cpu.used();
  pair.serverCpuMs += used.server ?? Number.NaN;
  pair.databaseCpuMs += used.database;
  pair.rounds.push(result);
  return result;
}

/** Combines the rounds of a pair: medians of throughput and latency, sums of counts, CPU over all rounds. */
function summarize(pair: Pair): ScenarioRun {
  const { rounds } = pair;
  const total = rounds.reduce((sum, round) => sum + round.total, 0);
  const statusCounts: Record<string, number> = {};
  for (const round of rounds) {
    for (const [status, count] of Object.entries(round.statusCounts)) statusCounts[status] = (statusCounts[status] ?? 0) + count;
  }
  return {
    requestsPerSecond: median(rounds.map((round) => round.requestsPerSecond)),
    p50Ms: median(rounds.map((round) => round.p50Ms)),
    p99Ms: median(rounds.map((round) => round.p99Ms)),
    total,
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
    statusCounts,
    peakRssBytes: readProcStatusBytes(pair.server.pid, 'VmHWM'),
    serverCpuMsPerRequest: total > 0 && Number.isFinite(pair.serverCpuMs) ? pair.serverCpuMs / total : undefined,
    databaseCpuMsPerRequest: total > 0 ? pair.databaseCpuMs / total : undefined,
  };
}

/**
 * Starts every server at once and measures each (server, scenario) pair in interleaved rounds:
 * round 1 runs every pair once, then round 2, and so on. When the machine slows down or speeds up
 * during the run, every pair is shifted alike, so the ratios between servers and between APIs
 * stay meaningful. Each pair's figures are the medians of its rounds. Idle servers use no CPU.
 */
export async function measureServices(
  variants: ServiceVariant[],
  scenariosOf: (variant: ServiceVariant) => Scenario[],
  context: ServiceContext,
): Promise<Map<ServiceId, ServiceRun>> {
  const servers: Array<{ variant: ServiceVariant; server: ChildServer }> = [];
  try {
    for (const variant of variants) servers.push({ variant, server: await startVariant(variant, context, await findFreePort()) });
    const pairs: Pair[] = servers.flatMap(({ variant, server }) =>
      scenariosOf(variant).map((scenario) => ({ variant, server, scenario, rounds: [], serverCpuMs: 0, databaseCpuMs: 0 })),
    );

    const { settings } = context;
    context.log(`Warming up ${pairs.length} server and scenario pairs…`);
    for (const pair of pairs) {
      await checkFullPage(pair.server.url, pair.scenario);
      if (settings.warmUpSeconds > 0) {
        await measureLoad(pair.server.url, pair.scenario.request, { ...settings, seconds: settings.warmUpSeconds, warmUpSeconds: 0 });
      }
    }

    for (let round = 1; round <= settings.rounds; round++) {
      context.log(`Round ${round} of ${settings.rounds}:`);
      for (const pair of pairs) {
        const result = await measureRound(pair, settings);
        context.log(`  ${pair.variant.label}, ${pair.scenario.id}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms`);
      }
    }

    const runs = new Map<ServiceId, ServiceRun>();
    for (const pair of pairs) {
      const run = runs.get(pair.variant.id) ?? { variant: pair.variant, pid: pair.server.pid, results: new Map() };
      run.results.set(pair.scenario.id, summarize(pair));
      runs.set(pair.variant.id, run);
    }
    return runs;
  } finally {
    await Promise.all(servers.map(({ server }) => server.stop()));
  }
}
