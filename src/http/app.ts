import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Response as NodeResponse } from '@whatwg-node/fetch';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors.ts';
import type { AppServices } from '../schema/context.ts';
import { createLocalDownloadHandler } from '../storage/index.ts';
import { createMetrics, routeOf } from './metrics.ts';
import { createRateLimiter } from './rate-limit.ts';
import { checkRequestBody } from './request-body.ts';
import { type RequestScope, runInRequestScope } from './request-scope.ts';
import { createGraphQLServer, type GraphiQLDefaults, type GraphQLServer } from './yoga.ts';

export type FetchHandler = (request: Request) => Promise<Response>;

export interface App {
  fetch: FetchHandler;
  graphql: GraphQLServer;
  /** Waits for the rate limiter's Redis connection, when there is one. */
  ready(): Promise<void>;
  /** Releases what the app holds besides the services (the rate limiter's Redis connection). */
  close(): Promise<void>;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/**
 * Builds a JSON response whose body is already encoded, because the node:http adapter writes such
 * a body in one call. It reads Node's own Response back through a stream and writes a string body
 * as a string, and both cost more CPU per 150 KB page in profiles.
 */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const bytes = Buffer.from(JSON.stringify(body));
  return new NodeResponse(bytes, { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });
}

/** Re-creates a GraphQL JSON response with its body encoded, as `jsonResponse` does; other responses pass unchanged. */
async function encodeJsonBody(response: Response): Promise<Response> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return response;
  // Yoga's Response hands back its encoded body as a Buffer already; copy only anything else.
  const body = await response.arrayBuffer();
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return new NodeResponse(bytes, { status: response.status, headers: response.headers });
}

export function errorBody(type: string, message: string, requestId: string) {
  return { error: { type, message, request_id: requestId } };
}

/** Compresses the GraphiQL page (about 9 MB of HTML) once and serves the gzip copy after that. */
function createHtmlCompressor() {
  let cached: { text: string; gzip: Uint8Array<ArrayBuffer> } | undefined;
  return async (request: Request, response: Response): Promise<Response> => {
    const type = response.headers.get('content-type') ?? '';
    if (!type.startsWith('text/html') || !/\bgzip\b/.test(request.headers.get('accept-encoding') ?? '')) return response;
    const text = await response.text();
    if (cached?.text !== text) cached = { text, gzip: new Uint8Array(gzipSync(text)) };
    const headers = new Headers(response.headers);
    headers.set('Content-Encoding', 'gzip');
    headers.set('Vary', 'Accept-Encoding');
    headers.delete('Content-Length');
    return new Response(cached.gzip, { status: response.status, headers });
  };
}

export interface AppOptions {
  graphiql?: GraphiQLDefaults;
  /** The /v1 handler; built by the caller because it executes operations on this app's GraphQL server. */
  rest?: FetchHandler;
}

/** Paths that spend the caller's rate-limit budget: every API operation, not health checks or downloads. */
const isMetered = (request: Request, pathname: string) =>
  pathname.startsWith('/v1/') ? pathname !== '/v1/openapi.json' : pathname === '/graphql' && !acceptsHtmlOnly(request);

function acceptsHtmlOnly(request: Request): boolean {
  return request.method === 'GET' && (request.headers.get('accept') ?? '').includes('text/html');
}

/** Builds the error response to a request rejected before routing, in the shape of the API it was sent to. */
function rejectionResponse(
  pathname: string,
  requestId: string,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): Response {
  const { status, restType } = ERROR_CATALOGUE[code];
  if (pathname.startsWith('/v1/')) return jsonResponse(status, errorBody(restType, message, requestId), headers);
  return jsonResponse(status, { errors: [{ message, extensions: { code } }] }, headers);
}

function rateLimitedResponse(pathname: string, requestId: string, headers: Record<string, string>): Response {
  const message = `Rate limit exceeded for this API key: retry after ${headers['Retry-After']} seconds.`;
  return rejectionResponse(pathname, requestId, 'RATE_LIMITED', message, headers);
}

