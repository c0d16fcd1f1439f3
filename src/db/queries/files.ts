import { and, asc, desc, eq, gte, inArray, sql, sum } from 'drizzle-orm';
import type { Db } from '../client.ts';
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
  // A literal (not a bind parameter) lets PostgreSQL match the partial index for this score.
  const ratingFilter = sql.raw(`"files"."ai_star_rating" >= ${query.minScore}`);
  const conditions = [eq(files.jobId, query.jobId), ratingFilter];
  if (query.after)
    conditions.push(sql`(${files.createdAt}, ${files.id}) > (${query.after.createdAt.toISOString()}::timestamptz, ${query.after.id})`);
  if (query.before)
    conditions.push(sql`(${files.createdAt}, ${files.id}) < (${query.before.createdAt.toISOString()}::timestamptz, ${query.before.id})`);

  const forward = query.direction === 'forward';
  const rows = await db
    .select()
    .from(files)
    .where(and(...conditions))
    .orderBy(...(forward ? [asc(files.createdAt), asc(files.id)] : [desc(files.createdAt), desc(files.id)]))
    .limit(query.limit + 1);

  const hasMore = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  if (!forward) page.reverse();
  return { rows: page, hasMore };
}

/** Counts a job's files rated at least `minScore`, from the per-rating counters. */
export async function countJobFiles(db: Db, jobId: string, minScore: number): Promise<number> {
  const [row] = await db
    .select({ total: sum(jobFileCounts.fileCount).mapWith(Number) })
    .from(jobFileCounts)
    .where(and(eq(jobFileCounts.jobId, jobId), gte(jobFileCounts.aiStarRating, minScore)));
  return row?.total ?? 0;
}

/** Loads files by id, limited to one organization: another organization's file is simply absent. */
export function findFilesByIds(db: Db, organizationId: string, ids: readonly string[]) {
  return db
    .select()
    .from(files)
    .where(and(eq(files.organizationId, organizationId), inArray(files.id, [...ids])));
}

export function findKeyframesByFileIds(db: Db, fileIds: readonly string[]): Promise<KeyframeRow[]> {
  return db
    .select()
    .from(keyframes)
    .where(inArray(keyframes.fileId, [...fileIds]))
    .orderBy(asc(keyframes.fileId), asc(keyframes.index));
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
