import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { findFileByHash, insertFileWithKeyframes, type NewFile, type NewKeyframe } from '../db/queries/files.ts';
import { files } from '../db/schema.ts';
import { newId } from '../ids.ts';
import type { Logger } from '../logger.ts';
import { analyzeMedia, type MediaAnalysis, type MediaRejection, type RejectionCode } from '../media/analyze.ts';
import { type MediaBinaries, resolveMediaBinaries } from '../media/binaries.ts';
import { toCapturedAtColumns } from '../media/captured-at.ts';
import { extractKeyframes, type Keyframe } from '../media/keyframes.ts';
import { fileObjectKey, keyframeObjectKey } from '../storage/keys.ts';
import type { ObjectStore } from '../storage/types.ts';
import { collectInputFiles } from './inputs.ts';
import type { Manifest, ManifestEntry } from './manifest.ts';

export interface IngestResult {
  path: string;
  status: 'created' | 'duplicate' | 'rejected';
  /** The new file's id, or the existing one's for a duplicate; null when rejected. */
  fileId: string | null;
  error: { code: RejectionCode; message: string } | null;
}

export interface IngestOptions {
  db: Db;
  store: ObjectStore;
  jobId: string;
  /** The job's organization, copied onto every file row. */
  organizationId: string;
  /** Files and folders; with none, the manifest's paths are ingested. */
  inputs: readonly string[];
  /** Rating (1-5) for files whose manifest entry gives none. */
  defaultRating?: number;
  manifest?: Manifest;
  binaries?: MediaBinaries;
  logger?: Logger;
  /** Called once the inputs are expanded, before the first file, with the number of files. */
  onInputsCollected?: (total: number) => void;
  /** Called after each file, in input order. */
  onResult?: (result: IngestResult) => void;
}

type FileContext = Required<Pick<IngestOptions, 'db' | 'store' | 'jobId' | 'organizationId' | 'binaries'>> &
  Pick<IngestOptions, 'defaultRating' | 'logger'>;

const rejected = (filePath: string, rejection: Pick<MediaRejection, 'code' | 'message'>): IngestResult => ({
  path: filePath,
  status: 'rejected',
  fileId: null,
  error: { code: rejection.code, message: rejection.message },
});

/**
 * Ingests files into a job one at a time. Each file is analysed and checked against the job for
 * duplicates. Then its video keyframes are extracted, its objects written and its rows inserted
 * in one transaction. A rejected file leaves no row and no object of its own behind, and the
 * other files are still ingested.
 */
export async function ingestPaths(options: IngestOptions): Promise<IngestResult[]> {
  const rating = options.defaultRating;
  if (rating !== undefined && !(Number.isInteger(rating) && rating >= 1 && rating <= 5)) {
    throw new RangeError(`defaultRating must be an integer from 1 to 5, got ${rating}`);
  }
  const context: FileContext = { ...options, binaries: options.binaries ?? resolveMediaBinaries() };
  const filePaths = await collectInputFiles(options.inputs, options.manifest);
  warnUnmatchedManifestEntries(options, filePaths);
  options.onInputsCollected?.(filePaths.length);

  const results: IngestResult[] = [];
  for (const filePath of filePaths) {
    const entry = options.manifest?.get(path.resolve(filePath));
    let result: IngestResult;
    try {
      result = await ingestFile(context, filePath, entry);
    } catch (error) {
      options.logger?.error({ err: error, path: filePath, jobId: options.jobId }, 'ingest of a file failed');
      result = rejected(filePath, { code: 'ingest_failed', message: `Ingest failed: ${rootMessage(error)}` });
    }
    results.push(result);
    options.onResult?.(result);
  }
  return results;
}

/** Logs manifest entries that match none of the inputs: their values are not applied to any file. */
function warnUnmatchedManifestEntries(options: IngestOptions, filePaths: readonly string[]): void {
  if (!options.manifest || !options.logger) return;
  const inputs = new Set(filePaths.map((filePath) => path.resolve(filePath)));
  const unmatched = [...options.manifest.values()].filter((entry) => !inputs.has(entry.path));
  if (unmatched.length === 0) return;
  const lines = unmatched.slice(0, 10).map((entry) => entry.line);
  options.logger.warn({ count: unmatched.length, lines }, 'manifest entries match no input file and were ignored');
}