export function createApp(services: AppServices, options: AppOptions = {}): App {
  const metrics = createMetrics(services);
  const graphql = createGraphQLServer(services, options.graphiql, { onDatabaseError: metrics.countDatabaseError });
  const downloads = services.store.driver === 'local' ? createLocalDownloadHandler(services.store) : undefined;
  const limiter = createRateLimiter(services.config, services.logger);
  const compressHtml = createHtmlCompressor();
  const { logger } = services;

  const route = async (request: Request, pathname: string, scope: RequestScope): Promise<Response> => {
    if (pathname === '/healthz') return jsonResponse(200, { status: 'ok' });
    if (pathname === '/readyz') return readiness(services);
    if (pathname === '/metrics')
      return new Response(await metrics.registry.metrics(), { headers: { 'Content-Type': metrics.registry.contentType } });
    if (pathname === '/graphql') return compressHtml(request, await encodeJsonBody(await graphql.handle(request, {})));
    if (downloads && pathname.startsWith('/objects/')) return downloads(request);
    if (options.rest && pathname.startsWith('/v1/')) return options.rest(request);
    const message = `No route for ${request.method} ${pathname}: the gateway serves /graphql, /v1/jobs/{job_id}/files, /v1/files/{file_id}/refresh_url, /v1/openapi.json, /healthz, /readyz and /metrics.`;
    return jsonResponse(404, errorBody(ERROR_CATALOGUE.NOT_FOUND.restType, message, scope.requestId));
  };

  const limitAndRoute = async (request: Request, pathname: string, scope: RequestScope): Promise<Response> => {
    const bodyProblem = checkRequestBody(request, pathname);
    if (bodyProblem) return rejectionResponse(pathname, scope.requestId, bodyProblem.code, bodyProblem.message);
    if (!isMetered(request, pathname)) return route(request, pathname, scope);
    const authorization = request.headers.get('authorization');
    const decision = await limiter.consume(authorization);
    if (!decision.allowed) return rateLimitedResponse(pathname, scope.requestId, decision.headers);
    const response = await route(request, pathname, scope);
    for (const [name, value] of Object.entries(decision.headers)) response.headers.set(name, value);
    // An idempotent replay costs nothing: give its token back and report the budget without it.
    if (scope.replayed) {
      await limiter.refund(authorization);
      response.headers.set('RateLimit-Remaining', String(Number(decision.headers['RateLimit-Remaining']) + 1));
    }
    return response;
  };

  const fetch: FetchHandler = async (request) => {
    const started = performance.now();
    const { pathname } = new URL(request.url);
    const clientRequestId = request.headers.get('request-id') ?? request.headers.get('x-request-id');
    const requestId = clientRequestId && REQUEST_ID_PATTERN.test(clientRequestId) ? clientRequestId : `req_${randomUUID()}`;
    const scope: RequestScope = { requestId };
    const response = await runInRequestScope(scope, () => limitAndRoute(request, pathname, scope));
    response.headers.set('Request-Id', scope.requestId);

    const seconds = (performance.now() - started) / 1000;
    metrics.observeRequest(routeOf(pathname), request.method, response.status, seconds);
    logger.info(
      {
        requestId: scope.requestId,
        method: request.method,
        route: routeOf(pathname),
        operation: scope.operation,
        status: response.status,
        durationMs: Math.round(seconds * 10_000) / 10,
        apiKeyId: scope.apiKeyId,
      },
      'request',
    );
    return response;
  };

  return { fetch, graphql, ready: () => limiter.ready(), close: () => limiter.close() };
}

async function readiness(services: AppServices): Promise<Response> {
  try {
    await services.database.ping();
    return jsonResponse(200, { status: 'ready', database: services.database.kind });
  } catch (error) {
    services.logger.warn({ err: error }, 'readiness check failed: the database did not respond');
    return jsonResponse(503, { status: 'unavailable', database: services.database.kind }, { 'Retry-After': '5' });
  }
}
