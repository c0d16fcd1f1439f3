import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { files, keyframes } from '../src/db/schema.ts';
import { analyzeMedia, type MediaAnalysis } from '../src/media/analyze.ts';
import { formatCapturedAt, parseExifDateTime, parseIsoDateTime, toCapturedAtColumns } from '../src/media/captured-at.ts';
import { deviceFromTags } from '../src/media/device.ts';
import { checkGif, checkJpeg, checkPng, checkWebp } from '../src/media/image-structure.ts';
import { canonicalContentType, describeAllowedTypes, MEGABYTE } from '../src/media/limits.ts';
import { probeMedia } from '../src/media/probe.ts';
import { parseIso6709, regionForPosition, usablePosition } from '../src/media/region.ts';
import { DRIVERS } from './helpers/databases.ts';
import { binaries, createTestJob, H264_ARGS, ingestInto, listObjects, runFfmpeg, useIngestEnvironment } from './helpers/media.ts';

let workDir = '';
const media = (name: string) => path.join(workDir, name);

/**
 * Marks a clip as rotated 90 degrees without re-encoding. ffmpeg up to 5.x takes the legacy
 * `rotate` stream tag; ffmpeg 6 and later ignore it and take `-display_rotation` instead.
 */
async function writeRotatedClip(source: string, target: string): Promise<void> {
  runFfmpeg(['-i', source, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', target]);
  const probe = await probeMedia(target, binaries);
  if (probe.ok && probe.facts.video?.rotationDegrees) return;
  runFfmpeg(['-display_rotation:v:0', '90', '-i', source, '-c', 'copy', target]);
}

/** Writes the generated media set: clips, audio and broken or oversized files. */
async function generateMedia(): Promise<void> {
  const testVideo = ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25'];
  const tone = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100'];
  runFfmpeg([
    ...testVideo,
    ...tone,
    '-t',
    '1',
    ...H264_ARGS,
    '-c:a',
    'aac',
    '-metadata',
    'creation_time=2020-01-02T03:04:05Z',
    media('plain.mp4'),
  ]);
  await writeRotatedClip(media('plain.mp4'), media('rotated.mp4'));
  runFfmpeg([...testVideo, '-t', '0.2', ...H264_ARGS, media('short.mp4')]);
  // 1 s of video with 3 s of audio: the format duration runs 2 s past the last frame.
  const trimVideo = ['-filter_complex', '[0:v]trim=duration=1[v]', '-map', '[v]', '-map', '1:a'];
  runFfmpeg([...testVideo, ...tone, '-t', '3', ...trimVideo, ...H264_ARGS, '-c:a', 'aac', media('long-audio.mp4')]);
  runFfmpeg([...tone, '-t', '1.5', media('tone.wav')]);
  runFfmpeg([...tone, '-t', '1.5', '-c:a', 'aac', '-f', 'mp4', media('tone-in-mp4.mp4')]);
  runFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48', '-frames:v', '1', media('frame.png')]);

  const png = fs.readFileSync(media('frame.png'));
  fs.writeFileSync(media('truncated.png'), png.subarray(0, png.length - 20));
  fs.writeFileSync(media('empty.jpg'), '');
  fs.writeFileSync(media('text.mp4'), 'This is a text file, not a video.\n');

  // Sparse files with a JPEG signature: one byte over the image limit, and exactly at it.
  const jpegHeader = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);
  for (const [name, size] of [
    ['oversized.jpg', 25 * MEGABYTE + 1],
    ['at-limit.jpg', 25 * MEGABYTE],
  ] as const) {
    fs.writeFileSync(media(name), jpegHeader);
    fs.truncateSync(media(name), size);
  }
}

beforeAll(async () => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'files-gateway-media-'));
  await generateMedia();
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

async function accepted(name: string): Promise<MediaAnalysis> {
  const analysis = await analyzeMedia(media(name), { binaries });
  if (!analysis.ok) throw new Error(`expected ${name} to be accepted, got ${analysis.code}: ${analysis.message}`);
  return analysis;
}