/** Returns the message of the error's cause when it has one, because drizzle wraps a database error in one that repeats the whole SQL statement. */
function rootMessage(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

async function ingestFile(context: FileContext, filePath: string, entry: ManifestEntry | undefined): Promise<IngestResult> {
  const rating = entry?.aiStarRating ?? context.defaultRating;
  if (rating === undefined) {
    return rejected(filePath, {
      code: 'missing_rating',
      message: 'No rating: give ai_star_rating in the manifest or --rating for all files.',
    });
  }

  const analysis = await analyzeMedia(filePath, { binaries: context.binaries });
  if (!analysis.ok) return rejected(filePath, analysis);
  for (const warning of analysis.warnings) context.logger?.warn({ path: filePath }, warning);

  // Same bytes in the same job: report the existing file before any keyframe work.
  const existing = await findFileByHash(context.db, context.jobId, analysis.contentHash);
  if (existing) return { path: filePath, status: 'duplicate', fileId: existing.id, error: null };

  let frames: Keyframe[] = [];
  if (analysis.kind === 'video' && analysis.keyframeSpanSeconds !== null) {
    const extracted = await extractKeyframes(filePath, analysis.keyframeSpanSeconds, context.binaries);
    if (!Array.isArray(extracted)) return rejected(filePath, extracted);
    frames = extracted;
  }

  const file = fileRow(context, analysis, rating, entry);
  const inserted = await storeAndInsert(context, filePath, analysis, file, frames);
  // A duplicate here lost a race with a concurrent ingest of the same bytes: the objects are shared with it.
  return { path: filePath, status: inserted.status, fileId: inserted.id, error: null };
}

/**
 * Writes the objects, then inserts the file and keyframe rows in one transaction. When either
 * step fails, the objects this call created are removed before the error propagates.
 */
async function storeAndInsert(context: FileContext, filePath: string, analysis: MediaAnalysis, file: NewFile, frames: Keyframe[]) {
  const keyframeRows: NewKeyframe[] = frames.map((frame) => ({
    fileId: file.id as string,
    index: frame.index,
    timestampSeconds: frame.timestampSeconds,
    width: frame.width,
    height: frame.height,
    storageKey: keyframeObjectKey(analysis.contentHash, frame.index),
  }));

  const written: string[] = [];
  try {
    await writeObjects(context.store, filePath, analysis, frames, written);
    return await insertFileWithKeyframes(context.db, file, keyframeRows);
  } catch (error) {
    await removeUnreferencedObjects(context, analysis.contentHash, written);
    throw error;
  }
}

function fileRow(context: FileContext, analysis: MediaAnalysis, rating: number, entry: ManifestEntry | undefined): NewFile {
  const device = entry?.deviceInfo ?? analysis.device;
  return {
    id: newId('file'),
    jobId: context.jobId,
    organizationId: context.organizationId,
    submissionId: entry?.submissionId ?? newId('submission'),
    contentType: analysis.contentType,
    sizeBytes: analysis.sizeBytes,
    durationSeconds: analysis.durationSeconds,
    width: analysis.width,
    height: analysis.height,
    contentHash: analysis.contentHash,
    ...toCapturedAtColumns(entry?.capturedAt ?? analysis.capturedAt),
    aiStarRating: rating,
    deviceModel: device?.deviceModel ?? null,
    deviceOs: device?.deviceOs ?? null,
    appVersion: device?.appVersion ?? null,
    workerRegion: entry?.workerRegion ?? analysis.region,
    annotations: entry?.annotations ?? null,
    storageKey: fileObjectKey(analysis.contentHash),
  };
}

/**
 * Writes the file and keyframe objects before any row exists, recording in `written` each key
 * that did not exist before, so a failure removes only what this ingest created.
 */
async function writeObjects(
  store: ObjectStore,
  filePath: string,
  analysis: MediaAnalysis,
  frames: Keyframe[],
  written: string[],
): Promise<void> {
  const fileKey = fileObjectKey(analysis.contentHash);
  if (!(await store.exists(fileKey))) {
    // The store checks the bytes against the hash in the key, so a file changed since hashing fails here.
    await store.put(fileKey, fs.createReadStream(filePath), analysis.contentType, analysis.sizeBytes);
    written.push(fileKey);
  }
  for (const frame of frames) {
    const key = keyframeObjectKey(analysis.contentHash, frame.index);
    if (await store.exists(key)) continue;
    await store.put(key, frame.png, 'image/png', frame.png.length);
    written.push(key);
  }
}

/**
 * Deletes objects this ingest wrote, unless a file row in any job now uses the same bytes (a
 * concurrent ingest of the same content may have committed meanwhile).
 */
async function removeUnreferencedObjects(context: FileContext, contentHash: string, written: readonly string[]): Promise<void> {
  if (written.length === 0) return;
  try {
    // NOTE: files has no index on content_hash alone, so this check scans (it runs only after a
    // failed insert). A concurrent ingest that reuses the object but has not committed yet is not seen.
    const [referenced] = await context.db.select({ id: files.id }).from(files).where(eq(files.contentHash, contentHash)).limit(1);
    if (referenced) return;
    for (const key of written) await context.store.delete(key);
  } catch (error) {
    context.logger?.error({ err: error, contentHash, objectCount: written.length }, 'could not remove the objects of a failed ingest');
  }
}
