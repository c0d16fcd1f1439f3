import autocannon from 'autocannon';

/** One HTTP request that autocannon repeats on every connection. */
export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadSettings {
  connections: number;
  warmUpSeconds: number;
  /** Seconds of one measured run; the list benchmark repeats it `rounds` times. */
  seconds: number;
  rounds: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  /** Latencies of 2xx responses, in milliseconds (autocannon records whole milliseconds). */
  p50Ms: number;
  p99Ms: number;
  total: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  statusCounts: Record<string, number>;
}

let current: autocannon.Instance | undefined;

/** Stops the autocannon run in progress, if any (for signal handlers). */
export function stopCurrentLoad(): void {
  current?.stop();
}

/** Runs autocannon against `baseUrl` and returns its result. Only http://127.0.0.1 targets are accepted. */
export async function runAutocannon(
  baseUrl: string,
  options: Omit<autocannon.Options, 'url'> & { duration: number },
): Promise<autocannon.Result> {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl))
    throw new Error(`Invalid load target ${baseUrl}: only http://127.0.0.1:<port> is allowed.`);
  current = autocannon({ url: baseUrl, timeout: 30, ...options });
  try {
    return await current;
  } finally {
    current = undefined;
  }
}

/**
 * Sends `request` for warmUpSeconds (discarded), then measures it for `seconds`. `onMeasured` is
 * called right before and right after the measured part, e.g. to read CPU counters.
 */
export async function measureLoad(
  baseUrl: string,
  request: LoadRequest,
  settings: LoadSettings,
  onMeasured: (moment: 'start' | 'end') => void = () => {},
): Promise<LoadResult> {
  // autocannon reads the path only inside `requests` and ignores a top-level `path`.
  const options = { requests: [request], connections: settings.connections };
  if (settings.warmUpSeconds > 0) await runAutocannon(baseUrl, { ...options, duration: settings.warmUpSeconds });
  onMeasured('start');
  const result = await runAutocannon(baseUrl, { ...options, duration: settings.seconds });
  onMeasured('end');

  const statusCounts: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats)) statusCounts[status] = stats.count;
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
    statusCounts,
  };
}
