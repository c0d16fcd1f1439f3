import { and, eq, gte, sum } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { dateOf, dateOrNull, epochMs, jsonOrNull, queryRows, type RawRow } from '../raw-rows.ts';
import { type FileRow, files, jobFileCounts, type KeyframeRow, keyframes } from '../schema.ts';

/** Position of a file in a job's listing: creation time, then id to break ties. */
export interface FilePosition {
  createdAt: Date;
  id: string;
}

export interface FilePageQuery {
  jobId: string;
  /** Validated integer 1-5. */
  minScore: number;
  /** Rows to return; the query reads one more to learn whether the page continues. */
  limit: number;
  /** Forward pages start after `after`; backward pages end before `before`. */
  direction: 'forward' | 'backward';
  after?: FilePosition;
  before?: FilePosition;
}

export interface FilePage {
  rows: FileRow[];
  /** True when more rows exist beyond the page in the direction of travel. */
  hasMore: boolean;
}

/**
 * Reads one page of a job's files in creation order by keyset: the cost is the same on the
 * first page and the thousandth, and files inserted between pages are neither skipped nor
 * repeated (they sort after every existing cursor).
 */
export async function listJobFilesPage(db: Db, query: FilePageQuery): Promise<FilePage> {
  if (!Number.isInteger(query.minScore) || query.minScore < 1 || query.minScore > 5) {
    throw new RangeError(`minScore must be an integer from 1 to 5, got ${query.minScore}`);
  }
  const params: unknown[] = [query.jobId, query.limit + 1];
  if (query.after) params.push(query.after.createdAt.toISOString(), query.after.id);
  if (query.before) params.push(query.before.createdAt.toISOString(), query.before.id);
  const rows = await queryRows(db, pageSql(query), params);

  const hasMore = rows.length > query.limit;
  const page = rows.slice(0, query.limit).map(toFileRow);
  if (query.direction === 'backward') page.reverse();
  return { rows: page, hasMore };
}

// Every column of `files`; timestamps as epoch milliseconds, so both drivers return numbers.
const FILE_COLUMNS = [
  'id',
  'job_id',
  'organization_id',
  'submission_id',
  'content_type',
  'size_bytes::float8 as size_bytes',
  'duration_seconds',
  'width',
  'height',
  'content_hash',
  `${epochMs('captured_at')} as captured_at_ms`,
  `${epochMs('captured_at_local')} as captured_at_local_ms`,
  'captured_at_offset_minutes',
  'ai_star_rating',
  'device_model',
  'device_os',
  'app_version',
  'worker_region',
  'annotations',
  'storage_key',
  `${epochMs('created_at')} as created_at_ms`,
].join(', ');

const pageSqlCache = new Map<string, string>();

/**
 * Returns the SQL of a page query, one text per shape (score, direction, cursors), so PostgreSQL
 * prepares each shape once per connection. Parameters: $1 job id, $2 row limit, then the after
 * and before positions as (timestamp, id) pairs.
 */
function pageSql(query: FilePageQuery): string {
  const key = `${query.minScore}:${query.direction}:${query.after ? 'a' : ''}:${query.before ? 'b' : ''}`;
  let text = pageSqlCache.get(key);
  if (text === undefined) {
    // A literal (not a bind parameter) lets PostgreSQL match the partial index for this score.
    const conditions = ['job_id = $1', `ai_star_rating >= ${query.minScore}`];
    let next = 3;
    if (query.after) {
      conditions.push(`(created_at, id) > ($${next}::timestamptz, $${next + 1})`);
      next += 2;
    }
    if (query.before) conditions.push(`(created_at, id) < ($${next}::timestamptz, $${next + 1})`);
    const order = query.direction === 'forward' ? 'created_at, id' : 'created_at desc, id desc';
    text = `select ${FILE_COLUMNS} from files where ${conditions.join(' and ')} order by ${order} limit $2`;
    pageSqlCache.set(key, text);
  }
  return text;
}

