/**
 * Bulk insertion of synthetic file and keyframe rows with `INSERT … SELECT … FROM generate_series`,
 * so a batch of 100,000 rows is one statement with a handful of bind parameters. The SQL runs on
 * PostgreSQL and on PGlite alike.
 *
 * Row number n (1, 2, 3, …) determines everything about a row:
 * - ids `file_01J` / `sub_01J` followed by n in uppercase hex padded to 23 characters: 26 valid
 *   Crockford base32 characters that sort in n order, so ids sort in created_at order;
 * - created_at = BENCH_EPOCH + n milliseconds, strictly increasing;
 * - every fourth file (n % 4 = 3) is a 15 s video with three keyframes, the rest are JPEG images;
 * - ai_star_rating = n % 5 + 1, so `min_score` 3 keeps exactly 3 files in 5;
 * - content_hash = SHA-256 of `files-gateway-bench-<n>`, with storage keys built as
 *   `fileObjectKey` and `keyframeObjectKey` build them.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';

/** created_at of row 0: 2025-01-01T00:00:00Z, in milliseconds since the epoch. */
export const BENCH_EPOCH_MS = Date.UTC(2025, 0, 1);

export const KEYFRAMES_PER_VIDEO = 3;

export interface RowTarget {
  organizationId: string;
  jobId: string;
}

/** Returns the file id of row `n`, as the SQL below builds it. */
export function benchFileId(n: number): string {
  return `file_01J${n.toString(16).toUpperCase().padStart(23, '0')}`;
}

/** Counts the videos among rows `first` to `last`, both included. */
export function countVideos(first: number, last: number): number {
  const upTo = (n: number) => (n < 3 ? 0 : Math.floor((n - 3) / 4) + 1);
  return upTo(last) - upTo(first - 1);
}

const hashOf = sql.raw(`encode(sha256(convert_to('files-gateway-bench-' || n, 'UTF8')), 'hex')`);
const objectKeyOf = sql.raw(`'files/' || substr(h.hash, 1, 2) || '/' || substr(h.hash, 3, 2) || '/' || h.hash`);

/** Inserts the file rows `first` to `last` (both included) into the target job. */
export async function insertFileRows(db: Db, target: RowTarget, first: number, last: number): Promise<void> {
  await db.execute(sql`
    INSERT INTO files (
      id, job_id, organization_id, submission_id, content_type, size_bytes, duration_seconds, width, height,
      content_hash, captured_at, captured_at_local, captured_at_offset_minutes, ai_star_rating,
      device_model, device_os, app_version, worker_region, annotations, storage_key, created_at
    )
    SELECT
      'file_01J' || lpad(upper(to_hex(n)), 23, '0'),
      ${target.jobId},
      ${target.organizationId},
      'sub_01J' || lpad(upper(to_hex(n)), 23, '0'),
      CASE WHEN n % 4 = 3 THEN 'video/mp4' ELSE 'image/jpeg' END,
      CASE WHEN n % 4 = 3 THEN 24000000 + n % 100000 ELSE 1800000 + n % 100000 END,
      CASE WHEN n % 4 = 3 THEN 15.0 END,
      CASE WHEN n % 4 = 3 THEN 1280 ELSE 1920 END,
      CASE WHEN n % 4 = 3 THEN 720 ELSE 1080 END,
      h.hash,
      h.created_at - interval '1 day',
      (h.created_at - interval '1 day') AT TIME ZONE 'UTC',
      0,
      n % 5 + 1,
      'Pixel 8', 'Android 14', '3.2.1', 'US-CA',
      jsonb_build_object('labels', jsonb_build_array('bench'), 'row', n),
      ${objectKeyOf},
      h.created_at
    FROM generate_series(${first}::int, ${last}::int) AS n
    CROSS JOIN LATERAL (
      SELECT ${hashOf} AS hash,
             timestamptz 'epoch' + (${BENCH_EPOCH_MS}::bigint + n) * interval '1 millisecond' AS created_at
    ) AS h
  `);
}

/** Inserts three keyframe rows for every video among the rows `first` to `last`. */
export async function insertKeyframeRows(db: Db, first: number, last: number): Promise<void> {
  await db.execute(sql`
    INSERT INTO keyframes (file_id, index, timestamp_seconds, width, height, storage_key)
    SELECT
      'file_01J' || lpad(upper(to_hex(n)), 23, '0'),
      i,
      15.0 * (i + 1) / 4,
      1280,
      720,
      ${objectKeyOf} || '.keyframe-' || i || '.png'
    FROM generate_series(${first}::int, ${last}::int) AS n
    CROSS JOIN LATERAL (SELECT ${hashOf} AS hash) AS h
    CROSS JOIN generate_series(0, ${KEYFRAMES_PER_VIDEO - 1}) AS i
    WHERE n % 4 = 3
  `);
}

/** Inserts rows `first` to `last` of a job in batches of `batchSize`, reporting progress after each batch. */
export async function insertRowsInBatches(
  db: Db,
  target: RowTarget,
  range: { first: number; last: number; batchSize: number },
  onBatch?: (insertedUpTo: number) => void,
): Promise<void> {
  for (let start = range.first; start <= range.last; start += range.batchSize) {
    const end = Math.min(range.last, start + range.batchSize - 1);
    await insertFileRows(db, target, start, end);
    await insertKeyframeRows(db, start, end);
    onBatch?.(end);
  }
}
