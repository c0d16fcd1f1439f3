/**
 * The floor of the list-files benchmark: a hand-written node:http server that serves
 * GET /v1/jobs/{job_id}/files with the gateway's REST shape and nothing else. Per request it sends
 * one SQL query for the page (keyset, same partial index as the gateway) and one for the page's
 * keyframes, signs every URL with one `sign` call on the gateway's own object store, and
 * serializes with JSON.stringify. It skips what the gateway adds: authentication, rate limiting,
 * GraphQL parsing, validation and execution, DataLoaders, metrics and request logs.
 *
 * Environment: the gateway's variables (DATABASE_URL, HOST, PORT, S3_*, SIGNED_URL_CACHE_MAX_ENTRIES)
 * plus FLOOR_SIGNING=off to return each object's storage key in place of a signed URL.
 * Run: node --import tsx scripts/bench/minimal-handler.ts   (the benchmark starts it itself)
 */
import http from 'node:http';
import postgres from 'postgres';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { formatCapturedAt } from '../../src/media/captured-at.ts';
import { decodeCursor, encodeCursor, MIN_SCORE, PAGE_SIZE } from '../../src/schema/pagination.ts';
import { createObjectStore } from '../../src/storage/index.ts';
import type { ObjectStore, SignRequest } from '../../src/storage/types.ts';

const KEYFRAME_CONTENT_TYPE = 'image/png';
const LIST_PATH = /^\/v1\/jobs\/([^/]+)\/files$/;

interface FileRecord {
  id: string;
  job_id: string;
  submission_id: string;
  content_type: string;
  size_bytes: string;
  duration_seconds: number | null;
  width: number | null;
  height: number | null;
  content_hash: string;
  captured_at: Date | null;
  captured_at_local: Date | null;
  captured_at_offset_minutes: number | null;
  ai_star_rating: number;
  device_model: string | null;
  device_os: string | null;
  app_version: string | null;
  worker_region: string | null;
  annotations: unknown;
  storage_key: string;
  created_at: Date;
}

interface KeyframeRecord {
  file_id: string;
  index: number;
  timestamp_seconds: number;
  width: number;
  height: number;
  storage_key: string;
}

interface PageQuery {
  jobId: string;
  minScore: number;
  limit: number;
  cursor: string | null;
}

class BadRequest extends Error {}

function readInteger(params: URLSearchParams, name: string, min: number, max: number, fallback: number): number {
  const raw = params.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new BadRequest(`Invalid ${name}: expected an integer from ${min} to ${max}.`);
  return value;
}

function parseQuery(url: URL, jobId: string): PageQuery {
  return {
    jobId,
    minScore: readInteger(url.searchParams, 'min_score', MIN_SCORE.min, MIN_SCORE.max, MIN_SCORE.default),
    limit: readInteger(url.searchParams, 'limit', 1, PAGE_SIZE.max, PAGE_SIZE.default),
    cursor: url.searchParams.get('cursor'),
  };
}

async function readPage(sql: postgres.Sql, query: PageQuery): Promise<FileRecord[]> {
  // The score is a validated integer written as a literal, as the gateway does, so the planner picks its partial index.
  const rating = `ai_star_rating >= ${query.minScore}`;
  if (query.cursor === null) {
    return sql.unsafe<FileRecord[]>(
      `SELECT * FROM files WHERE job_id = $1 AND ${rating} ORDER BY created_at, id LIMIT $2`,
      [query.jobId, query.limit + 1],
      {
        prepare: true,
      },
    );
  }
  let after: { createdAt: Date; id: string };
  try {
    after = decodeCursor('cursor', query.cursor, query.jobId);
  } catch {
    throw new BadRequest(`Invalid cursor ${JSON.stringify(query.cursor.slice(0, 80))}: pass next_cursor of a previous page of this job.`);
  }
  return sql.unsafe<FileRecord[]>(
    `SELECT * FROM files WHERE job_id = $1 AND ${rating} AND (created_at, id) > ($2::timestamptz, $3) ORDER BY created_at, id LIMIT $4`,
    [query.jobId, after.createdAt.toISOString(), after.id, query.limit + 1],
    { prepare: true },
  );
}

function groupKeyframes(frames: KeyframeRecord[]): Map<string, KeyframeRecord[]> {
  const byFile = new Map<string, KeyframeRecord[]>();
  for (const frame of frames) {
    const list = byFile.get(frame.file_id);
    if (list) list.push(frame);
    else byFile.set(frame.file_id, [frame]);
  }
  return byFile;
}

type DownloadUrl = { url: string; expiresAt: string | null };

/** Returns URL and expiry for each request, in order: signed by the store, or the bare key when signing is off. */
async function urlsFor(store: ObjectStore | undefined, requests: SignRequest[]): Promise<DownloadUrl[]> {
  if (!store) return requests.map((request) => ({ url: request.key, expiresAt: null }));
  const signed = await store.sign(requests);
  return signed.map((entry) => ({ url: entry.url, expiresAt: entry.expiresAt.toISOString() }));
}

