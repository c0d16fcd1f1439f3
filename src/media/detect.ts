import fs from 'node:fs/promises';
import { fileTypeFromFile } from 'file-type';
import type { MediaRejection } from './analyze.ts';
import {
  canonicalContentType,
  describeAllowedTypes,
  formatMegabytes,
  MEDIA_TYPES,
  type MediaContentType,
  type MediaKind,
} from './limits.ts';

export interface Detection {
  ok: true;
  contentType: MediaContentType;
  kind: MediaKind;
  /** Size from stat, before the body is read. */
  sizeBytes: number;
}

const reject = (code: MediaRejection['code'], message: string): MediaRejection => ({ ok: false, code, message });

/**
 * Detects the content type from the file's leading bytes (never from its name) and checks the
 * size from stat against that type's limit, so an oversized body is never read.
 */
export async function detectMedia(filePath: string): Promise<Detection | MediaRejection> {
  let stat: Awaited<ReturnType<typeof fs.stat>>;
  try {
    stat = await fs.stat(filePath);
  } catch (error) {
    return reject('not_found', `Cannot read ${filePath}: ${(error as Error).message}.`);
  }
  if (!stat.isFile()) return reject('unsupported_type', `${filePath} is not a regular file; allowed: ${describeAllowedTypes()}.`);
  if (stat.size === 0) return reject('empty_file', `The file is empty (0 bytes); allowed: ${describeAllowedTypes()}.`);

  const detected = await fileTypeFromFile(filePath);
  if (!detected) {
    return reject('unsupported_type', `Found no known media signature in the content; allowed: ${describeAllowedTypes()}.`);
  }
  const contentType = canonicalContentType(detected.mime);
  if (!contentType) {
    return reject(
      'unsupported_type',
      `Found ${detected.mime} (.${detected.ext}) by content, which is not allowed; allowed: ${describeAllowedTypes()}.`,
    );
  }

  const tooLarge = checkSize(contentType, stat.size);
  if (tooLarge) return tooLarge;
  return { ok: true, contentType, kind: MEDIA_TYPES[contentType].kind, sizeBytes: stat.size };
}

/** Returns a `too_large` rejection when `sizeBytes` exceeds the limit of `contentType`. */
export function checkSize(contentType: MediaContentType, sizeBytes: number): MediaRejection | undefined {
  const { maxBytes } = MEDIA_TYPES[contentType];
  if (sizeBytes <= maxBytes) return undefined;
  return reject(
    'too_large',
    `The ${contentType} file is ${sizeBytes} bytes (${formatMegabytes(sizeBytes)}), over the ${formatMegabytes(maxBytes)} limit for ${contentType} (1 MB = 1,000,000 bytes).`,
  );
}
