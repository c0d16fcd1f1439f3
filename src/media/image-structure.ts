import type { MediaContentType } from './limits.ts';

/**
 * Result of walking an image's container structure: complete files only. Decoders conceal
 * damage (ffmpeg 5.1 decodes a JPEG cut in half with exit code 0 and paints the missing rows
 * green), so truncation is found here, from the missing end marker, before any decoder runs.
 */
export type ImageStructure = ImageStructureOk | { ok: false; message: string };

export interface ImageStructureOk {
  ok: true;
  animated: boolean;
  /** The raw payload of a WebP `EXIF` chunk. */
  webpExif?: Buffer;
}

const broken = (message: string): ImageStructure => ({ ok: false, message });

/** Checks a JPEG from SOI through its segments and entropy-coded scans to the EOI marker. */
export function checkJpeg(bytes: Buffer): ImageStructure {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return broken('JPEG does not start with an SOI marker');
  let offset = 2;
  while (offset < bytes.length) {
    // Segments start with 0xFF, optionally padded with more 0xFF fill bytes.
    if (bytes[offset] !== 0xff) return broken(`JPEG has no marker at byte ${offset}`);
    while (bytes[offset] === 0xff && offset < bytes.length) offset++;
    const marker = bytes[offset];
    offset++;
    if (marker === undefined) break;
    if (marker === 0xd9) return { ok: true, animated: false };
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue;

    if (offset + 2 > bytes.length) break;
    const length = bytes.readUInt16BE(offset);
    if (length < 2) return broken(`JPEG segment 0xFF${marker.toString(16).toUpperCase()} has invalid length ${length}`);
    offset += length;
    if (offset > bytes.length) break;
    if (marker === 0xda) offset = skipEntropyCodedData(bytes, offset);
  }
  return broken('JPEG is truncated: it ends before the EOI marker');
}

/** Returns the offset of the first marker after a scan's entropy-coded data, or the buffer length when none follows. */
function skipEntropyCodedData(bytes: Buffer, start: number): number {
  let offset = start;
  while (offset < bytes.length) {
    const found = bytes.indexOf(0xff, offset);
    if (found === -1 || found + 1 >= bytes.length) return bytes.length;
    const next = bytes[found + 1] ?? 0;
    // 0xFF00 is a stuffed data byte and 0xFFD0-0xFFD7 are restart markers: both belong to the scan.
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) offset = found + 2;
    else if (next === 0xff) offset = found + 1;
    else return found;
  }
  return bytes.length;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Checks a PNG's signature and chunk lengths from IHDR to IEND. */
export function checkPng(bytes: Buffer): ImageStructure {
  if (bytes.length < 8 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return broken('PNG signature is missing');
  let offset = 8;
  let animated = false;
  let first = true;
  while (offset + 8 <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (first && type !== 'IHDR') return broken(`PNG starts with a ${type} chunk instead of IHDR`);
    first = false;
    // Length, type, data and CRC.
    const end = offset + 12 + length;
    if (end > bytes.length) break;
    if (type === 'acTL') animated = true;
    if (type === 'IEND') return { ok: true, animated };
    offset = end;
  }
  return broken('PNG is truncated: it ends before the IEND chunk');
}

/** Skips a chain of GIF data sub-blocks (size byte, data, ..., 0); returns the offset after it or -1 when cut off. */
function skipGifSubBlocks(bytes: Buffer, start: number): number {
  let offset = start;
  while (offset < bytes.length) {
    const size = bytes[offset] ?? 0;
    offset += 1 + size;
    if (size === 0) return offset;
  }
  return -1;
}

/** Checks a GIF from its header through image and extension blocks to the trailer byte. */
export function checkGif(bytes: Buffer): ImageStructure {
  const header = bytes.toString('latin1', 0, 6);
  if (header !== 'GIF87a' && header !== 'GIF89a') return broken('GIF header is missing');
  if (bytes.length < 13) return broken('GIF is truncated inside its screen descriptor');
  const screenFlags = bytes[10] ?? 0;
  let offset = 13 + (screenFlags & 0x80 ? 3 * 2 ** ((screenFlags & 0x07) + 1) : 0);
  let images = 0;
  while (offset >= 0 && offset < bytes.length) {
    const introducer = bytes[offset];
    if (introducer === 0x3b) return { ok: true, animated: images > 1 };
    if (introducer === 0x21) {
      offset = skipGifSubBlocks(bytes, offset + 2);
    } else if (introducer === 0x2c) {
      images++;
      const imageFlags = bytes[offset + 9] ?? 0;
      const localTable = imageFlags & 0x80 ? 3 * 2 ** ((imageFlags & 0x07) + 1) : 0;
      // Descriptor (10 bytes), local colour table, LZW minimum code size (1 byte), then data.
      offset = skipGifSubBlocks(bytes, offset + 10 + localTable + 1);
    } else {
      return broken(`GIF has an unknown block 0x${(introducer ?? 0).toString(16)} at byte ${offset}`);
    }
  }
  return broken('GIF is truncated: it ends before the trailer byte');
}

/** Checks a WebP RIFF container chunk by chunk and returns its EXIF chunk, if any. */
export function checkWebp(bytes: Buffer): ImageStructure {
  if (bytes.toString('latin1', 0, 4) !== 'RIFF' || bytes.toString('latin1', 8, 12) !== 'WEBP') return broken('WebP RIFF header is missing');
  const riffEnd = 8 + bytes.readUInt32LE(4);
  if (riffEnd > bytes.length) return broken(`WebP is truncated: RIFF header announces ${riffEnd} bytes, file has ${bytes.length}`);
  let offset = 12;
  let animated = false;
  let webpExif: Buffer | undefined;
  let hasImage = false;
  while (offset + 8 <= riffEnd) {
    const fourcc = bytes.toString('latin1', offset, offset + 4);
    const size = bytes.readUInt32LE(offset + 4);
    const dataEnd = offset + 8 + size;
    if (dataEnd > riffEnd) return broken(`WebP chunk ${fourcc} runs past the end of the file`);
    if (fourcc === 'VP8X' && ((bytes[offset + 8] ?? 0) & 0x02) !== 0) animated = true;
    if (fourcc === 'ANIM' || fourcc === 'ANMF') animated = true;
    if (fourcc === 'VP8 ' || fourcc === 'VP8L' || fourcc === 'ANMF') hasImage = true;
    if (fourcc === 'EXIF') webpExif = bytes.subarray(offset + 8, dataEnd);
    // Chunks are padded to an even size.
    offset = dataEnd + (size % 2);
  }
  if (!hasImage) return broken('WebP has no image data chunk');
  return { ok: true, animated, ...(webpExif ? { webpExif } : {}) };
}

/** Checks the structure of an image of an allowed type. */
export function checkImageStructure(contentType: MediaContentType, bytes: Buffer): ImageStructure {
  switch (contentType) {
    case 'image/jpeg':
      return checkJpeg(bytes);
    case 'image/png':
      return checkPng(bytes);
    case 'image/gif':
      return checkGif(bytes);
    case 'image/webp':
      return checkWebp(bytes);
    default:
      return broken(`${contentType} is not an image type`);
  }
}
