import fs from 'node:fs/promises';
import exifr from 'exifr';
import { imageSize } from 'image-size';
import type { MediaRejection } from './analyze.ts';
import { firstErrorLine, type MediaBinaries, runTool } from './binaries.ts';
import { type CapturedAt, parseExifDateTime } from './captured-at.ts';
import { type DeviceInfo, deviceFromTags } from './device.ts';
import { checkImageStructure } from './image-structure.ts';
import type { MediaContentType } from './limits.ts';
import { type GpsPosition, usablePosition } from './region.ts';

export interface ImageFacts {
  ok: true;
  /** Displayed size: after EXIF orientation, and the canvas size for animations. */
  width: number;
  height: number;
  capturedAt: CapturedAt | null;
  device: DeviceInfo | null;
  position: GpsPosition | null;
  /** Problems that did not prevent ingest, such as unreadable EXIF. */
  warnings: string[];
}

type ExifTags = Record<string, unknown>;

const EXIF_OPTIONS = {
  // Raw strings: revived dates would be read in the process time zone and lose OffsetTimeOriginal.
  reviveValues: false,
  translateValues: false,
  translateKeys: true,
  tiff: true,
  exif: true,
  gps: true,
  ifd1: false,
  interop: false,
  makerNote: false,
  userComment: false,
  xmp: false,
  icc: false,
  iptc: false,
  jfif: false,
  ihdr: false,
  mergeOutput: true,
} as const;

// "Exif\0\0": some writers put the JPEG APP1 prefix in front of the TIFF header in a WebP EXIF chunk.
const EXIF_APP1_PREFIX = Buffer.from('Exif\0\0', 'latin1');

/** Reads EXIF tags; returns an empty object when there are none, or a warning when they cannot be parsed. */
async function readExif(
  contentType: MediaContentType,
  bytes: Buffer,
  webpExif: Buffer | undefined,
): Promise<{ tags: ExifTags; warning?: string }> {
  let source: Buffer | undefined = bytes;
  if (contentType === 'image/gif') source = undefined;
  if (contentType === 'image/webp') {
    // exifr 7 does not read WebP, but it reads a bare TIFF block, which is what the EXIF chunk holds.
    source = webpExif?.subarray(0, 6).equals(EXIF_APP1_PREFIX) ? webpExif.subarray(6) : webpExif;
  }
  if (!source || source.length === 0) return { tags: {} };
  try {
    const tags = (await exifr.parse(source, EXIF_OPTIONS)) as ExifTags | undefined;
    return { tags: tags ?? {} };
  } catch (error) {
    return { tags: {}, warning: `EXIF metadata could not be read and was ignored: ${(error as Error).message}` };
  }
}

/** Returns the displayed size: EXIF orientations 5-8 rotate the image by 90 or 270 degrees, so width and height swap. */
function displayedSize(width: number, height: number, orientation: unknown): { width: number; height: number } {
  const swaps = typeof orientation === 'number' && orientation >= 5 && orientation <= 8;
  return swaps ? { width: height, height: width } : { width, height };
}

/** Decodes the image with ffmpeg; returns the reason when it does not decode. */
async function decodeError(filePath: string, binaries: MediaBinaries): Promise<string | undefined> {
  const result = await runTool(binaries.ffmpeg, ['-nostdin', '-v', 'error', '-i', filePath, '-f', 'null', '-']);
  if (result.timedOut) return 'decoding timed out';
  if (result.exitCode !== 0) return firstErrorLine(result.stderr);
  return undefined;
}

/**
 * Checks that an image is complete and decodes, and reads its displayed size, capture time,
 * device and GPS position. Images are at most 25 MB, so the file is read into memory once.
 */
export async function readImageMetadata(
  filePath: string,
  contentType: MediaContentType,
  binaries: MediaBinaries,
): Promise<ImageFacts | MediaRejection> {
  const bytes = await fs.readFile(filePath);
  const structure = checkImageStructure(contentType, bytes);
  if (!structure.ok) return { ok: false, code: 'corrupt', message: `Found a damaged ${contentType}: ${structure.message}.` };

  let stored: { width?: number; height?: number };
  try {
    // image-size reads the stored size: the VP8X canvas for animated WebP, the screen for GIF.
    stored = imageSize(bytes);
  } catch (error) {
    return { ok: false, code: 'corrupt', message: `Found a ${contentType} whose size cannot be read: ${(error as Error).message}.` };
  }
  if (!stored.width || !stored.height) return { ok: false, code: 'corrupt', message: `Found a ${contentType} with no width or height.` };

  // NOTE: ffmpeg (5.1 and the 2018 npm build) cannot decode animated WebP, so those frames are
  // checked only structurally, by the RIFF chunk walk above.
  if (!(contentType === 'image/webp' && structure.animated)) {
    const reason = await decodeError(filePath, binaries);
    if (reason) return { ok: false, code: 'corrupt', message: `Found a ${contentType} that does not decode: ${reason}.` };
  }

  const exif = await readExif(contentType, bytes, structure.webpExif);
  const tags = exif.tags;
  return {
    ok: true,
    ...displayedSize(stored.width, stored.height, tags.Orientation),
    capturedAt: parseExifDateTime(tags.DateTimeOriginal, tags.OffsetTimeOriginal),
    device: deviceFromTags({ make: tags.Make, model: tags.Model, software: tags.Software }),
    position: usablePosition(tags.latitude, tags.longitude),
    warnings: exif.warning ? [exif.warning] : [],
  };
}
