import { IDEMPOTENCY_KEY_TTL_HOURS } from '../db/queries/idempotency.ts';
import { ERROR_CATALOGUE, type ErrorCode } from '../errors.ts';
import { MAX_REQUEST_BODY_BYTES } from '../http/request-body.ts';
import { MIN_SCORE } from '../schema/pagination.ts';
import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENCY_KEY_MAX_LENGTH, IDEMPOTENT_REPLAYED_HEADER } from './idempotency.ts';
import { LIMIT } from './list-files.ts';
import { buildSchemas, type JsonObject, ref } from './openapi-schemas.ts';

const integerHeader = (description: string) => ({ description, schema: { type: 'integer', minimum: 0 } });

function buildHeaders(): JsonObject {
  return {
    RequestId: { description: 'Id of this request; quote it when reporting a problem.', schema: { type: 'string' } },
    IdempotentReplayed: {
      description: `Present when the response is the stored one of an earlier request with the same ${IDEMPOTENCY_KEY_HEADER}.`,
      schema: { type: 'string', const: 'true' },
    },
    RateLimitLimit: integerHeader('Requests allowed in the current window.'),
    RateLimitRemaining: integerHeader('Requests left in the current window.'),
    RateLimitReset: integerHeader('Seconds until the window resets.'),
    RetryAfter: integerHeader('Seconds to wait before retrying.'),
    WWWAuthenticate: { description: 'The Bearer authentication challenge.', schema: { type: 'string' } },
    Allow: { description: 'The methods the path accepts.', schema: { type: 'string' } },
  };
}

function buildParameters(): JsonObject {
  const path = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
  const integerQuery = (name: string, description: string, bounds: { min: number; max: number; default: number }) => ({
    name,
    in: 'query',
    required: false,
    description,
    schema: { type: 'integer', minimum: bounds.min, maximum: bounds.max, default: bounds.default },
  });
  return {
    JobId: path('job_id', 'Job id, e.g. job_01JQ…'),
    FileId: path('file_id', 'File id, e.g. file_01JQ…'),
    MinScore: integerQuery('min_score', 'Minimum AI star rating.', MIN_SCORE),
    Limit: integerQuery('limit', 'Maximum number of files on the page.', LIMIT),
    Cursor: {
      name: 'cursor',
      in: 'query',
      required: false,
      description: 'next_cursor of the previous page.',
      schema: { type: 'string', minLength: 1 },
    },
    IdempotencyKey: {
      name: IDEMPOTENCY_KEY_HEADER,
      in: 'header',
      required: false,
      description: `Repeating a request with the same key within ${IDEMPOTENCY_KEY_TTL_HOURS} hours returns the stored response instead of running it again.`,
      schema: { type: 'string', minLength: 1, maxLength: IDEMPOTENCY_KEY_MAX_LENGTH },
    },
  };
}

const ERROR_DESCRIPTIONS: Record<ErrorCode, string> = {
  BAD_USER_INPUT: 'Invalid parameter or header; `param` names it.',
  UNAUTHENTICATED: 'Missing, malformed, unknown or revoked API key.',
  FORBIDDEN: 'The API key lacks the jobs:read scope.',
  NOT_FOUND: "No such id in the API key's organization.",
  IDEMPOTENCY_IN_PROGRESS: 'A request with the same Idempotency-Key is still running.',
  IDEMPOTENCY_KEY_REUSED: 'The Idempotency-Key was used for a different request.',
  LENGTH_REQUIRED: 'A request body was sent in chunks without Content-Length.',
  PAYLOAD_TOO_LARGE: `The request body is larger than ${MAX_REQUEST_BODY_BYTES} bytes.`,
  RATE_LIMITED: 'Too many requests.',
  INTERNAL_SERVER_ERROR: 'The server failed; retry later.',
  DATABASE_UNAVAILABLE: 'The database is unavailable; retry later.',
};

// The app's rate limiter sets these on every /v1 response except the OpenAPI document.
const RATE_LIMIT_HEADERS = {
  'RateLimit-Limit': ref('headers', 'RateLimitLimit'),
  'RateLimit-Remaining': ref('headers', 'RateLimitRemaining'),
  'RateLimit-Reset': ref('headers', 'RateLimitReset'),
};

