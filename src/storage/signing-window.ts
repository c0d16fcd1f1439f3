import { assertObjectKey } from './keys.ts';
import type { SignedUrl, SignOptions, SignRequest } from './types.ts';
import type { SignedUrlCache } from './url-cache.ts';

/** When a URL is signed and when its signature expires, in Unix seconds. */
export interface SigningTime {
  signedAtSeconds: number;
  expiresAtSeconds: number;
  /** Start of the signing window the URL belongs to; undefined for a fresh URL, which is never cached. */
  windowStartSeconds: number | undefined;
}

/** Milliseconds since the Unix epoch, as `Date.now` returns; tests inject their own. */
export type Clock = () => number;

export interface SigningPolicy {
  windowSeconds: number;
  lifetimeSeconds: number;
}

/**
 * Computes the signing time. Inside one window every URL is signed as of the window start, so a
 * repeated listing returns identical URLs (which browsers and CDNs can cache) and costs no signing.
 * The price is that such a URL lives between `lifetime - window` and `lifetime` seconds from now.
 */
export function signingTime(nowMs: number, policy: SigningPolicy, fresh: boolean): SigningTime {
  const nowSeconds = Math.floor(nowMs / 1000);
  if (fresh) {
    return { signedAtSeconds: nowSeconds, expiresAtSeconds: nowSeconds + policy.lifetimeSeconds, windowStartSeconds: undefined };
  }

  const windowStart = Math.floor(nowSeconds / policy.windowSeconds) * policy.windowSeconds;
  return { signedAtSeconds: windowStart, expiresAtSeconds: windowStart + policy.lifetimeSeconds, windowStartSeconds: windowStart };
}

// Printable ASCII only: the content type goes into a signature, a URL and a response header.
const CONTENT_TYPE_PATTERN = /^[\x21-\x7e][\x20-\x7e]{0,253}[\x21-\x7e]$/;

/** Raised for a sign request whose content type cannot be served as a response header. */
export class InvalidContentTypeError extends Error {
  override name = 'InvalidContentTypeError';
}

function assertSignRequest(request: SignRequest): void {
  assertObjectKey(request.key);
  if (!CONTENT_TYPE_PATTERN.test(request.contentType) || !request.contentType.includes('/')) {
    throw new InvalidContentTypeError(
      `Invalid content type ${JSON.stringify(request.contentType.slice(0, 80))}: expected printable ASCII such as video/mp4.`,
    );
  }
}

/** One way of signing a URL, bound to the credentials it signs with. */
export interface UrlSignature {
  /** Stable digest of the signing secret or credentials; part of every cache key. */
  identity: string;
  signOne(request: SignRequest, time: SigningTime): Promise<SignedUrl>;
}

/** Signs batches through the signed-URL cache and counts the signatures actually computed. */
export class WindowedSigner {
  #signCount = 0;

  constructor(
    private readonly cache: SignedUrlCache,
    private readonly policy: SigningPolicy,
    private readonly clock: Clock,
  ) {}

  get signCount(): number {
    return this.#signCount;
  }

  async sign(requests: readonly SignRequest[], options: SignOptions, signature: UrlSignature): Promise<SignedUrl[]> {
    for (const request of requests) assertSignRequest(request);

    const nowMs = this.clock();
    const time = signingTime(nowMs, this.policy, options.fresh === true);
    const results: SignedUrl[] = [];
    for (const request of requests) {
      results.push(await this.signCached(request, time, nowMs, signature));
    }
    return results;
  }

  private async signCached(request: SignRequest, time: SigningTime, nowMs: number, signature: UrlSignature): Promise<SignedUrl> {
    // A fresh URL bypasses the cache both ways: it must be signed now, and it belongs to no window.
    if (time.windowStartSeconds === undefined) return this.signUncached(request, time, signature);

    const cacheKey = this.cache.keyFor(signature.identity, time.windowStartSeconds, request);
    const cached = this.cache.get(cacheKey, nowMs);
    if (cached) return cached;

    const signed = await this.signUncached(request, time, signature);
    this.cache.set(cacheKey, signed);
    return signed;
  }

  private async signUncached(request: SignRequest, time: SigningTime, signature: UrlSignature): Promise<SignedUrl> {
    const signed = await signature.signOne(request, time);
    this.#signCount += 1;
    return signed;
  }
}
