/**
 * Content-addressed object keys. A key derives only from the lowercase hex SHA-256 of the bytes,
 * so identical bytes are stored once however many jobs use them, and no user-supplied name ever
 * reaches a key or a file-system path.
 *
 * Keyframes sit beside their video's object in the same folder. They are not in a folder named
 * after the video's key, because the local driver stores keys as files and one path cannot be
 * both a file and a folder.
 */

const CONTENT_HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Matches the whole key: `files/ab/cd/<hash>` or `files/ab/cd/<hash>.keyframe-<index>.png`. */
const OBJECT_KEY_PATTERN = /^files\/([0-9a-f]{2})\/([0-9a-f]{2})\/([0-9a-f]{64})(?:\.keyframe-(0|[1-9][0-9]{0,2})\.png)?$/;

export type ParsedObjectKey = { kind: 'file'; contentHash: string } | { kind: 'keyframe'; contentHash: string; index: number };

/** Raised for a content hash, keyframe index or object key that does not have the expected format. */
export class InvalidObjectKeyError extends Error {
  override name = 'InvalidObjectKeyError';
}

function assertContentHash(contentHash: string): void {
  if (!CONTENT_HASH_PATTERN.test(contentHash)) {
    throw new InvalidObjectKeyError(
      `Invalid content hash ${JSON.stringify(contentHash.slice(0, 80))}: expected 64 lowercase hex characters (SHA-256).`,
    );
  }
}

/** Returns the object key of a file's bytes, e.g. `files/ab/cd/abcd…`. */
export function fileObjectKey(contentHash: string): string {
  assertContentHash(contentHash);
  return `files/${contentHash.slice(0, 2)}/${contentHash.slice(2, 4)}/${contentHash}`;
}

/** Returns the object key of the video's keyframe number `index` (a PNG), beside the video's object. */
export function keyframeObjectKey(contentHash: string, index: number): string {
  if (!Number.isSafeInteger(index) || index < 0 || index > 999) {
    throw new InvalidObjectKeyError(`Invalid keyframe index ${index}: expected an integer from 0 to 999.`);
  }
  return `${fileObjectKey(contentHash)}.keyframe-${index}.png`;
}

/** Parses a key made by `fileObjectKey` or `keyframeObjectKey`; returns undefined for anything else. */
export function parseObjectKey(key: string): ParsedObjectKey | undefined {
  const match = OBJECT_KEY_PATTERN.exec(key);
  if (!match) return undefined;

  const [, prefix1, prefix2, contentHash, index] = match;
  if (contentHash === undefined || prefix1 !== contentHash.slice(0, 2) || prefix2 !== contentHash.slice(2, 4)) {
    return undefined;
  }
  return index === undefined ? { kind: 'file', contentHash } : { kind: 'keyframe', contentHash, index: Number(index) };
}

/**
 * Checks that `key` is a key this module makes. Every key that reaches a file-system path or a
 * signature passes here first, which rules out `..`, absolute paths, backslashes and NUL bytes.
 */
export function assertObjectKey(key: string): ParsedObjectKey {
  const parsed = parseObjectKey(key);
  if (!parsed) {
    throw new InvalidObjectKeyError(
      `Invalid object key ${JSON.stringify(key.slice(0, 200))}: expected a key made by fileObjectKey or keyframeObjectKey.`,
    );
  }
  return parsed;
}

/**
 * Returns the strong entity tag of an object, quoted. Objects never change once stored because
 * their keys are content-addressed, so a tag derived from the key stays valid.
 */
export function entityTag(parsed: ParsedObjectKey): string {
  return parsed.kind === 'file' ? `"${parsed.contentHash}"` : `"${parsed.contentHash}-keyframe-${parsed.index}"`;
}