function toFileRow(row: RawRow): FileRow {
  return {
    id: row.id as string,
    jobId: row.job_id as string,
    organizationId: row.organization_id as string,
    submissionId: row.submission_id as string,
    contentType: row.content_type as string,
    sizeBytes: row.size_bytes as number,
    durationSeconds: row.duration_seconds as number | null,
    width: row.width as number | null,
    height: row.height as number | null,
    contentHash: row.content_hash as string,
    capturedAt: dateOrNull(row.captured_at_ms),
    capturedAtLocal: dateOrNull(row.captured_at_local_ms),
    capturedAtOffsetMinutes: row.captured_at_offset_minutes as number | null,
    aiStarRating: row.ai_star_rating as number,
    deviceModel: row.device_model as string | null,
    deviceOs: row.device_os as string | null,
    appVersion: row.app_version as string | null,
    workerRegion: row.worker_region as string | null,
    annotations: jsonOrNull(row.annotations),
    storageKey: row.storage_key as string,
    createdAt: dateOf(row.created_at_ms),
  };
}

/** Counts a job's files rated at least `minScore`, from the per-rating counters. */
export async function countJobFiles(db: Db, jobId: string, minScore: number): Promise<number> {
  const [row] = await db
    .select({ total: sum(jobFileCounts.fileCount).mapWith(Number) })
    .from(jobFileCounts)
    .where(and(eq(jobFileCounts.jobId, jobId), gte(jobFileCounts.aiStarRating, minScore)));
  return row?.total ?? 0;
}

// `= any(array)` keeps one SQL text for every number of ids, so one prepared statement serves
// all batch sizes, where `in (...)` would need a statement per list length.
const FILES_BY_IDS_SQL = `select ${FILE_COLUMNS} from files where organization_id = $1 and id = any($2::text[])`;

/** Loads files by id, limited to one organization: another organization's file is simply absent. */
export async function findFilesByIds(db: Db, organizationId: string, ids: readonly string[]): Promise<FileRow[]> {
  const rows = await queryRows(db, FILES_BY_IDS_SQL, [organizationId, ids]);
  return rows.map(toFileRow);
}

const KEYFRAMES_SQL =
  'select file_id, index, timestamp_seconds, width, height, storage_key from keyframes where file_id = any($1::text[]) order by file_id, index';

export async function findKeyframesByFileIds(db: Db, fileIds: readonly string[]): Promise<KeyframeRow[]> {
  const rows = await queryRows(db, KEYFRAMES_SQL, [fileIds]);
  return rows.map((row) => ({
    fileId: row.file_id as string,
    index: row.index as number,
    timestampSeconds: row.timestamp_seconds as number,
    width: row.width as number,
    height: row.height as number,
    storageKey: row.storage_key as string,
  }));
}

export async function findFileByHash(db: Db, jobId: string, contentHash: string) {
  const [row] = await db
    .select({ id: files.id })
    .from(files)
    .where(and(eq(files.jobId, jobId), eq(files.contentHash, contentHash)));
  return row;
}

export type NewFile = typeof files.$inferInsert;
export type NewKeyframe = typeof keyframes.$inferInsert;

export type InsertFileResult = { status: 'created'; id: string } | { status: 'duplicate'; id: string };

/**
 * Inserts a file and its keyframes in one transaction. The same bytes in the same job are one
 * file: a conflict on (job_id, content_hash) returns the existing file's id as a duplicate.
 */
export async function insertFileWithKeyframes(db: Db, file: NewFile, frames: NewKeyframe[]): Promise<InsertFileResult> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(files)
      .values(file)
      .onConflictDoNothing({ target: [files.jobId, files.contentHash] })
      .returning({ id: files.id });
    if (inserted.length === 0) {
      const existing = await findFileByHash(tx as unknown as Db, file.jobId, file.contentHash);
      if (!existing) throw new Error(`file with hash ${file.contentHash} conflicted but could not be read back`);
      return { status: 'duplicate', id: existing.id };
    }
    if (frames.length > 0) await tx.insert(keyframes).values(frames);
    return { status: 'created', id: file.id as string };
  });
}
