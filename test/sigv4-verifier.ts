import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verifies AWS Signature Version 4 query-string authentication (presigned URLs) for tests only.
 * s3rver serves presigned URLs without checking their signatures, so the S3 tests check every URL
 * here. Written from the SigV4 description in the Amazon S3 API Reference ("Authenticating
 * Requests: Using Query Parameters"); it covers GET with `host` as the only signed header.
 */

export interface PresignedUrlCheck {
  valid: boolean;
  /** Why the URL failed, when it did. */
  reason?: string;
}

export interface VerifyOptions {
  secretAccessKey: string;
  /** When given, an expired URL fails; otherwise expiry is not checked. */
  now?: Date;
}

const REQUIRED_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

/** RFC 3986 encoding as SigV4 canonical requests use it. */
function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function hmac(key: Buffer | string, text: string): Buffer {
  return createHmac('sha256', key).update(text, 'utf8').digest();
}

/** Parses the raw query without URLSearchParams, which would turn `+` into a space. */
function parseQuery(search: string): [string, string][] {
  if (search.length <= 1) return [];
  return search
    .slice(1)
    .split('&')
    .map((pair) => {
      const index = pair.indexOf('=');
      const name = index === -1 ? pair : pair.slice(0, index);
      const value = index === -1 ? '' : pair.slice(index + 1);
      return [decodeURIComponent(name), decodeURIComponent(value)];
    });
}

/** Orders encoded query parameters by name, then value, by code point as SigV4 requires. */
function compareParams([nameA, valueA]: readonly [string, string], [nameB, valueB]: readonly [string, string]): number {
  if (nameA !== nameB) return nameA < nameB ? -1 : 1;
  if (valueA === valueB) return 0;
  return valueA < valueB ? -1 : 1;
}

export function buildCanonicalRequest(url: URL, params: [string, string][], signedHeaders: string): string {
  const canonicalQuery = params
    .filter(([name]) => name !== 'X-Amz-Signature')
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(compareParams)
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = { host: url.host } as Record<string, string>;
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((name) => `${name}:${headers[name] ?? ''}\n`)
    .join('');
  const payloadHash = params.find(([name]) => name === 'X-Amz-Content-Sha256')?.[1] ?? 'UNSIGNED-PAYLOAD';
  return ['GET', url.pathname, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
}

/** Recomputes the signature of a presigned GET URL and compares it with the one it carries. */
export function verifyPresignedUrl(urlText: string, options: VerifyOptions): PresignedUrlCheck {
  const url = new URL(urlText);
  const params = parseQuery(url.search);
  const get = (name: string) => params.find(([key]) => key === name)?.[1];
  for (const name of REQUIRED_PARAMS) {
    if (get(name) === undefined) return { valid: false, reason: `missing ${name}` };
  }

  const amzDate = get('X-Amz-Date') ?? '';
  const credential = (get('X-Amz-Credential') ?? '').split('/');
  const [scopeDate, region, service, terminator] = credential.slice(-4);
  if (get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return { valid: false, reason: 'unsupported algorithm' };
  if (credential.length < 5 || terminator !== 'aws4_request') return { valid: false, reason: 'malformed credential scope' };
  if (scopeDate !== amzDate.slice(0, 8)) return { valid: false, reason: 'scope date differs from X-Amz-Date' };

  const canonicalRequest = buildCanonicalRequest(url, params, get('X-Amz-SignedHeaders') ?? '');
  const scope = `${scopeDate}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const dateKey = hmac(`AWS4${options.secretAccessKey}`, scopeDate ?? '');
  const signingKey = hmac(hmac(hmac(dateKey, region ?? ''), service ?? ''), 'aws4_request');
  const expected = Buffer.from(hmac(signingKey, stringToSign).toString('hex'));
  const received = Buffer.from(get('X-Amz-Signature') ?? '');
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    return { valid: false, reason: 'signature mismatch' };
  }

  if (options.now) {
    const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'));
    const expiresAt = signedAt + Number(get('X-Amz-Expires')) * 1000;
    if (options.now.getTime() > expiresAt) return { valid: false, reason: 'expired' };
  }
  return { valid: true };
}