describe('analyzeMedia on generated media', () => {
  it('swaps width and height of a rotated clip', async () => {
    const analysis = await accepted('rotated.mp4');
    expect(analysis.contentType).toBe('video/mp4');
    expect([analysis.width, analysis.height]).toEqual([240, 320]);
    expect(analysis.durationSeconds).toBeCloseTo(1, 1);
  });

  it('reads the UTC creation time of a clip', async () => {
    const analysis = await accepted('plain.mp4');
    expect([analysis.width, analysis.height]).toEqual([320, 240]);
    expect(formatCapturedAt(toCapturedAtColumns(analysis.capturedAt))).toBe('2020-01-02T03:04:05Z');
  });

  it('describes an audio clip without dimensions', async () => {
    const analysis = await accepted('tone.wav');
    expect(analysis.contentType).toBe('audio/wav');
    expect(analysis.width).toBeNull();
    expect(analysis.height).toBeNull();
    expect(Math.abs((analysis.durationSeconds ?? 0) - 1.5)).toBeLessThanOrEqual(0.05);
  });

  it('treats audio-only MP4 as audio/x-m4a', async () => {
    const analysis = await accepted('tone-in-mp4.mp4');
    expect(analysis.contentType).toBe('audio/x-m4a');
    expect(analysis.kind).toBe('audio');
  });

  it.each([
    ['oversized.jpg', 'too_large', /25000001 bytes .* over the 25 MB limit for image\/jpeg/],
    ['at-limit.jpg', 'corrupt', /image\/jpeg/],
    ['empty.jpg', 'empty_file', /empty/],
    ['truncated.png', 'corrupt', /IEND/],
    ['text.mp4', 'unsupported_type', /allowed: image\/jpeg/],
  ])('rejects %s as %s', async (name, code, message) => {
    const analysis = await analyzeMedia(media(name), { binaries });
    expect(analysis.ok).toBe(false);
    if (analysis.ok) return;
    expect(analysis.code).toBe(code);
    expect(analysis.message).toMatch(message);
  });
});

describe.each(DRIVERS)('generated media ingest on %s', (driver) => {
  const environment = useIngestEnvironment(driver);

  const framesOf = (fileId: string) =>
    environment.handle.database.db.select().from(keyframes).where(eq(keyframes.fileId, fileId)).orderBy(asc(keyframes.index));

  it('stores three upright keyframes of a rotated clip', async () => {
    const job = await createTestJob(environment);
    const [result] = await ingestInto(environment, job, [media('rotated.mp4')]);
    expect(result?.status).toBe('created');

    const frames = await framesOf(result?.fileId ?? '');
    expect(frames.map((frame) => [frame.width, frame.height])).toEqual([
      [240, 320],
      [240, 320],
      [240, 320],
    ]);
    expect(frames.map((frame) => frame.timestampSeconds)).toEqual([0.25, 0.5, 0.75]);
    for (const frame of frames) {
      const png = fs.readFileSync(path.join(environment.dataDir, 'objects', frame.storageKey));
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(checkPng(png).ok).toBe(true);
    }
  });

  it('extracts keyframes of a 0.2 s clip', async () => {
    const job = await createTestJob(environment);
    const [result] = await ingestInto(environment, job, [media('short.mp4')]);
    expect(result?.status).toBe('created');
    const frames = await framesOf(result?.fileId ?? '');
    expect(frames).toHaveLength(3);
    expect(frames[2]?.timestampSeconds).toBeCloseTo(0.15, 3);
  });

  it('takes keyframes within the video stream', async () => {
    const job = await createTestJob(environment);
    const [result] = await ingestInto(environment, job, [media('long-audio.mp4')]);
    expect(result?.status).toBe('created');

    const [row] = await environment.handle.database.db
      .select()
      .from(files)
      .where(eq(files.id, result?.fileId ?? ''));
    expect(row?.durationSeconds).toBeCloseTo(3, 1);
    const frames = await framesOf(result?.fileId ?? '');
    expect(frames.map((frame) => frame.timestampSeconds)).toEqual([0.25, 0.5, 0.75]);
  });

  it('leaves nothing behind for rejected files', async () => {
    const job = await createTestJob(environment);
    const before = listObjects(environment.dataDir);
    const names = ['oversized.jpg', 'empty.jpg', 'truncated.png', 'text.mp4'];
    const results = await ingestInto(environment, job, names.map(media));
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(results.map((result) => result.fileId)).toEqual([null, null, null, null]);
    expect(await environment.handle.database.db.select().from(files).where(eq(files.jobId, job.jobId))).toEqual([]);
    expect(listObjects(environment.dataDir)).toEqual(before);
  });

  it('rejects a missing file as not found', async () => {
    const job = await createTestJob(environment);
    const [result] = await ingestInto(environment, job, [media('missing.jpg')]);
    expect(result?.status).toBe('rejected');
    expect(result?.error?.code).toBe('not_found');
  });

  it('rejects a file without a rating', async () => {
    const job = await createTestJob(environment);
    const [result] = await ingestInto(environment, job, [media('tone.wav')], { defaultRating: undefined });
    expect(result?.status).toBe('rejected');
    expect(result?.error?.code).toBe('missing_rating');
  });

  it('removes objects when the insert fails', async () => {
    const job = await createTestJob(environment);
    const before = listObjects(environment.dataDir);
    // No such organization: the foreign key makes the insert fail after the objects are written.
    const [result] = await ingestInto(environment, { jobId: job.jobId, organizationId: 'org_01JQ0000000000000000000000' }, [
      media('plain.mp4'),
    ]);
    expect(result?.status).toBe('rejected');
    expect(result?.error?.code).toBe('ingest_failed');
    expect(listObjects(environment.dataDir)).toEqual(before);
  });

  it('keeps shared objects when the insert fails', async () => {
    const job = await createTestJob(environment);
    const [stored] = await ingestInto(environment, job, [media('frame.png')]);
    expect(stored?.status).toBe('created');
    const before = listObjects(environment.dataDir);

    const other = await createTestJob(environment, 'other');
    const [result] = await ingestInto(environment, { jobId: other.jobId, organizationId: 'org_01JQ0000000000000000000000' }, [
      media('frame.png'),
    ]);
    expect(result?.error?.code).toBe('ingest_failed');
    expect(listObjects(environment.dataDir)).toEqual(before);
  });
});

