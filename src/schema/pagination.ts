import type { FilePageQuery, FilePosition } from '../db/queries/files.ts';
import { badInput } from '../errors.ts';
import { isId } from '../ids.ts';

/** Page-size rules shared by GraphQL (`first`/`last`) and REST (`limit`). */
export const PAGE_SIZE = { default: 20, max: 100 } as const;
export const MIN_SCORE = { default: 3, min: 1, max: 5 } as const;

const CURSOR_VERSION = '1';

/** Encodes a file's position as an opaque, URL-safe cursor bound to its job. */
export function encodeCursor(jobId: string, position: FilePosition): string {
  const raw = `${CURSOR_VERSION}:${jobId}:${position.createdAt.getTime()}:${position.id}`;
  return Buffer.from(raw, 'utf8').toString('base64url');
}

/** Decodes a cursor from `param`; a malformed cursor or one from another job is a BAD_USER_INPUT error. */
export function decodeCursor(param: string, cursor: string, jobId: string): FilePosition {
  const invalid = (reason: string) =>
    badInput(
      param,
      `Invalid ${param} ${JSON.stringify(cursor.slice(0, 80))}: ${reason}. Pass a cursor exactly as a previous page of this job returned it, or omit it to start from the first page.`,
    );

  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalid('it is not a base64url string');
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const [version, cursorJobId, millis, fileId] = parts;
  if (parts.length !== 4 || version !== CURSOR_VERSION || !cursorJobId || !millis || !fileId) throw invalid('it is not a files cursor');
  if (!/^\d{1,15}$/.test(millis) || !isId('file', fileId) || !isId('job', cursorJobId)) throw invalid('it is not a files cursor');
  if (cursorJobId !== jobId) throw invalid('it belongs to a different job');
  return { createdAt: new Date(Number(millis)), id: fileId };
}

function checkRange(param: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw badInput(param, `Invalid ${param}=${value}: expected an integer from ${min} to ${max}.`);
  }
}

export interface ConnectionArgs {
  first?: number | null;
  last?: number | null;
  after?: string | null;
  before?: string | null;
}

/** Validates Relay arguments into a page query; nothing is clamped, every bad value is an error. */
export function toFilePageQuery(jobId: string, minScore: number, args: ConnectionArgs): FilePageQuery {
  checkRange('minScore', minScore, MIN_SCORE.min, MIN_SCORE.max);
  const hasFirst = args.first !== null && args.first !== undefined;
  const hasLast = args.last !== null && args.last !== undefined;
  if (hasFirst && hasLast)
    throw badInput('first', 'Pass either first or last, not both: first pages forward from after, last pages backward from before.');
  if (hasFirst) checkRange('first', args.first as number, 0, PAGE_SIZE.max);
  if (hasLast) checkRange('last', args.last as number, 0, PAGE_SIZE.max);

  const after = args.after ? decodeCursor('after', args.after, jobId) : undefined;
  const before = args.before ? decodeCursor('before', args.before, jobId) : undefined;
  const direction = hasLast ? 'backward' : 'forward';
  let limit: number = PAGE_SIZE.default;
  if (hasFirst) limit = args.first as number;
  if (hasLast) limit = args.last as number;
  return { jobId, minScore, limit, direction, after, before };
}
