import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../src/db/client.ts';
import { createJob } from '../src/db/queries/jobs.ts';
import { createOrganization } from '../src/db/queries/organizations.ts';
import { files } from '../src/db/schema.ts';
import { ManifestError, parseManifest } from '../src/ingest/manifest.ts';
import { formatCapturedAt } from '../src/media/captured-at.ts';
import { runCli } from './helpers/cli.ts';
import { DRIVERS } from './helpers/databases.ts';
import { binaries } from './helpers/media.ts';

interface JsonLine {
  path: string;
  status: 'created' | 'duplicate' | 'rejected';
  file_id: string | null;
  error: { code: string; message: string } | null;
}

const parseLines = (stdout: string): JsonLine[] =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonLine);

describe('manifest parsing', () => {
  const baseDir = path.resolve('/data/batch');

  it('resolves relative paths against the manifest folder', () => {
    const manifest = parseManifest('{"path":"photos/a.jpg","ai_star_rating":5}\n\n{"path":"/abs/b.jpg"}\n', baseDir);
    expect(manifest.get(path.join(baseDir, 'photos/a.jpg'))?.aiStarRating).toBe(5);
    expect(manifest.get(path.resolve('/abs/b.jpg'))?.line).toBe(3);
  });

  it.each([
    ['{"path":"a.jpg"}\n{not json}', /line 2: not valid JSON/],
    ['{"path":"a.jpg","ai_star_rating":6}', /line 1: ai_star_rating: expected an integer from 1 to 5/],
    ['{"path":"a.jpg","ai_star_rating":"5"}', /line 1: ai_star_rating/],
    ['{"path":"a.jpg","rating":5}', /line 1: .*Unrecognized key/],
    ['{"path":"a.jpg","captured_at":"yesterday"}', /line 1: captured_at: expected an ISO 8601 date-time/],
    ['{"path":"a.jpg","worker_region":"California"}', /line 1: worker_region/],
    ['{"path":"a.jpg","device_info":{"device_model":7}}', /line 1: device_info.device_model/],
    ['["a.jpg"]', /line 1: expected a JSON object/],
    ['{"path":"a.jpg"}\n{"path":"./a.jpg"}', /line 2: path .* is already listed on line 1/],
  ])('rejects %s', (text, message) => {
    expect(() => parseManifest(text, baseDir)).toThrow(ManifestError);
    expect(() => parseManifest(text, baseDir)).toThrow(message);
  });
});

/** Writes the media the CLI tests ingest into `dataDir`: a folder tree with two media files, a text file and a dot file. */
function writeTestMedia(dataDir: string): string {
  const mediaDir = path.join(dataDir, 'media');
  fs.mkdirSync(path.join(mediaDir, 'nested'), { recursive: true });
  const ffmpeg = (args: string[]) => execFileSync(binaries.ffmpeg, ['-nostdin', '-v', 'error', '-y', ...args], { timeout: 60_000 });
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1', path.join(mediaDir, 'frame.png')]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '0.5', path.join(mediaDir, 'nested', 'tone.wav')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=32x32', '-frames:v', '1', path.join(dataDir, 'other.png')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=48x32', '-frames:v', '1', path.join(dataDir, 'unrated.png')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=40x30', '-frames:v', '1', path.join(dataDir, 'summary.png')]);
  fs.writeFileSync(path.join(mediaDir, 'notes.txt'), 'not media\n');
  fs.writeFileSync(path.join(mediaDir, '.DS_Store'), 'skipped\n');
  return mediaDir;
}