describe('capture time', () => {
  it('keeps an EXIF time without offset as wall-clock only', () => {
    const parsed = parseExifDateTime('2015:06:11 10:29:26');
    expect(parsed?.instant).toBeNull();
    expect(parsed?.offsetMinutes).toBeNull();
    expect(formatCapturedAt(toCapturedAtColumns(parsed))).toBe('2015-06-11T10:29:26');
  });

  it('applies OffsetTimeOriginal', () => {
    const parsed = parseExifDateTime('2022:08:14 14:12:31', '+03:00');
    expect(parsed?.instant?.toISOString()).toBe('2022-08-14T11:12:31.000Z');
    expect(parsed?.offsetMinutes).toBe(180);
    expect(formatCapturedAt(toCapturedAtColumns(parsed))).toBe('2022-08-14T14:12:31+03:00');
  });

  it('rejects unset and impossible EXIF dates', () => {
    expect(parseExifDateTime('0000:00:00 00:00:00')).toBeNull();
    expect(parseExifDateTime('    :  :     :  :  ')).toBeNull();
    expect(parseExifDateTime('2015:02:30 10:00:00')).toBeNull();
    expect(parseExifDateTime(undefined)).toBeNull();
  });

  it('parses ISO 8601 forms', () => {
    expect(formatCapturedAt(toCapturedAtColumns(parseIsoDateTime('2021-01-02T17:42:46.000000Z')))).toBe('2021-01-02T17:42:46Z');
    expect(formatCapturedAt(toCapturedAtColumns(parseIsoDateTime('2019-07-24T11:25:40+0300')))).toBe('2019-07-24T11:25:40+03:00');
    expect(formatCapturedAt(toCapturedAtColumns(parseIsoDateTime('2019-07-24T11:25:40-0930')))).toBe('2019-07-24T11:25:40-09:30');
    expect(parseIsoDateTime('2019-07-24')).toBeNull();
    expect(parseIsoDateTime('2019-07-24T11:25:40+19:00')).toBeNull();
  });

  it('formats an instant stored without wall-clock time', () => {
    const row = { capturedAt: new Date('2022-08-14T11:12:31.900Z'), capturedAtLocal: null, capturedAtOffsetMinutes: 180 };
    expect(formatCapturedAt(row)).toBe('2022-08-14T14:12:31+03:00');
    expect(formatCapturedAt({ capturedAt: null, capturedAtLocal: null, capturedAtOffsetMinutes: null })).toBeNull();
  });
});

