import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AppServices } from '../schema/context.ts';

export interface Metrics {
  registry: Registry;
  observeRequest(route: string, method: string, status: number, seconds: number): void;
  countDatabaseError(): void;
}

/**
 * Creates the Prometheus metrics of one app. Each app has its own registry, so several apps in
 * one process (tests) never share counters.
 */
export function createMetrics(services: AppServices): Metrics {
  const registry = new Registry();
  const requests = new Counter({
    name: 'files_gateway_http_requests_total',
    help: 'HTTP requests by route, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'files_gateway_http_request_duration_seconds',
    help: 'HTTP request latency by route.',
    labelNames: ['route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const databaseErrors = new Counter({
    name: 'files_gateway_database_errors_total',
    help: 'Requests that failed because the database was unreachable.',
    registers: [registry],
  });
  const { store } = services;
  new Gauge({
    name: 'files_gateway_urls_signed_total',
    help: 'Download URLs signed since start-up (cache hits excluded).',
    registers: [registry],
    collect() {
      this.set(store.signCount);
    },
  });
  new Gauge({
    name: 'files_gateway_signed_url_cache',
    help: 'Signed-URL cache counters since start-up: hits (URLs served from the cache), misses (URLs signed because none was cached), evictions; and current entries.',
    labelNames: ['counter'] as const,
    registers: [registry],
    collect() {
      const stats = store.cacheStats();
      this.set({ counter: 'hits' }, stats.hits);
      this.set({ counter: 'misses' }, stats.misses);
      this.set({ counter: 'evictions' }, stats.evictions);
      this.set({ counter: 'entries' }, stats.entries);
    },
  });

  return {
    registry,
    observeRequest: (route, method, status, seconds) => {
      requests.inc({ route, method, status: String(status) });
      latency.observe({ route }, seconds);
    },
    countDatabaseError: () => databaseErrors.inc(),
  };
}

/** Collapses a path to its route, so ids never become metric labels. */
export function routeOf(pathname: string): string {
  if (pathname === '/graphql' || pathname === '/healthz' || pathname === '/readyz' || pathname === '/metrics') return pathname;
  if (/^\/v1\/jobs\/[^/]+\/files$/.test(pathname)) return '/v1/jobs/{job_id}/files';
  if (/^\/v1\/files\/[^/]+\/refresh_url$/.test(pathname)) return '/v1/files/{file_id}/refresh_url';
  if (pathname === '/v1/openapi.json') return pathname;
  if (pathname.startsWith('/objects/')) return '/objects/{key}';
  return 'unmatched';
}
