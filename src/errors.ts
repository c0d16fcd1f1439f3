import { GraphQLError } from 'graphql';

/**
 * The one error catalogue: each entry gives the GraphQL `extensions.code`, the REST error
 * `type` and the HTTP status, so both surfaces report the same failure the same way.
 */
export const ERROR_CATALOGUE = {
  BAD_USER_INPUT: { restType: 'invalid_request_error', status: 400 },
  UNAUTHENTICATED: { restType: 'authentication_error', status: 401 },
  FORBIDDEN: { restType: 'authorization_error', status: 403 },
  NOT_FOUND: { restType: 'not_found', status: 404 },
  IDEMPOTENCY_IN_PROGRESS: { restType: 'idempotency_error', status: 409 },
  LENGTH_REQUIRED: { restType: 'invalid_request_error', status: 411 },
  PAYLOAD_TOO_LARGE: { restType: 'invalid_request_error', status: 413 },
  IDEMPOTENCY_KEY_REUSED: { restType: 'idempotency_error', status: 422 },
  RATE_LIMITED: { restType: 'rate_limit_error', status: 429 },
  INTERNAL_SERVER_ERROR: { restType: 'api_error', status: 500 },
  DATABASE_UNAVAILABLE: { restType: 'api_error', status: 503 },
} as const;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface ApiErrorOptions {
  /** The request parameter or GraphQL argument at fault, e.g. `limit` or `first`. */
  param?: string;
  /** Extra response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
}

/** Creates a user-facing error that Yoga's masking lets through with its code and status. */
export function apiError(code: ErrorCode, message: string, options: ApiErrorOptions = {}): GraphQLError {
  const entry = ERROR_CATALOGUE[code];
  return new GraphQLError(message, {
    extensions: {
      code,
      ...(options.param === undefined ? {} : { param: options.param }),
      http: { status: entry.status, ...(options.headers ? { headers: options.headers } : {}) },
    },
  });
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && value in ERROR_CATALOGUE;
}

export const notFound = (kind: 'job' | 'file', id: string) =>
  apiError('NOT_FOUND', `No ${kind} with id ${JSON.stringify(id)} exists for this API key's organization.`);

export const badInput = (param: string, message: string) => apiError('BAD_USER_INPUT', message, { param });