describe('region', () => {
  it('parses ISO 6709 positions', () => {
    expect(parseIso6709('+52.3693+006.6761+10.534988/')).toEqual({ latitude: 52.3693, longitude: 6.6761 });
    expect(parseIso6709('-00.3713+036.0564/')).toEqual({ latitude: -0.3713, longitude: 36.0564 });
    const minutes = parseIso6709('+4012.5-07430.0/');
    expect(minutes?.latitude).toBeCloseTo(40.2083, 4);
    expect(minutes?.longitude).toBeCloseTo(-74.5, 4);
    expect(parseIso6709('+00.0000+000.0000/')).toBeNull();
    expect(parseIso6709('garbage')).toBeNull();
  });

  it('treats 0,0 and out-of-range values as no position', () => {
    expect(usablePosition(0, 0)).toBeNull();
    expect(usablePosition(91, 10)).toBeNull();
    expect(usablePosition(null, null)).toBeNull();
    expect(usablePosition(Number.NaN, 1)).toBeNull();
    expect(usablePosition(-0.3713, 36.05)).toEqual({ latitude: -0.3713, longitude: 36.05 });
  });

  it.each([
    ['a point on land', 37.8711, -122.2568, 'US-CA'],
    ['San Francisco Bay', 37.75, -122.33, 'US-CA'],
    ['the sea 2 km off Santa Monica', 33.99, -118.53, 'US-CA'],
    ['Helsinki harbour water', 60.13, 24.93, 'FI-18'],
    ['the middle of the Atlantic', 30, -40, null],
  ])('finds the region of %s', (_label, latitude, longitude, region) => {
    expect(regionForPosition({ latitude, longitude })).toBe(region);
  });
});

describe('device and type names', () => {
  it('joins make and model without repeating the make', () => {
    expect(deviceFromTags({ make: 'Canon', model: 'Canon EOS 600D' })?.deviceModel).toBe('Canon EOS 600D');
    expect(deviceFromTags({ make: 'NIKON', model: 'COOLPIX P6000' })?.deviceModel).toBe('NIKON COOLPIX P6000');
    expect(deviceFromTags({})).toBeNull();
  });

  it('splits software into OS and app versions', () => {
    expect(deviceFromTags({ make: 'Apple', model: 'iPhone 6', software: '8.3' })?.deviceOs).toBe('iOS 8.3');
    expect(deviceFromTags({ make: 'DJI', model: 'FLIR', software: '01.15.00.67' })?.deviceOs).toBe('01.15.00.67');
    const edited = deviceFromTags({ make: 'Canon', model: 'Canon EOS 600D', software: 'Adobe Photoshop Lightroom 6.1 (Windows)' });
    expect(edited?.appVersion).toBe('Adobe Photoshop Lightroom 6.1 (Windows)');
    expect(edited?.deviceOs).toBeNull();
  });

  it('names one canonical type per format', () => {
    expect(canonicalContentType('audio/x-wav')).toBe('audio/wav');
    expect(canonicalContentType('image/apng')).toBe('image/png');
    expect(canonicalContentType('video/3gpp')).toBeUndefined();
    expect(describeAllowedTypes()).toContain('video/mp4, video/quicktime up to 250 MB');
  });
});

describe('image structure', () => {
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x04, 0x00, 0x00, 0xff, 0xda, 0x00, 0x02, 0x12, 0xff, 0x00, 0x34, 0xff, 0xd9]);

  it('accepts a complete JPEG and rejects one without EOI', () => {
    expect(checkJpeg(jpeg).ok).toBe(true);
    expect(checkJpeg(jpeg.subarray(0, jpeg.length - 2))).toEqual({ ok: false, message: expect.stringContaining('EOI') });
  });

  it('rejects a GIF without its trailer', () => {
    const gif = Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([1, 0, 1, 0, 0, 0, 0]), Buffer.from([0x3b])]);
    expect(checkGif(gif).ok).toBe(true);
    expect(checkGif(gif.subarray(0, gif.length - 1)).ok).toBe(false);
  });

  it('rejects a WebP shorter than its RIFF header says', () => {
    const webp = Buffer.alloc(30);
    webp.write('RIFF', 0, 'latin1');
    webp.writeUInt32LE(40, 4);
    webp.write('WEBP', 8, 'latin1');
    expect(checkWebp(webp)).toEqual({ ok: false, message: expect.stringContaining('truncated') });
  });
});
