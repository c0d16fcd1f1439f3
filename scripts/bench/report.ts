/** Renders the benchmark's numbers and targets as Markdown tables. */
import type { CacheMemoryResult } from './cache-memory.ts';
import type { IngestBenchResult } from './ingest-bench.ts';
import type { LoadSettings } from './load.ts';
import { type DeepPage, MIN_SCORE, PAGE_LIMIT, type ScenarioCheck, type ScenarioId } from './scenarios.ts';
import type { ScenarioRun, ServiceId, ServiceRun } from './services.ts';

export interface PresignResult {
  /** The presign benchmark's own output lines, one per signing path. */
  lines: string[];
  /** Microseconds per URL of S3 presigning with the cache disabled. */
  s3Microseconds: number | undefined;
}

export interface BenchReport {
  environment: string;
  settings: LoadSettings;
  deep: DeepPage;
  checks: Map<ScenarioId, ScenarioCheck>;
  services: Map<ServiceId, ServiceRun>;
  s3Connections: number;
  presign: PresignResult;
  ingest: IngestBenchResult;
  cache: CacheMemoryResult;
}

const FULL_CACHE_URLS = 1_000_000;
const formatNumber = (value: number, digits = 0) =>
  value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const milliseconds = (value: number | undefined) => (value === undefined ? 'n/a' : `${formatNumber(value, 2)} ms`);
