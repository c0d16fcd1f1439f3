import { GraphQLError } from 'graphql';
import { isDatabaseUnavailable } from '../db/errors.ts';
import { apiError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { currentRequestScope } from './request-scope.ts';

/** Seconds a client should wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

export function databaseUnavailable(): GraphQLError {
  return apiError('DATABASE_UNAVAILABLE', 'The database is unavailable: the request was not processed. Retry after a few seconds.', {
    headers: { 'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS) },
  });
}

// Yoga labels parse and validation failures itself; they are bad input like any other.
const YOGA_REQUEST_ERROR_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED']);

/**
 * Decides what a caller sees of an error. Catalogue errors pass unchanged. graphql-js's own
 * errors (syntax, validation, query limits, variable coercion) become BAD_USER_INPUT. Database
 * outages become DATABASE_UNAVAILABLE. Anything else is logged once and shown as a generic error.
 */
export function createMaskError(logger: Logger, onDatabaseError: () => void = () => {}) {
  return (error: unknown, message: string): Error => {
    const original = error instanceof GraphQLError ? error.originalError : error;
    if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) {
      const source = original instanceof GraphQLError ? original : error;
      const code = source.extensions?.code;
      if (code && !YOGA_REQUEST_ERROR_CODES.has(String(code))) return error;
      return new GraphQLError(error.message, {
        nodes: error.nodes,
        positions: error.positions,
        source: error.source,
        path: error.path,
        extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } },
      });
    }

    const requestId = currentRequestScope()?.requestId;
    if (isDatabaseUnavailable(original)) {
      onDatabaseError();
      logger.error({ err: original, requestId }, 'database unavailable while serving a GraphQL operation');
      return databaseUnavailable();
    }
    logger.error({ err: original, requestId }, 'unexpected error while executing a GraphQL operation');
    return apiError('INTERNAL_SERVER_ERROR', `${message} Quote request id ${requestId ?? 'unknown'} when reporting it.`);
  };
}
