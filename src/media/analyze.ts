import { type MediaBinaries, resolveMediaBinaries } from './binaries.ts';
import type { CapturedAt } from './captured-at.ts';
import { checkSize, type Detection, detectMedia } from './detect.ts';
import type { DeviceInfo } from './device.ts';
import { hashFile } from './hash.ts';
import { readImageMetadata } from './image-metadata.ts';
import { describeAllowedTypes, type MediaContentType, type MediaKind } from './limits.ts';
import { probeMedia } from './probe.ts';
import { type GpsPosition, regionForPosition } from './region.ts';

export type RejectionCode =
  | 'not_found'
  | 'unsupported_type'
  | 'empty_file'
  | 'too_large'
  | 'corrupt'
  | 'keyframes_failed'
  | 'missing_rating'
  | 'ingest_failed';

/** Reason a file was not ingested; `message` names what was found and what is allowed. */
export interface MediaRejection {
  ok: false;
  code: RejectionCode;
  message: string;
}

/** Facts about an accepted file, as ingest stores them. */
export interface MediaAnalysis {
  ok: true;
  kind: MediaKind;
  contentType: MediaContentType;
  sizeBytes: number;
  /** Lowercase hex SHA-256. */
  contentHash: string;
  /** Displayed size; null for audio. */
  width: number | null;
  height: number | null;
  /** ffprobe `format.duration`; null for images, animated ones included. */
  durationSeconds: number | null;
  /**
   * Span the keyframes are taken from, null except for video: the video stream's duration when
   * it is shorter than the format's (a clip whose audio runs on has no frames past its video).
   */
  keyframeSpanSeconds: number | null;
  capturedAt: CapturedAt | null;
  device: DeviceInfo | null;
  position: GpsPosition | null;
  /** ISO 3166-2 subdivision or ISO 3166-1 country of `position`. */
  region: string | null;
  warnings: string[];
}

export interface AnalyzeOptions {
  binaries?: MediaBinaries;
}

type Extracted = Pick<
  MediaAnalysis,
  | 'contentType'
  | 'kind'
  | 'width'
  | 'height'
  | 'durationSeconds'
  | 'keyframeSpanSeconds'
  | 'capturedAt'
  | 'device'
  | 'position'
  | 'warnings'
>;

const corrupt = (message: string): MediaRejection => ({ ok: false, code: 'corrupt', message });

async function analyzeTimedMedia(filePath: string, detection: Detection, binaries: MediaBinaries): Promise<Extracted | MediaRejection> {
  const probe = await probeMedia(filePath, binaries);
  if (!probe.ok) return corrupt(`Found ${detection.contentType} by its signature, but ffprobe cannot read it: ${probe.message}.`);
  const facts = probe.facts;
  let { contentType, kind } = detection;

  // Audio-only MPEG-4 files (Android recorders use the brands isom and mp42) carry the same
  // signature as video. Without a video stream they are M4A audio, so the audio limit applies.
  if (contentType === 'video/mp4' && !facts.video && facts.hasAudio) {
    contentType = 'audio/x-m4a';
    kind = 'audio';
    const tooLarge = checkSize(contentType, detection.sizeBytes);
    if (tooLarge) return tooLarge;
  }

  if (kind === 'video' && !facts.video) {
    return corrupt(`Found ${contentType} (${facts.formatName}) without a decodable video stream; allowed: ${describeAllowedTypes()}.`);
  }
  if (kind === 'audio' && !facts.hasAudio) return corrupt(`Found ${contentType} (${facts.formatName}) without an audio stream.`);
  if (facts.durationSeconds === null) return corrupt(`Found ${contentType} (${facts.formatName}) with no duration.`);

  return {
    contentType,
    kind,
    // Audio has no size; a video's is the displayed one, after the rotation in its display matrix.
    width: kind === 'video' ? (facts.video?.width ?? null) : null,
    height: kind === 'video' ? (facts.video?.height ?? null) : null,
    durationSeconds: facts.durationSeconds,
    keyframeSpanSeconds: facts.video ? Math.min(facts.durationSeconds, facts.video.durationSeconds ?? facts.durationSeconds) : null,
    capturedAt: facts.capturedAt,
    device: facts.device,
    position: facts.position,
    warnings: [],
  };
}

async function analyzeImage(filePath: string, detection: Detection, binaries: MediaBinaries): Promise<Extracted | MediaRejection> {
  const facts = await readImageMetadata(filePath, detection.contentType, binaries);
  if (!facts.ok) return facts;
  return {
    contentType: detection.contentType,
    kind: 'image',
    width: facts.width,
    height: facts.height,
    durationSeconds: null,
    keyframeSpanSeconds: null,
    capturedAt: facts.capturedAt,
    device: facts.device,
    position: facts.position,
    warnings: facts.warnings,
  };
}

/**
 * Detects, checks and describes one media file: type from its bytes, size limit, SHA-256,
 * decode check, displayed size, duration, capture time, device, GPS position and region.
 * Keyframes are extracted separately (see `extractKeyframes`), after the duplicate check.
 */
export async function analyzeMedia(filePath: string, options: AnalyzeOptions = {}): Promise<MediaAnalysis | MediaRejection> {
  const binaries = options.binaries ?? resolveMediaBinaries();
  const detection = await detectMedia(filePath);
  if (!detection.ok) return detection;

  const digest = await hashFile(filePath);
  // The file may have changed since stat: the limit applies to the bytes actually hashed.
  const tooLarge = checkSize(detection.contentType, digest.sizeBytes);
  if (tooLarge) return tooLarge;
  if (digest.sizeBytes === 0) return { ok: false, code: 'empty_file', message: 'The file became empty while it was read.' };

  const extracted =
    detection.kind === 'image' ? await analyzeImage(filePath, detection, binaries) : await analyzeTimedMedia(filePath, detection, binaries);
  if ('ok' in extracted) return extracted;

  return {
    ok: true,
    ...extracted,
    sizeBytes: digest.sizeBytes,
    contentHash: digest.contentHash,
    region: extracted.position ? regionForPosition(extracted.position) : null,
  };
}
