import { assertObjectKey } from './keys.ts';
import type { CachedUrlReader, SignedUrl, SignOptions, SignRequest } from './types.ts';
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

  /**
   * Returns a reader of the URLs cached for the current window and this identity. A hit needs no
   * validation, because only validated requests are ever signed and cached.
   */
  reader(identity: string): CachedUrlReader {
    const nowMs = this.clock();
    const { windowStartSeconds } = signingTime(nowMs, this.policy, false);
    const inputs = { identity, windowStartSeconds: windowStartSeconds as number };
    // A miss here is followed by signing, which counts it.
    return { get: (request) => this.cache.get(request, inputs, nowMs, false) };
  }

  /**
   * Signs a batch. Cache hits are taken synchronously, and only the misses are validated, signed
   * one by one and cached. A fresh batch bypasses the cache both ways, because it must be signed
   * now and belongs to no window.
   */
  async sign(requests: readonly SignRequest[], options: SignOptions, signature: UrlSignature): Promise<SignedUrl[]> {
    const nowMs = this.clock();
    const time = signingTime(nowMs, this.policy, options.fresh === true);
    const inputs =
      time.windowStartSeconds === undefined ? undefined : { identity: signature.identity, windowStartSeconds: time.windowStartSeconds };

    const results = new Array<SignedUrl>(requests.length);
    const misses: number[] = [];
    for (let index = 0; index < requests.length; index++) {
      const hit = inputs && this.cache.get(requests[index] as SignRequest, inputs, nowMs);
      if (hit) results[index] = hit;
      else misses.push(index);
    }

    for (const request of misses.map((index) => requests[index] as SignRequest)) assertSignRequest(request);
    for (const index of misses) {
      const request = requests[index] as SignRequest;
      const signed = await signature.signOne(request, time);
      this.#signCount += 1;
      if (inputs) this.cache.set(request, inputs, signed);
      results[index] = signed;
    }
    return results;
  }
}
