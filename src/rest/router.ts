import { isDatabaseUnavailable } from '../db/errors.ts';
import { type FetchHandler, jsonResponse } from '../http/app.ts';
import { DATABASE_RETRY_AFTER_SECONDS } from '../http/graphql-errors.ts';
import { currentRequestScope } from '../http/request-scope.ts';
import type { GraphQLServer } from '../http/yoga.ts';
import type { AppServices } from '../schema/context.ts';
import { internalError, RestError } from './errors.ts';
import { createRestContext, type RestContext, type RestResult } from './execute.ts';
import { listJobFiles } from './list-files.ts';
import { buildOpenApiDocument } from './openapi.ts';
import { refreshFileUrl } from './refresh-url.ts';

interface Route {
  method: 'GET' | 'POST';
  /** The path as the API reference writes it; also the operation name in the request log. */
  template: string;
  /** Matches the whole path; the one capture group is the id segment, still percent-encoded. */
  pattern: RegExp;
  handle(context: RestContext, request: Request, id: string): Promise<RestResult>;
}

function createRoutes(): Route[] {
  // Built once: the document depends only on constants.
  const openApiDocument = buildOpenApiDocument();
  return [
    { method: 'GET', template: '/v1/jobs/{job_id}/files', pattern: /^\/v1\/jobs\/([^/]+)\/files$/, handle: listJobFiles },
    { method: 'POST', template: '/v1/files/{file_id}/refresh_url', pattern: /^\/v1\/files\/([^/]+)\/refresh_url$/, handle: refreshFileUrl },
    {
      method: 'GET',
      template: '/v1/openapi.json',
      pattern: /^\/v1\/openapi\.json$/,
      handle: async () => ({ status: 200, body: openApiDocument }),
    },
  ];
}

/** Decodes a percent-encoded path segment; a malformed escape is kept as sent and then matches no id. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function notFoundRoute(method: string, pathname: string): RestError {
  const shownPath = pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname;
  return new RestError(
    'NOT_FOUND',
    `No route for ${method} ${shownPath}: the REST API serves GET /v1/jobs/{job_id}/files, POST /v1/files/{file_id}/refresh_url and GET /v1/openapi.json.`,
  );
}

// NOTE: HEAD and OPTIONS get 405 like any other method. CORS_ORIGINS configures Yoga only, so a
// browser on another origin cannot call /v1 until this router handles CORS preflight requests.
function methodNotAllowed(method: string, route: Route): RestError {
  return new RestError('BAD_USER_INPUT', `Method ${method} is not allowed on ${route.template}: use ${route.method}.`, {
    status: 405,
    headers: { Allow: route.method },
  });
}

async function dispatch(context: RestContext, routes: Route[], request: Request): Promise<RestResult> {
  const { pathname } = new URL(request.url);
  for (const route of routes) {
    const match = route.pattern.exec(pathname);
    if (!match) continue;

    const scope = currentRequestScope();
    if (scope) scope.operation = `${route.method} ${route.template}`;
    if (request.method !== route.method) throw methodNotAllowed(request.method, route);
    return route.handle(context, request, decodeSegment(match[1] ?? ''));
  }
  throw notFoundRoute(request.method, pathname);
}

/** Logs an error that no handler expected and converts it to a 503 (database unreachable) or a 500. */
function unexpectedError(error: unknown, services: AppServices): RestError {
  const requestId = currentRequestScope()?.requestId;
  if (isDatabaseUnavailable(error)) {
    services.logger.error({ err: error, requestId }, 'database unavailable while serving a REST route');
    return new RestError('DATABASE_UNAVAILABLE', 'The database is unavailable: the request was not processed. Retry after a few seconds.', {
      headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  services.logger.error({ err: error, requestId }, 'unexpected error in a REST route');
  return internalError();
}

/**
 * Creates the fetch handler of the /v1 REST API. Each route runs a fixed GraphQL operation on the
 * app's Yoga server and maps the result to the REST shape. `graphql` is read at request time, so
 * the handler can be passed to `createApp`, which creates that server.
 */
export function createRestHandler(graphql: () => GraphQLServer, services: AppServices): FetchHandler {
  const context = createRestContext(graphql, services);
  const routes = createRoutes();

  return async (request) => {
    try {
      const result = await dispatch(context, routes, request);
      return jsonResponse(result.status, result.body, result.headers);
    } catch (error) {
      const restError = error instanceof RestError ? error : unexpectedError(error, services);
      return restError.toResponse();
    }
  };
}
