/**
 * The servers the list benchmark measures, each started as a process of its own: the gateway with
 * and without its signed-URL cache, and the hand-written floor with signing on (cache on and off)
 * and off. Servers run one at a time, so they never compete with each other for CPU.
 */
import fs from 'node:fs';
import path from 'node:path';
import { type LoadResult, type LoadSettings, measureLoad } from './load.ts';
import { findFreePort, postgresCpuBetween, postgresCpuByPid, processCpuMs, readProcStatusBytes, startServer } from './processes.ts';
import { filesInResponse, PAGE_LIMIT, type Scenario, type ScenarioId } from './scenarios.ts';
import { serverEnv, serverNodeFlags } from './settings.ts';

export type ServiceId = 'gatewayWarm' | 'gatewayCold' | 'floorSigned' | 'floorSignedCold' | 'floorUnsigned';

interface ServiceVariant {
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

/** Reads the CPU time of the server and of PostgreSQL around a measured run and divides it by the responses. */
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
    perRequest: (responses: number) => {
      const { start, end } = samples;
      if (responses === 0 || start.server === undefined || end.server === undefined) return { server: undefined, database: undefined };
      return { server: (end.server - start.server) / responses, database: postgresCpuBetween(start.database, end.database) / responses };
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

/** Starts one server, runs each scenario against it under load, and stops it. */
export async function measureService(variant: ServiceVariant, scenarios: Scenario[], context: ServiceContext): Promise<ServiceRun> {
  const server = await startVariant(variant, context, await findFreePort());
  try {
    const results = new Map<ScenarioId, ScenarioRun>();
    for (const scenario of scenarios) {
      await checkFullPage(server.url, scenario);
      const cpu = cpuSampler(server.pid);
      const result = await measureLoad(server.url, scenario.request, context.settings, cpu.sample);
      const perRequest = cpu.perRequest(result.total);
      results.set(scenario.id, {
        ...result,
        peakRssBytes: readProcStatusBytes(server.pid, 'VmHWM'),
        serverCpuMsPerRequest: perRequest.server,
        databaseCpuMsPerRequest: perRequest.database,
      });
      context.log(
        `  ${variant.label}, ${scenario.id}: ${result.requestsPerSecond.toFixed(0)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, ` +
          `CPU per request ${perRequest.server?.toFixed(2)} ms server, ${perRequest.database?.toFixed(2)} ms PostgreSQL`,
      );
    }
    return { variant, pid: server.pid, results };
  } finally {
    await server.stop();
  }
}
