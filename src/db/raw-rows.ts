import { PGlite } from '@electric-sql/pglite';
import type postgres from 'postgres';
import type { Db } from './client.ts';
import { recordStatement } from './statement-counter.ts';

/** One result row keyed by column name, as the driver returns it. */
export type RawRow = Record<string, unknown>;

/**
 * Runs one SQL statement on the database behind `db` and returns its rows as the driver builds
 * them, without the query builder's per-column mapping (about a tenth of a list request's CPU in
 * profiles). On PostgreSQL the statement is prepared once per connection. Callers select only
 * types that both drivers return alike: text, integers, float8 and jsonb; timestamps are selected
 * as epoch milliseconds in float8 (see `epochMs`).
 */
export async function queryRows(db: Db, text: string, params: unknown[]): Promise<RawRow[]> {
  const client = (db as unknown as { $client: unknown }).$client;
  recordStatement();
  if (client instanceof PGlite) return (await client.query<RawRow>(text, params)).rows;
  return (client as postgres.Sql).unsafe<RawRow[]>(text, params as postgres.ParameterOrJSON<never>[], { prepare: true });
}

/**
 * SQL for a timestamp column as milliseconds since the epoch, in float8. For a column without time
 * zone it counts the wall-clock fields as UTC, which is how such values are held in a Date here.
 * `date_part` computes in float8, where `extract` would compute in numeric at several times the
 * cost per row; readers round the result to whole milliseconds.
 */
export const epochMs = (column: string) => `date_part('epoch', ${column}) * 1000`;

/** Reads a column selected with `epochMs`. */
export const dateOf = (value: unknown): Date => new Date(Math.round(value as number));

/** Reads a nullable column selected with `epochMs`. */
export const dateOrNull = (value: unknown): Date | null => (value === null ? null : dateOf(value));

/** Reads a jsonb column. Both drivers parse it, and a value that arrives as text is parsed here. */
export const jsonOrNull = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : (value ?? null));
