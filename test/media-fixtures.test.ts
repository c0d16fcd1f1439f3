import fs from 'node:fs';
import path from 'node:path';
import { asc, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type FileRow, files, keyframes } from '../src/db/schema.ts';
import type { IngestResult } from '../src/ingest/ingest.ts';
import { analyzeMedia } from '../src/media/analyze.ts';
import { formatCapturedAt, toCapturedAtColumns } from '../src/media/captured-at.ts';
import { fileObjectKey } from '../src/storage/keys.ts';
import { DRIVERS } from './helpers/databases.ts';
import { binaries, createTestJob, ingestInto, listObjects, useIngestEnvironment } from './helpers/media.ts';

const fixturesDir = process.env.FIXTURES_DIR;
if (!fixturesDir) {
  console.warn('FIXTURES_DIR is not set: the real-media fixture tests are skipped. Point it at the folder that holds expected.json.');
}

interface ExpectedFile {
  kind: 'image' | 'audio' | 'video' | 'invalid';
  sha256: string;
  size_bytes: number;
  mime: { by_content: string | null };
  width?: number;
  height?: number;
  duration_seconds?: number;
  captured_at?: string | null;
  region?: { country_code: string } | null;
  keyframes?: { timestamps_seconds: number[]; png_width: number; png_height: number };
}

const expected: Record<string, ExpectedFile> = fixturesDir
  ? JSON.parse(fs.readFileSync(path.join(fixturesDir, 'expected.json'), 'utf8')).files
  : {};

/** Inputs rejected, with the reason: truncation, no bytes, no media signature, 3GPP (not an allowed type). */
const REJECTED: Record<string, string> = {
  'bad-truncated.jpg': 'corrupt',
  'bad-zero-bytes.jpg': 'empty_file',
  'bad-text-named.mp4': 'unsupported_type',
  'video-3gp5-rotated-null-island.mp4': 'unsupported_type',
};

// libmagic's label for WAV; ingest keeps one name per type, the one file-type reports.
const CANONICAL_TYPES: Record<string, string> = { 'audio/x-wav': 'audio/wav' };

/** Subdivisions the fixture notes give with high confidence; a wrong one means a boundary or sign error. */
const SUBDIVISIONS: Record<string, string> = {
  'jpeg-canon600d-berkeley-us-ca.jpg': 'US-CA',
  'jpeg-dji-flir-new-jersey-us-nj.jpg': 'US-NJ',
  'jpeg-highsmith-gps-colorado-iptc-date-only.jpg': 'US-CO',
  'jpeg-nokia83-helsinki-fi-offset.jpg': 'FI-18',
  'video-flir-one-portrait-la.mp4': 'US-CA',
  'video-h264-aac-gps-nl.mp4': 'NL-OV',
  'webp-iphonex-exif-orientation6.webp': 'US-CA',
};

const acceptedNames = Object.keys(expected).filter((name) => !(name in REJECTED));
const allPaths = () => Object.keys(expected).map((name) => path.join(fixturesDir ?? '', name));

/** Returns the capture time ingest should store: expected.json's captured_at (mvhd creation time for videos). */
const expectedCapturedAt = (file: ExpectedFile) => file.captured_at ?? null;

describe.skipIf(!fixturesDir)('analyzeMedia on real fixtures', () => {
  it.each(acceptedNames)('describes %s', async (name) => {
    const file = expected[name] as ExpectedFile;
    const analysis = await analyzeMedia(path.join(fixturesDir ?? '', name), { binaries });
    if (!analysis.ok) throw new Error(`expected ${name} to be accepted, got ${analysis.code}: ${analysis.message}`);

    const byContent = file.mime.by_content ?? '';
    expect(analysis.contentType).toBe(CANONICAL_TYPES[byContent] ?? byContent);
    expect(analysis.sizeBytes).toBe(file.size_bytes);
    expect(analysis.contentHash).toBe(file.sha256);
    expect(analysis.width).toBe(file.kind === 'audio' ? null : file.width);
    expect(analysis.height).toBe(file.kind === 'audio' ? null : file.height);
    if (file.kind === 'image' || file.kind === 'invalid') expect(analysis.durationSeconds).toBeNull();
    else expect(Math.abs((analysis.durationSeconds ?? 0) - (file.duration_seconds ?? 0))).toBeLessThanOrEqual(0.05);
    expect(formatCapturedAt(toCapturedAtColumns(analysis.capturedAt))).toBe(expectedCapturedAt(file));
    expect(analysis.region?.slice(0, 2) ?? null).toBe(file.region?.country_code ?? null);
    if (SUBDIVISIONS[name]) expect(analysis.region).toBe(SUBDIVISIONS[name]);
  });

  it.each(Object.entries(REJECTED))('rejects %s as %s', async (name, code) => {
    const analysis = await analyzeMedia(path.join(fixturesDir ?? '', name), { binaries });
    expect(analysis.ok).toBe(false);
    if (analysis.ok) return;
    expect(analysis.code).toBe(code);
    expect(analysis.message).toMatch(/allowed|EOI/);
  });

  it('accepts a PNG named .jpg as image/png', async () => {
    const analysis = await analyzeMedia(path.join(fixturesDir ?? '', 'bad-png-with-jpg-ext.jpg'), { binaries });
    if (!analysis.ok) throw new Error(`bad-png-with-jpg-ext.jpg rejected: ${analysis.message}`);
    expect(analysis.contentType).toBe('image/png');
  });

  it('accepts animations at canvas size without duration', async () => {
    for (const name of ['webp-animated-lossy.webp', 'gif-animated-wave.gif', 'png-apng-beachball-alpha.png']) {
      const analysis = await analyzeMedia(path.join(fixturesDir ?? '', name), { binaries });
      if (!analysis.ok) throw new Error(`${name} rejected: ${analysis.message}`);
      expect([analysis.width, analysis.height]).toEqual([expected[name]?.width, expected[name]?.height]);
      expect(analysis.durationSeconds).toBeNull();
    }
  });
});

