import { currentRequestScope } from '../http/request-scope.ts';
import type { GraphQLServer } from '../http/yoga.ts';
import type { AppServices } from '../schema/context.ts';
import { type GraphQLErrorPayload, RestError, restErrorFromGraphQL } from './errors.ts';

/** Any URL on the GraphQL endpoint's path works: the request never leaves the process. */
const INTERNAL_GRAPHQL_URL = 'http://internal/graphql';

/** Response headers of the GraphQL execution that the REST response keeps: the 401 challenge and a 503's retry delay. */
const FORWARDED_HEADERS = ['www-authenticate', 'retry-after'];

export interface OperationResult<TData> {
  data: TData | null;
  errors: GraphQLErrorPayload[];
  /** The forwarded headers that the execution set. */
  headers: Record<string, string>;
}

export type ExecuteOperation = <TData>(
  request: Request,
  document: string,
  variables?: Record<string, unknown>,
) => Promise<OperationResult<TData>>;

/**
 * Creates the function that runs a fixed GraphQL operation on behalf of a REST request, through
 * the app's own Yoga server: the same context factory (authentication, loaders), execution and
 * error masking as /graphql. Only the caller's Authorization header is passed on.
 */
export function createOperationExecutor(graphql: () => GraphQLServer): ExecuteOperation {
  return async <TData>(request: Request, document: string, variables: Record<string, unknown> = {}) => {
    const headers = new Headers({ 'Content-Type': 'application/json', Accept: 'application/graphql-response+json' });
    const authorization = request.headers.get('authorization');
    if (authorization !== null) headers.set('Authorization', authorization);

    const internal = new Request(INTERNAL_GRAPHQL_URL, { method: 'POST', headers, body: JSON.stringify({ query: document, variables }) });
    const response = await graphql().fetch(internal);
    const text = await response.text();

    let payload: { data?: TData | null; errors?: GraphQLErrorPayload[] };
    try {
      payload = JSON.parse(text) as typeof payload;
    } catch {
      throw new Error(`GraphQL execution returned HTTP ${response.status} with a body that is not JSON`);
    }

    const forwarded: Record<string, string> = {};
    for (const name of FORWARDED_HEADERS) {
      const value = response.headers.get(name);
      if (value !== null) forwarded[name] = value;
    }
    return { data: payload.data ?? null, errors: payload.errors ?? [], headers: forwarded };
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