const megabytes = (bytes: number | undefined) => (bytes === undefined ? 'n/a' : `${formatNumber(bytes / 1024 / 1024)} MB`);
function yesNo(met: boolean | undefined): string {
  if (met === undefined) return 'n/a';
  return met ? 'yes' : '**no**';
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function run(report: BenchReport, service: ServiceId, scenario: ScenarioId): ScenarioRun | undefined {
  return report.services.get(service)?.results.get(scenario);
}

function loadTable(report: BenchReport): string {
  const rows: string[][] = [];
  for (const service of report.services.values()) {
    for (const [scenarioId, result] of service.results) {
      const statements = service.variant.kind === 'gateway' ? String(report.checks.get(scenarioId)?.statements ?? 'n/a') : '2 (by design)';
      rows.push([
        service.variant.label,
        scenarioId,
        formatNumber(result.requestsPerSecond),
        formatNumber(result.p50Ms),
        formatNumber(result.p99Ms),
        String(result.non2xx),
        String(result.errors),
        statements,
        milliseconds(result.serverCpuMsPerRequest),
        milliseconds(result.databaseCpuMsPerRequest),
        megabytes(result.peakRssBytes),
      ]);
    }
  }
  return table(
    [
      'server',
      'scenario',
      'req/s',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'errors',
      'SQL/request',
      'server CPU/request',
      'PostgreSQL CPU/request',
      'peak RSS (VmHWM)',
    ],
    rows,
  );
}

function otherTable(report: BenchReport): string {
  const { cache, ingest } = report;
  const cacheNote =
    cache.urls >= FULL_CACHE_URLS
      ? `${megabytes(cache.heapBytes)} at ${formatNumber(cache.urls)} URLs (${formatNumber(cache.bytesPerUrl)} B per URL)`
      : `${megabytes(cache.heapBytes)} at ${formatNumber(cache.urls)} URLs (${formatNumber(cache.bytesPerUrl)} B per URL); extrapolated to ${formatNumber(FULL_CACHE_URLS)}: ${megabytes(cache.bytesPerUrl * FULL_CACHE_URLS)}`;
  return table(
    ['measurement', 'value'],
    [
      ...report.presign.lines.map((line) => [
        `presign: ${line.replace(/\s+\S+ µs per URL$/, '').trim()}`,
        `${line.match(/([\d.]+) µs per URL$/)?.[1] ?? '?'} µs per URL`,
      ]),
      [
        'ingest: 40 JPEG images 1920x1080',
        `${formatNumber(ingest.imagesPerSecond, 1)} images/s (${formatNumber(ingest.imageSeconds, 2)} s)`,
      ],
      ['ingest: one 15 s 720p H.264 + AAC clip, keyframes included', `${formatNumber(ingest.videoSeconds, 2)} s per video`],
      [`signed-URL cache heap (S3 URLs${cache.gcExposed ? ', after gc()' : ', gc not exposed'})`, cacheNote],
      ['connections the S3 endpoint received', String(report.s3Connections)],
    ],
  );
}

function ratio(numerator: number | undefined, denominator: number | undefined): number | undefined {
  if (numerator === undefined || denominator === undefined || denominator === 0) return undefined;
  return numerator / denominator;
}

/** Formats a ratio of two throughputs or latencies, or n/a when a run is missing. */
const formatRatio = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)}×`);

function throughputTarget(report: BenchReport, name: string, service: ServiceId, floor: ServiceId, minimum: number): string[][] {
  return (['rest-first', 'rest-deep'] as const).map((scenario) => {
    const value = ratio(run(report, service, scenario)?.requestsPerSecond, run(report, floor, scenario)?.requestsPerSecond);
    return [`${name} (${scenario})`, formatRatio(value), yesNo(value === undefined ? undefined : value >= minimum)];
  });
}

function targetsTable(report: BenchReport): string {
  const rows: string[][] = [];
  for (const api of ['rest', 'graphql'] as const) {
    const first = run(report, 'gatewayWarm', `${api}-first`)?.p50Ms;
    const deep = run(report, 'gatewayWarm', `${api}-deep`)?.p50Ms;
    const value = ratio(deep, first);
    rows.push([
      `page ${formatNumber(report.deep.pagesSkipped + 1)} p50 ≤ 1.2 × first page p50 (${api}, cache on)`,
      `${deep} ms vs ${first} ms (${formatRatio(value)})`,
      yesNo(value === undefined ? undefined : value <= 1.2),
    ]);
  }

  const statements = [...report.checks.values()].map((check) => check.statements);
  rows.push(['≤ 4 SQL statements per list request', `max ${Math.max(...statements)}`, yesNo(Math.max(...statements) <= 4)]);
  const presign = report.presign.s3Microseconds;
  rows.push([
    '≤ 30 µs per S3 URL signed (cache disabled)',
    presign === undefined ? 'n/a' : `${presign} µs`,
    yesNo(presign === undefined ? undefined : presign <= 30),
  ]);

  rows.push(...throughputTarget(report, 'gateway ≥ 0.7 × floor, signing on, both caches on', 'gatewayWarm', 'floorSigned', 0.7));
  rows.push(...throughputTarget(report, 'warm re-list ≥ 0.6 × floor without signing', 'gatewayWarm', 'floorUnsigned', 0.6));
  rows.push(...throughputTarget(report, 'cold ≥ 0.7 × floor, signing on, both caches off', 'gatewayCold', 'floorSignedCold', 0.7));

  for (const page of ['first', 'deep'] as const) {
    const value = ratio(
      run(report, 'gatewayWarm', `graphql-${page}`)?.requestsPerSecond,
      run(report, 'gatewayWarm', `rest-${page}`)?.requestsPerSecond,
    );
    rows.push([
      `GraphQL req/s within 15 % of REST (${page} page, cache on)`,
      formatRatio(value),
      yesNo(value === undefined ? undefined : Math.abs(value - 1) <= 0.15),
    ]);
  }
  return table(['target', 'measured', 'met'], rows);
}

export function renderReport(report: BenchReport): string {
  const { settings, deep } = report;
  const responseSizes = [...report.checks].map(([id, check]) => `${id} ${formatNumber(check.responseBytes / 1024)} KB`).join(', ');
  return [
    '## files-gateway benchmark',
    '',
    report.environment,
    `Load: autocannon, ${settings.connections} connections, on 127.0.0.1. Every server runs at once; each server and scenario pair gets ${settings.warmUpSeconds} s of warm-up, then ${settings.rounds} rounds of ${settings.seconds} s interleaved with the other pairs. req/s, p50 and p99 are the medians of the rounds.`,
    `Pages of ${PAGE_LIMIT} files, min_score ${MIN_SCORE}. The deep page starts after ${formatNumber(deep.pagesSkipped)} full pages of the big job (${formatNumber(deep.matchingFiles)} files rated ${MIN_SCORE} or more). Response sizes: ${responseSizes}.`,
    'The floor serves REST only and sends 2 SQL statements per page; the gateway also authenticates the API key and loads the job.',
    'CPU per request is the CPU time of the server process, and of all PostgreSQL processes together, during the measured seconds divided by the responses (from /proc; the load generator runs on the same two cores).',
    "Peak RSS is the server process's VmHWM after each scenario: its peak since start-up, so it only grows across one server's rows.",
    '',
    loadTable(report),
    '',
    otherTable(report),
    '',
    targetsTable(report),
  ].join('\n');
}
