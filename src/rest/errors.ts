import { ERROR_CATALOGUE, type ErrorCode, isErrorCode } from '../errors.ts';
import { jsonResponse } from '../http/app.ts';
import { currentRequestScope } from '../http/request-scope.ts';
import type { Logger } from '../logger.ts';

/** GraphQL argument names and the REST query parameters they stand for. */
const REST_PARAM_NAMES: Readonly<Record<string, string>> = {
  first: 'limit',
  after: 'cursor',
  minScore: 'min_score',
};

export interface RestErrorOptions {
  /** The query parameter or header at fault, in its REST spelling. */
  param?: string;
  /** Overrides the catalogue's status, e.g. 405 for an `invalid_request_error` on the wrong method. */
  status?: number;
  headers?: Record<string, string>;
}

/** A failure with a catalogue code, thrown by REST handlers and rendered once by the router. */
export class RestError extends Error {
  override name = 'RestError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: RestErrorOptions = {},
  ) {
    super(message);
  }

  get status(): number {
    return this.options.status ?? ERROR_CATALOGUE[this.code].status;
  }

  toResponse(): Response {
    const requestId = currentRequestScope()?.requestId ?? 'unknown';
    const { param, headers } = this.options;
    const error = {
      type: ERROR_CATALOGUE[this.code].restType,
      message: this.message,
      ...(param === undefined ? {} : { param }),
      request_id: requestId,
    };
    return jsonResponse(this.status, { error }, headers);
  }
}

export const invalidRequest = (param: string, message: string) => new RestError('BAD_USER_INPUT', message, { param });

export const internalError = () =>
  new RestError(
    'INTERNAL_SERVER_ERROR',
    'The server failed to complete the request. Retry it, and quote the request id if it keeps failing.',
  );

/** Returns the REST name of a GraphQL argument (`first` → `limit`); other names pass unchanged. */
export function restParamName(graphqlName: string): string {
  return REST_PARAM_NAMES[graphqlName] ?? graphqlName;
}

/** One error of a GraphQL response as Yoga sends it, after masking. */
export interface GraphQLErrorPayload {
  message: string;
  path?: ReadonlyArray<string | number>;
  extensions?: Record<string, unknown>;
}

/**
 * Converts the errors of a GraphQL response into the REST error of the first catalogued one:
 * its code gives the type and status, `extensions.param` the parameter in REST spelling. An
 * error without a catalogue code is a bug in a fixed operation: it is logged and shown as api_error.
 */
export function restErrorFromGraphQL(errors: readonly GraphQLErrorPayload[], headers: Record<string, string>, logger: Logger): RestError {
  const catalogued = errors.find((error) => isErrorCode(error.extensions?.code));
  const code = catalogued?.extensions?.code;
  if (!catalogued || !isErrorCode(code)) {
    logger.error(
      { errors, requestId: currentRequestScope()?.requestId },
      'GraphQL operation of a REST route failed without a catalogue code',
    );
    return internalError();
  }

  const param = catalogued.extensions?.param;
  return new RestError(code, catalogued.message, {
    ...(typeof param === 'string' ? { param: restParamName(param) } : {}),
    headers,
  });
}