// These usage errors are found before the database is opened, so one driver covers them.
describe('ingest CLI usage errors', () => {
  let dataDir = '';
  let photo = '';
  let badManifest = '';

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-ingest-usage-'));
    photo = path.join(dataDir, 'photo.jpg');
    fs.writeFileSync(photo, 'not opened\n');
    badManifest = path.join(dataDir, 'bad.jsonl');
    fs.writeFileSync(badManifest, '{"path":"photo.jpg","ai_star_rating":3}\n{"path": oops}\n');
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it.each([
    ['a rating of 7', ['--rating', '7', 'PATH'], /expected an integer from 1 to 5/],
    ['an unknown flag', ['--stars', '3', 'PATH'], /unknown option '--stars'/],
    ['a missing path', ['--rating', '3', '/nonexistent/photo.jpg'], /No such file or directory: \/nonexistent\/photo.jpg/],
    ['no input', ['--rating', '3'], /No input/],
    ['a bad manifest line', ['--manifest', 'BAD_MANIFEST'], /line 2: not valid JSON/],
  ])('exits 1 on %s', async (_label, args, message) => {
    const placeholders: Record<string, string> = { PATH: photo, BAD_MANIFEST: badManifest };
    const resolved = args.map((arg) => placeholders[arg] ?? arg);

    const result = await runCli(['ingest', '--job', 'job_01JQ0000000000000000000000', ...resolved, '--json'], { DATA_DIR: dataDir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stdout).toBe('');
  });
});

describe.each(DRIVERS)('ingest CLI on %s', (driver) => {
  let dataDir = '';
  let mediaDir = '';
  let env: Record<string, string | undefined> = {};
  let jobId = '';

  /** Opens the CLI's database while no CLI process runs (PGlite allows one process at a time). */
  async function withDatabase<T>(work: (db: Db) => Promise<T>): Promise<T> {
    const database = await openDatabase({ databaseUrl: env.DATABASE_URL, pgliteDir: path.join(dataDir, 'pglite') });
    try {
      await database.migrate();
      return await work(database.db);
    } finally {
      await database.close();
    }
  }

  const fileRow = (fileId: string) => withDatabase(async (db) => (await db.select().from(files).where(eq(files.id, fileId)))[0]);

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-ingest-cli-'));
    mediaDir = writeTestMedia(dataDir);
    env = { DATA_DIR: dataDir, DATABASE_URL: driver === 'postgres' ? process.env.TEST_DATABASE_URL : undefined };

    // Seeded in-process: each CLI run costs seconds of start-up, and the admin commands have their own tests.
    jobId = await withDatabase(async (db) => {
      const organization = await createOrganization(db, { name: 'Ingest CLI' });
      return (await createJob(db, { organizationId: organization.id, name: 'CLI media' })).id;
    });
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('prints one JSON line per input and exits 2 on a rejection', async () => {
    const result = await runCli(['ingest', '--job', jobId, '--rating', '3', '--json', mediaDir], env);
    expect(result.code, result.stderr).toBe(2);

    const lines = parseLines(result.stdout);
    expect(lines.map((line) => [path.basename(line.path), line.status])).toEqual([
      ['frame.png', 'created'],
      ['tone.wav', 'created'],
      ['notes.txt', 'rejected'],
    ]);
    expect(lines[0]?.file_id).toMatch(/^file_[0-9A-Z]{26}$/);
    expect(lines[0]?.error).toBeNull();
    expect(lines[2]?.file_id).toBeNull();
    expect(lines[2]?.error?.code).toBe('unsupported_type');
    expect(lines[2]?.error?.message).toContain('allowed: image/jpeg');
  });

  it('reports duplicates and exits 0', async () => {
    const first = parseLines(
      (await runCli(['ingest', '--job', jobId, '--rating', '3', '--json', path.join(mediaDir, 'frame.png')], env)).stdout,
    );
    const result = await runCli(['ingest', '--job', jobId, '--rating', '3', '--json', path.join(mediaDir, 'frame.png')], env);
    expect(result.code, result.stderr).toBe(0);
    const [line] = parseLines(result.stdout);
    expect(line?.status).toBe('duplicate');
    expect(line?.file_id).toBe(first[0]?.file_id);
  });

  it('lets manifest values win over flags and metadata', async () => {
    const manifestPath = path.join(dataDir, 'manifest.jsonl');
    const entry = {
      path: 'other.png',
      submission_id: 'sub-custom-1',
      ai_star_rating: 5,
      captured_at: '2015-06-11T10:29:26',
      worker_region: 'DE-BE',
      device_info: { device_model: 'Pixel 7', device_os: 'Android 14', app_version: 'collector 2.3.1' },
      annotations: { label: 'street sign' },
    };
    fs.writeFileSync(manifestPath, `${JSON.stringify(entry)}\n`);

    const result = await runCli(['ingest', '--job', jobId, '--rating', '2', '--manifest', manifestPath, '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const [line] = parseLines(result.stdout);
    expect(line?.status).toBe('created');

    const row = await fileRow(line?.file_id ?? '');
    if (!row) throw new Error(`no files row for ${line?.file_id}`);
    expect(row.aiStarRating).toBe(5);
    expect(row.submissionId).toBe('sub-custom-1');
    expect(formatCapturedAt(row)).toBe('2015-06-11T10:29:26');
    expect(row.capturedAt).toBeNull();
    expect(row.workerRegion).toBe('DE-BE');
    expect([row.deviceModel, row.deviceOs, row.appVersion]).toEqual(['Pixel 7', 'Android 14', 'collector 2.3.1']);
    expect(row.annotations).toEqual({ label: 'street sign' });
  });

  it('rejects a file without a rating', async () => {
    const result = await runCli(['ingest', '--job', jobId, '--json', path.join(dataDir, 'unrated.png')], env);
    expect(result.code).toBe(2);
    const [line] = parseLines(result.stdout);
    expect(line?.status).toBe('rejected');
    expect(line?.error?.code).toBe('missing_rating');
  });

  it('prints a summary without --json', async () => {
    const result = await runCli(['ingest', '--job', jobId, '--rating', '4', path.join(dataDir, 'summary.png')], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`Ingested 1 file into ${jobId}: 1 created, 0 duplicate, 0 rejected.\n`);
  });

  it('exits 1 on an unknown job', async () => {
    const result = await runCli(
      ['ingest', '--job', 'job_01JQ0000000000000000000000', '--rating', '3', '--json', path.join(mediaDir, 'frame.png')],
      env,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Unknown job "job_01JQ0000000000000000000000"/);
    expect(result.stdout).toBe('');
  });
});
