import { and, asc, desc, eq, gte, sql, sum } from 'drizzle-orm';
import type { Db } from '../client.ts';
import { type FileRow, files, jobFileCounts, type KeyframeRow, keyframes } from '../schema.ts';
import { oncePerDatabase } from './prepared.ts';

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
  const rows = await pageStatement(db, query).execute({
    jobId: query.jobId,
    limit: query.limit + 1,
    afterCreatedAt: query.after?.createdAt.toISOString(),
    afterId: query.after?.id,
    beforeCreatedAt: query.before?.createdAt.toISOString(),
    beforeId: query.before?.id,
  });

  const hasMore = rows.length > query.limit;
  const page = rows.slice(0, query.limit);
  if (query.direction === 'backward') page.reverse();
  return { rows: page, hasMore };
}

/** The parts of a page query that change the SQL text. Everything else is a bind parameter. */
interface PageShape {
  minScore: number;
  direction: FilePageQuery['direction'];
  hasAfter: boolean;
  hasBefore: boolean;
}

type PageStatement = ReturnType<typeof preparePageStatement>;

// Up to 40 statements per database (5 scores, 2 directions, with or without each cursor),
// each prepared the first time a request needs it.
const pageStatementsOf = oncePerDatabase(() => new Map<string, PageStatement>());

function pageStatement(db: Db, query: FilePageQuery): PageStatement {
  const shape: PageShape = {
    minScore: query.minScore,
    direction: query.direction,
    hasAfter: query.after !== undefined,
    hasBefore: query.before !== undefined,
  };
  const name = `files_page_min${shape.minScore}_${shape.direction}${shape.hasAfter ? '_after' : ''}${shape.hasBefore ? '_before' : ''}`;
  const statements = pageStatementsOf(db);
  let statement = statements.get(name);
  if (!statement) {
    statement = preparePageStatement(db, name, shape);
    statements.set(name, statement);
  }
  return statement;
}

function preparePageStatement(db: Db, name: string, shape: PageShape) {
  // A literal (not a bind parameter) lets PostgreSQL match the partial index for this score,
  // in custom and generic plans alike.
  const ratingFilter = sql.raw(`"files"."ai_star_rating" >= ${shape.minScore}`);
  const conditions = [eq(files.jobId, sql.placeholder('jobId')), ratingFilter];
  if (shape.hasAfter) conditions.push(sql`(${files.createdAt}, ${files.id}) > ${cursorPosition('after')}`);
  if (shape.hasBefore) conditions.push(sql`(${files.createdAt}, ${files.id}) < ${cursorPosition('before')}`);

  const forward = shape.direction === 'forward';
  // A generic plan assumes that the `limit` parameter keeps 10 % of the rows, so it costs more than
  // a custom plan, and PostgreSQL 15 (default plan_cache_mode, 1M-file job) kept custom plans.
  // EXPLAIN EXECUTE showed the partial index in both kinds.
  return db
    .select()
    .from(files)
    .where(and(...conditions))
    .orderBy(...(forward ? [asc(files.createdAt), asc(files.id)] : [desc(files.createdAt), desc(files.id)]))
    .limit(sql.placeholder('limit'))
    .prepare(name);
}

function cursorPosition(side: 'after' | 'before') {
  return sql`(${sql.placeholder(`${side}CreatedAt`)}::timestamptz, ${sql.placeholder(`${side}Id`)})`;
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
const filesByIdsStatement = oncePerDatabase((db) =>
  db
    .select()
    .from(files)
    .where(and(eq(files.organizationId, sql.placeholder('organizationId')), sql`${files.id} = any(${sql.placeholder('ids')}::text[])`))
    .prepare('files_by_ids'),
);

/** Loads files by id, limited to one organization: another organization's file is simply absent. */
export function findFilesByIds(db: Db, organizationId: string, ids: readonly string[]): Promise<FileRow[]> {
  return filesByIdsStatement(db).execute({ organizationId, ids });
}

const keyframesByFileIdsStatement = oncePerDatabase((db) =>
  db
    .select()
    .from(keyframes)
    .where(sql`${keyframes.fileId} = any(${sql.placeholder('fileIds')}::text[])`)
    .orderBy(asc(keyframes.fileId), asc(keyframes.index))
    .prepare('keyframes_by_file_ids'),
);

export function findKeyframesByFileIds(db: Db, fileIds: readonly string[]): Promise<KeyframeRow[]> {
  return keyframesByFileIdsStatement(db).execute({ fileIds });
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
