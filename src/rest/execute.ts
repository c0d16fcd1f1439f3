import { currentRequestScope } from '../http/request-scope.ts';
import type { GraphQLServer } from '../http/yoga.ts';
import type { AppServices } from '../schema/context.ts';
import { type GraphQLErrorPayload, RestError, restErrorFromGraphQL } from './errors.ts';

/** Error extension headers that the REST response keeps: the 401 challenge and a 503's retry delay. */
const FORWARDED_HEADERS = new Set(['www-authenticate', 'retry-after']);

export interface OperationResult<TData> {
  data: TData | null;
  errors: GraphQLErrorPayload[];
  /** The forwarded headers that the errors carry. */
  headers: Record<string, string>;
}

export type ExecuteOperation = <TData>(
  request: Request,
  document: string,
  variables?: Record<string, unknown>,
) => Promise<OperationResult<TData>>;

/** Collects the forwarded headers that errors ask for in `extensions.http.headers`, as Yoga would send them. */
function forwardedHeaders(errors: readonly GraphQLErrorPayload[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const error of errors) {
    const http = error.extensions?.http as { headers?: Record<string, string> } | undefined;
    for (const [name, value] of Object.entries(http?.headers ?? {})) {
      if (FORWARDED_HEADERS.has(name.toLowerCase())) headers[name] = value;
    }
  }
  return headers;
}

/**
 * Creates the function that runs a fixed GraphQL operation on behalf of a REST request, on the
 * app's own Yoga server: the same context factory (authentication, loaders), plugins, execution
 * and error masking as /graphql. The operation runs in-process on the REST request itself, so its
 * result reaches the REST mapping as values, without a JSON round trip.
 */
export function createOperationExecutor(graphql: () => GraphQLServer): ExecuteOperation {
  return async <TData>(request: Request, document: string, variables: Record<string, unknown> = {}) => {
    const result = await graphql().getResultForParams({ params: { query: document, variables }, request }, {});
    if (!result || Symbol.asyncIterator in result) throw new Error('a fixed REST operation returned a stream instead of one result');

    const errors: GraphQLErrorPayload[] = (result.errors ?? []).map((error) => ({
      message: error.message,
      ...(error.path ? { path: error.path } : {}),
      ...(error.extensions ? { extensions: error.extensions as Record<string, unknown> } : {}),
    }));
    return { data: (result.data as TData | null | undefined) ?? null, errors, headers: forwardedHeaders(errors) };
  };
}

/** A successful REST response before rendering; failures are thrown as RestError. */
export interface RestResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Services and execution helpers shared by every REST handler. */
export interface RestContext {
  services: AppServices;
  /** Runs the operation and returns its data, or throws the REST error for its first error. */
  query<TData>(
    request: Request,
    document: string,
    variables?: Record<string, unknown>,
  ): Promise<{ data: TData; headers: Record<string, string> }>;
  /** Authenticates the caller through the GraphQL context factory and returns the API key id. */
  authenticate(request: Request): Promise<string>;
  /**
   * Runs a parser of path, query or header input. When it rejects the input, the caller is
   * authenticated first, so a request without a valid key gets 401 or 403 whatever its parameters.
   */
  parseInput<T>(request: Request, parse: () => T | Promise<T>): Promise<T>;
}

// Selects nothing, so executing it costs only the context factory's API key lookup.
const AUTHENTICATE_OPERATION = 'query RestAuthenticate { __typename }';

export function createRestContext(graphql: () => GraphQLServer, services: AppServices): RestContext {
  const execute = createOperationExecutor(graphql);

  const query: RestContext['query'] = async <TData>(request: Request, document: string, variables?: Record<string, unknown>) => {
    const result = await execute<TData>(request, document, variables);
    if (result.errors.length > 0) throw restErrorFromGraphQL(result.errors, result.headers, services.logger);
    if (result.data === null) throw new Error('GraphQL execution returned neither data nor errors');
    return { data: result.data, headers: result.headers };
  };

  const authenticate = async (request: Request) => {
    await query(request, AUTHENTICATE_OPERATION);
    const apiKeyId = currentRequestScope()?.apiKeyId;
    if (!apiKeyId) throw new Error('missing API key id in the request scope after successful authentication');
    return apiKeyId;
  };

  const parseInput = async <T>(request: Request, parse: () => T | Promise<T>) => {
    try {
      return await parse();
    } catch (error) {
      if (error instanceof RestError) await authenticate(request);
      throw error;
    }
  };

  return { services, query, authenticate, parseInput };
}
