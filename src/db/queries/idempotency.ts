import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { idempotencyKeys } from '../schema.ts';

/**
 * Hours a stored response is replayed; an older row counts as absent and is overwritten.
 * TODO: nothing deletes expired rows yet. They are overwritten only when their key is reused, so
 * a periodic delete by created_at (indexed by idempotency_keys_created_at_idx) is still needed.
 */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;

/**
 * Seconds after which a reservation that still has no response counts as abandoned (its process
 * died mid-request) and may be taken over, so a crash does not block the key for a whole day.
 */
export const IDEMPOTENCY_RESERVATION_TIMEOUT_SECONDS = 60;

/** Identifies one reservation: the API key, the Idempotency-Key value and the request it was made for. */
export interface IdempotencyReservation {
  apiKeyId: string;
  key: string;
  requestHash: string;
}

export interface StoredIdempotencyKey {
  requestHash: string;
  /** Null while the first request is still running. */
  responseStatus: number | null;
  responseBody: unknown;
}

// Both ages are constants of this module, so writing them into the SQL text is safe.
const expired = sql`${idempotencyKeys.createdAt} < now() - ${sql.raw(`interval '${IDEMPOTENCY_KEY_TTL_HOURS} hours'`)}`;
const abandoned = and(
  isNull(idempotencyKeys.responseStatus),
  sql`${idempotencyKeys.createdAt} < now() - ${sql.raw(`interval '${IDEMPOTENCY_RESERVATION_TIMEOUT_SECONDS} seconds'`)}`,
);

const rowOf = (target: { apiKeyId: string; key: string }) =>
  and(eq(idempotencyKeys.apiKeyId, target.apiKeyId), eq(idempotencyKeys.key, target.key));

/**
 * Inserts an in-progress row for the key. Returns false when a row for (api key, key) already
 * exists, whatever its state: ON CONFLICT DO NOTHING lets exactly one of two concurrent requests in.
 */
export async function insertIdempotencyReservation(db: Db, reservation: IdempotencyReservation): Promise<boolean> {
  const inserted = await db
    .insert(idempotencyKeys)
    .values(reservation)
    .onConflictDoNothing({ target: [idempotencyKeys.apiKeyId, idempotencyKeys.key] })
    .returning({ key: idempotencyKeys.key });
  return inserted.length > 0;
}

/**
 * Turns an expired or abandoned row into a fresh reservation for this request. Returns false when
 * the row is live. The age condition is evaluated again under the row lock, so of two concurrent
 * takeovers only the first matches.
 */
export async function takeOverStaleIdempotencyKey(db: Db, reservation: IdempotencyReservation): Promise<boolean> {
  const updated = await db
    .update(idempotencyKeys)
    .set({ requestHash: reservation.requestHash, responseStatus: null, responseBody: null, createdAt: sql`now()` })
    .where(and(rowOf(reservation), or(expired, abandoned)))
    .returning({ key: idempotencyKeys.key });
  return updated.length > 0;
}

/** Finds the live row of a key, or undefined when there is none. */
export async function findIdempotencyKey(db: Db, target: { apiKeyId: string; key: string }): Promise<StoredIdempotencyKey | undefined> {
  const [row] = await db
    .select({
      requestHash: idempotencyKeys.requestHash,
      responseStatus: idempotencyKeys.responseStatus,
      responseBody: idempotencyKeys.responseBody,
    })
    .from(idempotencyKeys)
    .where(and(rowOf(target), sql`not (${expired})`));
  return row;
}

/** Stores the response of a reserved request; returns false when the reservation is no longer this request's. */
export async function saveIdempotentResponse(db: Db, reservation: IdempotencyReservation, status: number, body: unknown): Promise<boolean> {
  const updated = await db
    .update(idempotencyKeys)
    .set({ responseStatus: status, responseBody: body })
    .where(and(rowOf(reservation), eq(idempotencyKeys.requestHash, reservation.requestHash), isNull(idempotencyKeys.responseStatus)))
    .returning({ key: idempotencyKeys.key });
  return updated.length > 0;
}

/** Deletes this request's in-progress reservation, so a retry with the same key can run. */
export async function deleteIdempotencyReservation(db: Db, reservation: IdempotencyReservation): Promise<void> {
  await db
    .delete(idempotencyKeys)
    .where(and(rowOf(reservation), eq(idempotencyKeys.requestHash, reservation.requestHash), isNull(idempotencyKeys.responseStatus)));
}
