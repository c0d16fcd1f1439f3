import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ERROR_CATALOGUE } from '../errors.ts';
import { stripQuery } from '../logger.ts';
import type { AppServices } from '../schema/context.ts';
import { createLocalDownloadHandler } from '../storage/index.ts';
import { type GraphiQLDefaults, type GraphQLServer, createGraphQLServer } from './yoga.ts';
import { type RequestScope, runInRequestScope } from './request-scope.ts';

export type FetchHandler = (request: Request) => Promise<Response>;

export interface App {
  fetch: FetchHandler;
  graphql: GraphQLServer;
}

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers } });
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

export function createApp(services: AppServices, options: { graphiql?: GraphiQLDefaults; rest?: FetchHandler } = {}): App {
  const graphql = createGraphQLServer(services, options.graphiql);
  const downloads = services.store.driver === 'local' ? createLocalDownloadHandler(services.store) : undefined;
  const compressHtml = createHtmlCompressor();
  const { logger } = services;

  const route = async (request: Request, scope: RequestScope): Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === '/healthz') return jsonResponse(200, { status: 'ok' });
    if (pathname === '/readyz') return readiness(services);
    if (pathname === '/graphql') return compressHtml(request, await graphql.handle(request, {}));
    if (downloads && pathname.startsWith('/objects/')) return downloads(request);
    if (options.rest && pathname.startsWith('/v1/')) return options.rest(request);
    const message = `No route for ${request.method} ${pathname}: the gateway serves /graphql, /v1/jobs/{job_id}/files and /v1/files/{file_id}/refresh_url.`;
    return jsonResponse(404, errorBody(ERROR_CATALOGUE.NOT_FOUND.restType, message, scope.requestId));
  };

  const fetch: FetchHandler = async (request) => {
    const started = performance.now();
    const given = request.headers.get('request-id') ?? request.headers.get('x-request-id');
    const scope: RequestScope = { requestId: given && REQUEST_ID_PATTERN.test(given) ? given : `req_${randomUUID()}` };
    const response = await runInRequestScope(scope, () => route(request, scope));
    response.headers.set('Request-Id', scope.requestId);
    logger.info(
      {
        requestId: scope.requestId,
        method: request.method,
        path: stripQuery(new URL(request.url).pathname),
        operation: scope.operation,
        status: response.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        apiKeyId: scope.apiKeyId,
      },
      'request',
    );
    return response;
  };

  return { fetch, graphql };
}

async function readiness(services: AppServices): Promise<Response> {
  try {
    await services.database.ping();
    return jsonResponse(200, { status: 'ready', database: services.database.kind });
  } catch (error) {
    services.logger.warn({ err: error }, 'readiness check failed: the database does not answer');
    return jsonResponse(503, { status: 'unavailable', database: services.database.kind }, { 'Retry-After': '5' });
  }
}
