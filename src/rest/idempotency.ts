import { createHash } from 'node:crypto';
import type { Db } from '../db/client.ts';
import {
  deleteIdempotencyReservation,
  findIdempotencyKey,
  IDEMPOTENCY_KEY_TTL_HOURS,
  type IdempotencyReservation,
  insertIdempotencyReservation,
  type StoredIdempotencyKey,
  saveIdempotentResponse,
  takeOverStaleIdempotencyKey,
} from '../db/queries/idempotency.ts';
import { currentRequestScope } from '../http/request-scope.ts';
import type { Logger } from '../logger.ts';
import { invalidRequest, RestError } from './errors.ts';
import type { RestResult } from './execute.ts';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
/** Matches the `idempotency_keys_key_length` check constraint. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

// A reservation can vanish between the statements of one attempt (its request failed and
// released it); a few attempts cover that race without looping forever.
const RESERVE_ATTEMPTS = 3;

/** Reads the Idempotency-Key header: undefined when absent, an error when empty or too long. */
export function readIdempotencyKey(request: Request): string | undefined {
  const key = request.headers.get(IDEMPOTENCY_KEY_HEADER);
  if (key === null) return undefined;
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_MAX_LENGTH) {
    throw invalidRequest(
      IDEMPOTENCY_KEY_HEADER,
      `Invalid ${IDEMPOTENCY_KEY_HEADER} header of ${key.length} characters: expected 1 to ${IDEMPOTENCY_KEY_MAX_LENGTH} characters, e.g. a UUID.`,
    );
  }
  return key;
}

/** Hashes what makes two requests the same request: method, path and the SHA-256 of the body. */
export function hashRequest(method: string, path: string, body: Uint8Array): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return createHash('sha256').update(`${method.toUpperCase()} ${path}\n${bodyHash}`).digest('hex');
}

const inProgress = () =>
  new RestError(
    'IDEMPOTENCY_IN_PROGRESS',
    `A request with this ${IDEMPOTENCY_KEY_HEADER} is still being processed: retry after it has finished.`,
    {
      param: IDEMPOTENCY_KEY_HEADER,
      headers: { 'Retry-After': '1' },
    },
  );

const reusedForAnotherRequest = () =>
  new RestError(
    'IDEMPOTENCY_KEY_REUSED',
    `This ${IDEMPOTENCY_KEY_HEADER} was already used in the last ${IDEMPOTENCY_KEY_TTL_HOURS} hours for a different request (method, path or body): send a new key with each new request.`,
    { param: IDEMPOTENCY_KEY_HEADER },
  );

/** Reserves the key for this request; returns the live row instead when another request owns it. */
async function reserve(db: Db, reservation: IdempotencyReservation): Promise<StoredIdempotencyKey | undefined> {
  for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt += 1) {
    if (await insertIdempotencyReservation(db, reservation)) return undefined;
    if (await takeOverStaleIdempotencyKey(db, reservation)) return undefined;
    const existing = await findIdempotencyKey(db, reservation);
    if (existing) return existing;
  }
  throw inProgress();
}

function replay(stored: StoredIdempotencyKey, requestHash: string): RestResult {
  if (stored.requestHash !== requestHash) throw reusedForAnotherRequest();
  if (stored.responseStatus === null) throw inProgress();

  const scope = currentRequestScope();
  if (scope) scope.replayed = true;
  return { status: stored.responseStatus, body: stored.responseBody, headers: { [IDEMPOTENT_REPLAYED_HEADER]: 'true' } };
}

/** Deletes this request's reservation. A failure is logged, not raised, because the request already has its outcome. */
async function release(db: Db, logger: Logger, reservation: IdempotencyReservation): Promise<void> {
  try {
    await deleteIdempotencyReservation(db, reservation);
  } catch (error) {
    const requestId = currentRequestScope()?.requestId;
    logger.error(
      { err: error, requestId, apiKeyId: reservation.apiKeyId },
      'failed to delete an idempotency reservation; it blocks its key until it is abandoned',
    );
  }
}

/**
 * Runs `work` under an Idempotency-Key of one API key. Within IDEMPOTENCY_KEY_TTL_HOURS a repeat
 * of the same request gets the stored response with `Idempotent-Replayed: true`, another request
 * under the same key gets 422, and a repeat while the first still runs gets 409. Only successful
 * results are stored: when `work` throws, the reservation is deleted so a retry runs `work` again.
 * A reservation still running after IDEMPOTENCY_RESERVATION_TIMEOUT_SECONDS counts as abandoned,
 * so a slower `work` can run twice.
 */
export async function runIdempotent(
  services: { db: Db; logger: Logger },
  reservation: IdempotencyReservation,
  work: () => Promise<RestResult>,
): Promise<RestResult> {
  const { db, logger } = services;
  const stored = await reserve(db, reservation);
  if (stored) return replay(stored, reservation.requestHash);

  let result: RestResult;
  try {
    result = await work();
  } catch (error) {
    await release(db, logger, reservation);
    throw error;
  }

  try {
    const saved = await saveIdempotentResponse(db, reservation, result.status, result.body);
    if (!saved) {
      const requestId = currentRequestScope()?.requestId;
      logger.warn({ requestId, apiKeyId: reservation.apiKeyId }, 'idempotency reservation was taken over before its response was stored');
    }
  } catch (error) {
    // The caller still gets its response; a retry with the key then runs again instead of replaying.
    const requestId = currentRequestScope()?.requestId;
    logger.error(
      { err: error, requestId, apiKeyId: reservation.apiKeyId },
      'failed to store an idempotent response; deleting the reservation',
    );
    await release(db, logger, reservation);
  }
  return result;
}
