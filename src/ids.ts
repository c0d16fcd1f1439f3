import { randomBytes } from 'node:crypto';
import { monotonicFactory } from 'ulid';

// Monotonic within this process, so ids minted in the same millisecond still sort in creation order.
const nextUlid = monotonicFactory();

export const ID_PREFIXES = {
  organization: 'org_',
  apiKey: 'key_',
  job: 'job_',
  file: 'file_',
  submission: 'sub_',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

const ULID_PATTERN = '[0-9A-HJKMNP-TV-Z]{26}';

export function newId(kind: IdKind, time: number = Date.now()): string {
  return `${ID_PREFIXES[kind]}${nextUlid(time)}`;
}

/** True when `value` is a well-formed id of that kind (prefix plus a 26-character Crockford ULID). */
export function isId(kind: IdKind, value: string): boolean {
  return new RegExp(`^${ID_PREFIXES[kind]}${ULID_PATTERN}$`).test(value);
}

/** Returns the kind named by the id's prefix, or undefined for an unknown prefix. */
export function idKind(value: string): IdKind | undefined {
  for (const [kind, prefix] of Object.entries(ID_PREFIXES)) {
    if (value.startsWith(prefix)) return kind as IdKind;
  }
  return undefined;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Creates an API key secret: `fh_live_` and 40 base62 characters drawn without modulo bias. */
export function newApiKeySecret(length = 40): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      // 248 = 4 * 62: bytes at or above it are dropped so every character is equally likely.
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return `fh_live_${out}`;
}