function errorResponse(description: string, headers: JsonObject = {}): JsonObject {
  return {
    description,
    headers: { 'Request-Id': ref('headers', 'RequestId'), ...RATE_LIMIT_HEADERS, ...headers },
    content: { 'application/json': { schema: ref('schemas', 'Error') } },
  };
}

function buildErrorResponses(): JsonObject {
  const responses: JsonObject = {};
  for (const [code, entry] of Object.entries(ERROR_CATALOGUE) as Array<[ErrorCode, (typeof ERROR_CATALOGUE)[ErrorCode]]>) {
    const headers: JsonObject = {};
    if (code === 'UNAUTHENTICATED') headers['WWW-Authenticate'] = ref('headers', 'WWWAuthenticate');
    if (code === 'RATE_LIMITED' || code === 'IDEMPOTENCY_IN_PROGRESS' || code === 'DATABASE_UNAVAILABLE')
      headers['Retry-After'] = ref('headers', 'RetryAfter');
    responses[code] = errorResponse(`${entry.restType}: ${ERROR_DESCRIPTIONS[code]}`, headers);
  }
  responses.METHOD_NOT_ALLOWED = errorResponse('invalid_request_error: the path does not accept this method.', {
    Allow: ref('headers', 'Allow'),
  });
  return responses;
}

/** Responses keyed by status, for the given catalogue codes plus 405. */
function errorResponsesFor(codes: readonly ErrorCode[]): JsonObject {
  const byStatus: JsonObject = { '405': ref('responses', 'METHOD_NOT_ALLOWED') };
  for (const code of codes) byStatus[String(ERROR_CATALOGUE[code].status)] = ref('responses', code);
  return byStatus;
}

function successResponse(description: string, schema: string, headers: JsonObject = {}): JsonObject {
  return {
    description,
    headers: { 'Request-Id': ref('headers', 'RequestId'), ...RATE_LIMIT_HEADERS, ...headers },
    content: { 'application/json': { schema: ref('schemas', schema) } },
  };
}

const COMMON_ERRORS: ErrorCode[] = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
  'DATABASE_UNAVAILABLE',
];

function buildPaths(): JsonObject {
  return {
    '/v1/jobs/{job_id}/files': {
      get: {
        operationId: 'listJobFiles',
        summary: 'List approved files for a job',
        description: 'Files rated at least min_score, oldest first, by cursor pages.',
        parameters: ['JobId', 'MinScore', 'Limit', 'Cursor'].map((name) => ref('parameters', name)),
        responses: { '200': successResponse('One page of files.', 'FileList'), ...errorResponsesFor(COMMON_ERRORS) },
      },
    },
    '/v1/files/{file_id}/refresh_url': {
      post: {
        operationId: 'refreshFileUrl',
        summary: 'Refresh the download URL of a file',
        description: 'Signs a new download URL with the full lifetime. Keyframe URLs are refreshed by listing the job again.',
        parameters: ['FileId', 'IdempotencyKey'].map((name) => ref('parameters', name)),
        responses: {
          '200': successResponse('The new URL.', 'RefreshedUrl', { [IDEMPOTENT_REPLAYED_HEADER]: ref('headers', 'IdempotentReplayed') }),
          ...errorResponsesFor([
            ...COMMON_ERRORS,
            'IDEMPOTENCY_IN_PROGRESS',
            'IDEMPOTENCY_KEY_REUSED',
            'LENGTH_REQUIRED',
            'PAYLOAD_TOO_LARGE',
          ]),
        },
      },
    },
    '/v1/openapi.json': {
      get: {
        operationId: 'getOpenApiDocument',
        summary: 'This OpenAPI document',
        security: [],
        responses: { '200': { description: 'The document.', content: { 'application/json': { schema: { type: 'object' } } } } },
      },
    },
  };
}

/** Builds the OpenAPI 3.1 document of the REST API from the constants the handlers enforce. */
export function buildOpenApiDocument(): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'files-gateway REST API',
      version: '1.0.0',
      description: 'Approved files of data-collection jobs. Every route is executed through the same resolvers as /graphql.',
    },
    security: [{ bearerAuth: [] }],
    paths: buildPaths(),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'An API key `fh_live_…` with the jobs:read scope.' },
      },
      schemas: buildSchemas(),
      parameters: buildParameters(),
      headers: buildHeaders(),
      responses: buildErrorResponses(),
    },
  };
}
