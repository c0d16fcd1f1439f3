import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type CapturedAt, parseIsoDateTime } from '../media/captured-at.ts';
import type { DeviceInfo } from '../media/device.ts';

/**
 * One manifest line: values that override what ingest extracts from the file. A field that is
 * absent or JSON `null` is not given, so the extracted value (or a generated id) is used.
 */
export interface ManifestEntry {
  /** 1-based line number in the manifest file. */
  line: number;
  /** Absolute path of the media file. */
  path: string;
  submissionId?: string;
  aiStarRating?: number;
  /** Replaces the extracted device as a whole: fields it leaves out are stored as unknown. */
  deviceInfo?: DeviceInfo;
  annotations?: z.infer<ReturnType<typeof z.json>>;
  capturedAt?: CapturedAt;
  workerRegion?: string;
}

/** Manifest entries by absolute path. */
export type Manifest = Map<string, ManifestEntry>;

/** A manifest that cannot be used; the message names the file and line. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

const optionalText = (max: number) => z.string().trim().min(1, 'expected a non-empty string').max(max).nullish();

const lineSchema = z
  .object({
    path: z.string().min(1, 'expected a non-empty path'),
    submission_id: optionalText(200),
    ai_star_rating: z
      .number()
      .int('expected an integer from 1 to 5')
      .min(1, 'expected an integer from 1 to 5')
      .max(5, 'expected an integer from 1 to 5')
      .nullish(),
    device_info: z
      .object({ device_model: optionalText(200), device_os: optionalText(200), app_version: optionalText(200) })
      .strict()
      .nullish(),
    annotations: z.json().nullish(),
    captured_at: z.string().nullish(),
    worker_region: z
      .string()
      .regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, 'expected an ISO 3166-1 country code such as "US" or an ISO 3166-2 subdivision such as "US-CA"')
      .nullish(),
  })
  // Unknown keys are rejected, so a misspelt field ("rating") is reported instead of ignored.
  .strict();

type ManifestLine = z.infer<typeof lineSchema>;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message)).join('; ');
}

function toEntry(parsed: ManifestLine, line: number, baseDir: string, fail: (message: string) => never): ManifestEntry {
  const entry: ManifestEntry = { line, path: path.resolve(baseDir, parsed.path) };
  if (parsed.submission_id) entry.submissionId = parsed.submission_id;
  if (parsed.ai_star_rating != null) entry.aiStarRating = parsed.ai_star_rating;
  if (parsed.device_info) {
    entry.deviceInfo = {
      deviceModel: parsed.device_info.device_model ?? null,
      deviceOs: parsed.device_info.device_os ?? null,
      appVersion: parsed.device_info.app_version ?? null,
    };
  }
  if (parsed.annotations != null) entry.annotations = parsed.annotations;
  if (parsed.captured_at != null) {
    const capturedAt = parseIsoDateTime(parsed.captured_at);
    if (!capturedAt) {
      fail(
        `captured_at: expected an ISO 8601 date-time such as 2022-08-14T14:12:31+03:00, 2021-01-02T17:42:46Z or 2015-06-11T10:29:26, got ${JSON.stringify(parsed.captured_at)}`,
      );
    }
    entry.capturedAt = capturedAt;
  }
  if (parsed.worker_region) entry.workerRegion = parsed.worker_region;
  return entry;
}

/**
 * Parses a JSON Lines manifest. Relative paths resolve against `baseDir` (the manifest's own
 * folder), so a manifest stays valid when it moves together with its media. Blank lines are
 * skipped; any other line that is not a valid entry raises a ManifestError naming it.
 */
export function parseManifest(text: string, baseDir: string, label = 'manifest'): Manifest {
  const manifest: Manifest = new Map();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const fail = (message: string): never => {
      throw new ManifestError(`Invalid ${label} line ${line}: ${message}.`);
    };
    if (raw.trim() === '') continue;

    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (error) {
      fail(`not valid JSON (${(error as Error).message})`);
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('expected a JSON object with at least a "path" field');
    const parsed = lineSchema.safeParse(json);
    if (!parsed.success) fail(describeIssues(parsed.error));

    const entry = toEntry(parsed.data as ManifestLine, line, baseDir, fail);
    const earlier = manifest.get(entry.path);
    if (earlier) fail(`path ${entry.path} is already listed on line ${earlier.line}`);
    manifest.set(entry.path, entry);
  }
  return manifest;
}

/** Reads and parses a manifest file; see `parseManifest`. */
export async function readManifest(manifestPath: string): Promise<Manifest> {
  let text: string;
  try {
    text = await fs.readFile(manifestPath, 'utf8');
  } catch (error) {
    throw new ManifestError(`Cannot read manifest ${manifestPath}: ${(error as Error).message}.`);
  }
  return parseManifest(text, path.dirname(path.resolve(manifestPath)), `manifest ${manifestPath}`);
}