/** Maps a row to the REST File object. `nextUrl` returns the URLs in the order they were requested. */
function toRestFile(row: FileRecord, frames: KeyframeRecord[] | undefined, nextUrl: () => DownloadUrl) {
  const file = nextUrl();
  const keyframes = row.content_type.startsWith('video/') ? (frames ?? []) : null;
  return {
    object: 'file',
    id: row.id,
    job_id: row.job_id,
    submission_id: row.submission_id,
    content_type: row.content_type,
    size_bytes: Number(row.size_bytes),
    duration_seconds: row.duration_seconds,
    width: row.width,
    height: row.height,
    content_hash: row.content_hash,
    captured_at: formatCapturedAt({
      capturedAt: row.captured_at,
      capturedAtLocal: row.captured_at_local,
      capturedAtOffsetMinutes: row.captured_at_offset_minutes,
    }),
    ai_star_rating: row.ai_star_rating,
    device_info: { device_model: row.device_model, device_os: row.device_os, app_version: row.app_version },
    worker_region: row.worker_region,
    download_url: file.url,
    download_url_expires_at: file.expiresAt,
    annotations: row.annotations ?? null,
    keyframes:
      keyframes?.map((frame) => {
        const signed = nextUrl();
        return {
          index: frame.index,
          timestamp_seconds: frame.timestamp_seconds,
          width: frame.width,
          height: frame.height,
          download_url: signed.url,
          download_url_expires_at: signed.expiresAt,
        };
      }) ?? null,
    created_at: row.created_at.toISOString(),
  };
}

async function listFiles(sql: postgres.Sql, store: ObjectStore | undefined, query: PageQuery) {
  const rows = await readPage(sql, query);
  const hasMore = rows.length > query.limit;
  const page = rows.slice(0, query.limit);

  const videoIds = page.filter((row) => row.content_type.startsWith('video/')).map((row) => row.id);
  const frames =
    videoIds.length === 0
      ? []
      : await sql<KeyframeRecord[]>`SELECT * FROM keyframes WHERE file_id = ANY(${videoIds}) ORDER BY file_id, index`;
  const framesByFile = groupKeyframes(frames);

  // One sign call for the whole page, files and keyframes, in the order toRestFile consumes them.
  const requests: SignRequest[] = [];
  for (const row of page) {
    requests.push({ key: row.storage_key, contentType: row.content_type });
    for (const frame of framesByFile.get(row.id) ?? []) requests.push({ key: frame.storage_key, contentType: KEYFRAME_CONTENT_TYPE });
  }
  const urls = await urlsFor(store, requests);
  let position = 0;
  const nextUrl = () => urls[position++] ?? { url: '', expiresAt: null };
  const data = page.map((row) => toRestFile(row, framesByFile.get(row.id), nextUrl));

  const last = page.at(-1);
  const nextCursor = hasMore && last ? encodeCursor(query.jobId, { createdAt: last.created_at, id: last.id }) : null;
  return { object: 'list', data, has_more: hasMore, next_cursor: nextCursor };
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.databaseUrl)
    throw new Error('DATABASE_URL is missing: set it to a postgres:// URL, because the floor handler reads PostgreSQL only.');
  const logger = createLogger(config.logLevel);
  const signing = process.env.FLOOR_SIGNING !== 'off';
  const sql = postgres(config.databaseUrl, { max: 10, onnotice: () => {} });
  const store = signing ? await createObjectStore(config, logger) : undefined;

  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://floor.internal');
    if (url.pathname === '/healthz') return send(response, 200, { status: 'ok' });
    const match = LIST_PATH.exec(url.pathname);
    if (request.method !== 'GET' || !match?.[1])
      return send(response, 404, { error: { type: 'not_found', message: 'The floor serves GET /v1/jobs/{job_id}/files only.' } });

    const rawJobId = match[1];
    Promise.resolve()
      .then(() => listFiles(sql, store, parseQuery(url, decodeURIComponent(rawJobId))))
      .then((body) => send(response, 200, body))
      .catch((error: unknown) => {
        if (error instanceof BadRequest) return send(response, 400, { error: { type: 'invalid_request', message: error.message } });
        logger.error({ err: error, jobId: rawJobId, query: url.search }, 'floor handler failed to list files');
        send(response, 500, { error: { type: 'internal', message: 'The floor handler failed to list files: see its log.' } });
      });
  });
  await new Promise<void>((resolve) => server.listen(config.port, config.host, () => resolve()));

  const stop = () => {
    server.close();
    server.closeAllConnections();
    void Promise.all([sql.end({ timeout: 5 }), store?.close()]).then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

await main();
