import { z } from 'zod';
import { firstErrorLine, type MediaBinaries, runTool } from './binaries.ts';
import { type CapturedAt, parseIsoDateTime } from './captured-at.ts';
import { type DeviceInfo, deviceFromTags } from './device.ts';
import { type GpsPosition, parseIso6709 } from './region.ts';

const tagsSchema = z.record(z.string(), z.unknown()).optional();

// Only the fields used below; ffprobe prints many more, which zod drops.
const probeSchema = z.object({
  streams: z
    .array(
      z.object({
        codec_type: z.string().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
        duration: z.string().optional(),
        disposition: z.object({ attached_pic: z.number().optional() }).optional(),
        tags: tagsSchema,
        side_data_list: z.array(z.object({ rotation: z.number().optional() })).optional(),
      }),
    )
    .default([]),
  format: z.object({ format_name: z.string().optional(), duration: z.string().optional(), tags: tagsSchema }).optional(),
});

type ProbeJson = z.infer<typeof probeSchema>;
type ProbeStream = ProbeJson['streams'][number];

export interface ProbeFacts {
  formatName: string;
  /** `format.duration` in seconds, or null when ffprobe reports none. */
  durationSeconds: number | null;
  /**
   * The first real video stream (cover art excluded), at its displayed size after rotation,
   * with its own duration when ffprobe reports one.
   */
  video: { width: number; height: number; rotationDegrees: number; durationSeconds: number | null } | null;
  hasAudio: boolean;
  capturedAt: CapturedAt | null;
  device: DeviceInfo | null;
  position: GpsPosition | null;
}

export type ProbeOutcome = { ok: true; facts: ProbeFacts } | { ok: false; message: string };

/** Runs ffprobe on a file and summarizes what ingest needs; `ok: false` when ffprobe cannot read it. */
export async function probeMedia(filePath: string, binaries: MediaBinaries): Promise<ProbeOutcome> {
  const result = await runTool(binaries.ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', filePath]);
  if (result.timedOut) return { ok: false, message: 'ffprobe timed out' };
  if (result.exitCode !== 0) return { ok: false, message: firstErrorLine(result.stderr) };

  let json: ProbeJson;
  try {
    json = probeSchema.parse(JSON.parse(result.stdout.toString('utf8')));
  } catch (error) {
    return { ok: false, message: `ffprobe printed unreadable output: ${(error as Error).message}` };
  }
  return { ok: true, facts: summarize(json) };
}

function stringTag(tags: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = tags?.[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Returns the clockwise rotation the player applies. ffprobe reports the display matrix
 * counterclockwise (a 90-degree clockwise phone video shows `rotation: -90`); older files
 * carry a clockwise `rotate` stream tag instead.
 */
function rotationDegrees(stream: ProbeStream): number {
  const matrix = stream.side_data_list?.find((entry) => entry.rotation !== undefined)?.rotation;
  const degrees = matrix !== undefined ? -matrix : Number(stringTag(stream.tags, 'rotate') ?? 0);
  return Number.isFinite(degrees) ? ((Math.round(degrees) % 360) + 360) % 360 : 0;
}

function videoFacts(stream: ProbeStream | undefined): ProbeFacts['video'] {
  if (!stream?.width || !stream.height) return null;
  const rotation = rotationDegrees(stream);
  const swaps = rotation === 90 || rotation === 270;
  const duration = Number(stream.duration);
  return {
    width: swaps ? stream.height : stream.width,
    height: swaps ? stream.width : stream.height,
    rotationDegrees: rotation,
    durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : null,
  };
}

// An unset mvhd creation time is 0, which ffprobe prints as 1904-01-01 (or 1970-01-01 from some muxers).
const UNSET_CREATION_TIMES = /^(1904|1970)-01-01T00:00:00/;

/**
 * Picks the capture time: the container's `creation_time` (mvhd), which MP4 and QuickTime
 * define as UTC.
 *
 * NOTE: iPhones also write `com.apple.quicktime.creationdate`, the recording start with its local
 * offset, some seconds before mvhd (which is written when the file is finalised). The files API
 * defines captured_at for video and audio as the container's creation time, so that key is not used.
 */
function captureTime(formatTags: Record<string, unknown> | undefined, videoTags: Record<string, unknown> | undefined): CapturedAt | null {
  const creation = stringTag(formatTags, 'creation_time') ?? stringTag(videoTags, 'creation_time');
  if (!creation || UNSET_CREATION_TIMES.test(creation)) return null;
  const parsed = parseIsoDateTime(creation);
  // A creation_time without a designator is still UTC by the container's definition.
  return parsed && parsed.offsetMinutes === null ? { instant: parsed.local, local: parsed.local, offsetMinutes: 0 } : parsed;
}

function summarize(json: ProbeJson): ProbeFacts {
  const videoStream = json.streams.find((stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1);
  const formatTags = json.format?.tags;
  const duration = Number(json.format?.duration);
  const location = stringTag(formatTags, 'com.apple.quicktime.location.ISO6709') ?? stringTag(formatTags, 'location');

  return {
    formatName: json.format?.format_name ?? 'unknown',
    durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : null,
    video: videoFacts(videoStream),
    hasAudio: json.streams.some((stream) => stream.codec_type === 'audio'),
    capturedAt: captureTime(formatTags, videoStream?.tags),
    device: deviceFromTags({
      make: stringTag(formatTags, 'com.apple.quicktime.make') ?? stringTag(formatTags, 'com.android.manufacturer'),
      model: stringTag(formatTags, 'com.apple.quicktime.model') ?? stringTag(formatTags, 'com.android.model'),
      software: stringTag(formatTags, 'com.apple.quicktime.software'),
      osVersion: stringTag(formatTags, 'com.android.version'),
      osName: 'Android',
    }),
    position: location ? parseIso6709(location) : null,
  };
}