describe.skipIf(!fixturesDir).each(DRIVERS)('fixture ingest on %s', (driver) => {
  const environment = useIngestEnvironment(driver);

  const byName = (results: IngestResult[]) => new Map(results.map((result) => [path.basename(result.path), result]));
  const rowsOf = (jobId: string) => environment.handle.database.db.select().from(files).where(eq(files.jobId, jobId));

  it('ingests, deduplicates and shares objects across jobs', async () => {
    const db = environment.handle.database.db;
    const first = await createTestJob(environment, 'fixtures');
    const results = byName(await ingestInto(environment, first, allPaths()));

    for (const [name, code] of Object.entries(REJECTED)) {
      expect(results.get(name)?.status).toBe('rejected');
      expect(results.get(name)?.error?.code).toBe(code);
    }
    for (const name of acceptedNames) expect(results.get(name)?.status, name).toBe('created');

    const rows = await rowsOf(first.jobId);
    expect(rows).toHaveLength(acceptedNames.length);
    const rowByHash = new Map<string, FileRow>(rows.map((row) => [row.contentHash, row]));
    for (const name of Object.keys(REJECTED)) expect(rowByHash.has((expected[name] as ExpectedFile).sha256)).toBe(false);

    const videos = acceptedNames.filter((name) => expected[name]?.kind === 'video');
    const objects = listObjects(environment.dataDir);
    expect(objects).toHaveLength(acceptedNames.length + 3 * videos.length);
    for (const name of Object.keys(REJECTED)) {
      expect(objects.some((key) => key.includes((expected[name] as ExpectedFile).sha256))).toBe(false);
    }

    for (const name of acceptedNames) {
      const file = expected[name] as ExpectedFile;
      const row = rowByHash.get(file.sha256);
      if (!row) throw new Error(`no files row for ${name}`);
      expect(row.id).toBe(results.get(name)?.fileId);
      expect(row.storageKey).toBe(fileObjectKey(file.sha256));
      expect(formatCapturedAt(row), name).toBe(expectedCapturedAt(file));
      expect(row.workerRegion?.slice(0, 2) ?? null, name).toBe(file.region?.country_code ?? null);
      expect(row.aiStarRating).toBe(4);
      expect(row.submissionId).toMatch(/^sub_[0-9A-Z]{26}$/);
    }

    for (const name of videos) {
      const file = expected[name] as ExpectedFile;
      const fileId = rowByHash.get(file.sha256)?.id ?? '';
      const frames = await db.select().from(keyframes).where(eq(keyframes.fileId, fileId)).orderBy(asc(keyframes.index));
      expect(frames.map((frame) => frame.index)).toEqual([0, 1, 2]);
      for (const [index, frame] of frames.entries()) {
        expect(frame.width, `${name} keyframe ${index}`).toBe(file.keyframes?.png_width);
        expect(frame.height, `${name} keyframe ${index}`).toBe(file.keyframes?.png_height);
        expect(Math.abs(frame.timestampSeconds - (file.keyframes?.timestamps_seconds[index] ?? -1))).toBeLessThanOrEqual(0.05);
      }
    }

    const again = byName(await ingestInto(environment, first, allPaths()));
    for (const name of acceptedNames) {
      expect(again.get(name)?.status, name).toBe('duplicate');
      expect(again.get(name)?.fileId).toBe(results.get(name)?.fileId);
    }
    expect(await rowsOf(first.jobId)).toHaveLength(acceptedNames.length);

    const second = await createTestJob(environment, 'fixtures again');
    const other = byName(
      await ingestInto(
        environment,
        second,
        acceptedNames.map((name) => path.join(fixturesDir ?? '', name)),
      ),
    );
    for (const name of acceptedNames) expect(other.get(name)?.status, name).toBe('created');
    const otherRows = await rowsOf(second.jobId);
    expect(otherRows.map((row) => row.storageKey).sort()).toEqual(rows.map((row) => row.storageKey).sort());
    expect(otherRows.some((row) => rows.some((firstRow) => firstRow.id === row.id))).toBe(false);
    expect(listObjects(environment.dataDir)).toEqual(objects);

    const otherVideoIds = otherRows.filter((row) => row.contentType.startsWith('video/')).map((row) => row.id);
    const otherFrames = await db.select().from(keyframes).where(inArray(keyframes.fileId, otherVideoIds));
    expect(otherFrames).toHaveLength(3 * videos.length);
  });
});
