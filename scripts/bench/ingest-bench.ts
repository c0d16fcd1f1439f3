/**
 * Ingest throughput: generates 40 JPEG images (1920x1080) and one 15 s 720p H.264 clip with AAC
 * audio with ffmpeg, then ingests them with `ingestPaths` into an in-memory PGlite database and a
 * local object store in a temporary folder. Generating the media is not part of the timing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import { openDatabase } from '../../src/db/client.ts';
import { createJob } from '../../src/db/queries/jobs.ts';
import { createOrganization } from '../../src/db/queries/organizations.ts';
import { type IngestResult, ingestPaths } from '../../src/ingest/ingest.ts';
import { createLogger } from '../../src/logger.ts';
import { type MediaBinaries, resolveMediaBinaries, runTool } from '../../src/media/binaries.ts';
import { createObjectStore } from '../../src/storage/index.ts';

const IMAGE_COUNT = 40;
const VIDEO_SECONDS = 15;
const GENERATE_TIMEOUT_MS = 180_000;

export interface IngestBenchResult {
  images: number;
  imageSeconds: number;
  imagesPerSecond: number;
  videoSeconds: number;
  ffmpeg: string;
}

async function ffmpeg(binaries: MediaBinaries, args: string[]): Promise<void> {
  const result = await runTool(binaries.ffmpeg, ['-nostdin', '-v', 'error', '-y', ...args], { timeoutMs: GENERATE_TIMEOUT_MS });
  if (result.exitCode !== 0)
    throw new Error(
      `ffmpeg ${args.join(' ')} failed (exit ${result.exitCode}${result.timedOut ? ', timed out' : ''}): ${result.stderr.slice(0, 500)}`,
    );
}

/** Writes the images into `imageDir` and returns the path of the clip. */
async function generateMedia(binaries: MediaBinaries, imageDir: string, workDir: string): Promise<string> {
  // testsrc2 draws a moving pattern and a frame counter, so every image has different bytes.
  const imagePattern = path.join(imageDir, 'image-%02d.jpg');
  await ffmpeg(binaries, [
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=1920x1080:rate=25',
    '-frames:v',
    String(IMAGE_COUNT),
    '-q:v',
    '3',
    imagePattern,
  ]);

  const clip = path.join(workDir, 'clip.mp4');
  await ffmpeg(binaries, [
    ...['-f', 'lavfi', '-i', 'testsrc2=size=1280x720:rate=30'],
    ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000'],
    ...['-t', String(VIDEO_SECONDS), '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '128k', clip],
  ]);
  return clip;
}

function assertAllCreated(results: IngestResult[], expected: number, description: string): void {
  const created = results.filter((result) => result.status === 'created').length;
  if (created === expected) return;
  const problems = results
    .filter((result) => result.status !== 'created')
    .map((result) => `${path.basename(result.path)}: ${result.status} ${result.error?.message ?? ''}`);
  throw new Error(`Ingest of ${description} created ${created} of ${expected} files: ${problems.slice(0, 5).join('; ')}`);
}

export async function benchIngest(): Promise<IngestBenchResult> {
  const binaries = resolveMediaBinaries();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-bench-ingest-'));
  const imageDir = path.join(workDir, 'images');
  fs.mkdirSync(imageDir);
  const database = await openDatabase({ databaseUrl: undefined, pgliteDir: 'memory' });

  try {
    const clip = await generateMedia(binaries, imageDir, workDir);
    await database.migrate();
    const { db } = database;
    const store = await createObjectStore(loadConfig({ DATA_DIR: path.join(workDir, 'data') }), createLogger('silent'));
    const organization = await createOrganization(db, { name: 'ingest bench' });
    const job = await createJob(db, { organizationId: organization.id, name: 'ingest bench' });
    const target = { db, store, jobId: job.id, organizationId: organization.id, defaultRating: 4, binaries };

    const imagesStarted = performance.now();
    const imageResults = await ingestPaths({ ...target, inputs: [imageDir] });
    const imageSeconds = (performance.now() - imagesStarted) / 1000;
    assertAllCreated(imageResults, IMAGE_COUNT, 'the images');

    const videoStarted = performance.now();
    const videoResults = await ingestPaths({ ...target, inputs: [clip] });
    const videoSeconds = (performance.now() - videoStarted) / 1000;
    assertAllCreated(videoResults, 1, 'the clip');

    await store.close();
    return { images: IMAGE_COUNT, imageSeconds, imagesPerSecond: IMAGE_COUNT / imageSeconds, videoSeconds, ffmpeg: binaries.ffmpeg };
  } finally {
    await database.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}
