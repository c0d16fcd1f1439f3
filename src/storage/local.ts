import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { assertObjectKey, type ParsedObjectKey } from './keys.ts';
import { loadLocalSigningSecret } from './local-secret.ts';
import { type Clock, type SigningTime, WindowedSigner } from './signing-window.ts';
import type { CachedUrlReader, ObjectStore, SignedUrl, SignedUrlCacheStats, SignOptions, SignRequest } from './types.ts';
import { SignedUrlCache } from './url-cache.ts';

/** Query parameters of a local download URL. */
export const LOCAL_URL_PARAMS = { expires: 'expires', contentType: 'content_type', signature: 'signature' } as const;

/** Outcome of checking a download URL's query parameters. */
export type DownloadCheck =
  | { status: 'valid'; expiresAtSeconds: number; contentType: string }
  | { status: 'missing' | 'invalid' | 'expired' };

interface LocalStoreSettings {
  dataDir: string;
  publicUrl: string;
  secret: Buffer;
  signer: WindowedSigner;
  cache: SignedUrlCache;
  clock: Clock;
  logger: Logger;
}

/** Keeps objects under `$DATA_DIR/objects/<key>` and signs URLs served by `createLocalDownloadHandler`. */
export class LocalObjectStore implements ObjectStore {
  readonly driver = 'local' as const;
  readonly objectsDir: string;
  /** URL path that download URLs start with, e.g. `/objects/`. */
  readonly downloadPathPrefix: string;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly #settings: LocalStoreSettings;
  readonly #secretIdentity: string;

  constructor(settings: LocalStoreSettings) {
    this.#settings = settings;
    this.objectsDir = path.join(settings.dataDir, 'objects');
    this.downloadPathPrefix = `${new URL(settings.publicUrl).pathname.replace(/\/+$/, '')}/objects/`;
    this.clock = settings.clock;
    this.logger = settings.logger;
    this.#secretIdentity = createHash('sha256').update(settings.secret).digest('hex').slice(0, 32);
  }

  get signCount(): number {
    return this.#settings.signer.signCount;
  }

  cacheStats(): SignedUrlCacheStats {
    return this.#settings.cache.stats();
  }

  /** Returns the file-system path of a key; the key's strict format keeps it inside `objectsDir`. */
  objectPath(key: string): string {
    assertObjectKey(key);
    return path.join(this.objectsDir, ...key.split('/'));
  }

  async put(key: string, body: Buffer | Readable, _contentType: string, sizeBytes: number): Promise<void> {
    const parsed = assertObjectKey(key);
    const target = this.objectPath(key);
    if (await this.exists(key)) {
      if (body instanceof Readable) body.destroy();
      return;
    }

    // Write beside the target and rename, so a crash never leaves a partial object under the key.
    await mkdir(path.dirname(target), { recursive: true });
    const temporary = `${target}.${randomBytes(8).toString('hex')}.tmp`;
    try {
      await writeVerified(body, temporary, parsed, sizeBytes);
      await rename(temporary, target);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.objectPath(key))).isFile();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await rm(this.objectPath(key), { force: true });
  }

  sign(requests: readonly SignRequest[], options: SignOptions = {}): Promise<SignedUrl[]> {
    return this.#settings.signer.sign(requests, options, {
      identity: this.#secretIdentity,
      signOne: async (request, time) => this.#signOne(request, time),
    });
  }

  async cachedUrls(): Promise<CachedUrlReader> {
    return this.#settings.signer.reader(this.#secretIdentity);
  }

  #signOne(request: SignRequest, time: SigningTime): SignedUrl {
    const expires = String(time.expiresAtSeconds);
    const signature = this.#signature(request.key, expires, request.contentType);
    const query = new URLSearchParams({
      [LOCAL_URL_PARAMS.expires]: expires,
      [LOCAL_URL_PARAMS.contentType]: request.contentType,
      [LOCAL_URL_PARAMS.signature]: signature,
    });
    return { url: `${this.#settings.publicUrl}/objects/${request.key}?${query}`, expiresAt: new Date(time.expiresAtSeconds * 1000) };
  }

  /** HMAC-SHA256 over every value the download depends on, one per line (none can contain a newline). */
  #signature(key: string, expires: string, contentType: string): string {
    return createHmac('sha256', this.#settings.secret).update(`files-gateway-v1\n${key}\n${expires}\n${contentType}`).digest('base64url');
  }

  /** Checks a download URL's parameters for `key`: signature first, then expiry. */
  checkDownload(key: string, params: URLSearchParams): DownloadCheck {
    const expires = params.get(LOCAL_URL_PARAMS.expires);
    const contentType = params.get(LOCAL_URL_PARAMS.contentType);
    const signature = params.get(LOCAL_URL_PARAMS.signature);
    if (!expires || !contentType || !signature) return { status: 'missing' };

    // Compare the encoded text, not decoded bytes: base64url decoding ignores stray characters.
    const expected = Buffer.from(this.#signature(key, expires, contentType));
    const received = Buffer.from(signature);
    if (received.length !== expected.length || !timingSafeEqual(received, expected)) return { status: 'invalid' };

    // Only digit strings are ever signed, so a valid signature implies a well-formed expiry.
    const expiresAtSeconds = Number(expires);
    if (expiresAtSeconds * 1000 <= this.clock()) return { status: 'expired' };
    return { status: 'valid', expiresAtSeconds, contentType };
  }

  async close(): Promise<void> {}
}

/** Writes `body` to `file`, rejecting bytes whose size or (for files) SHA-256 differ from the key's. */
async function writeVerified(body: Buffer | Readable, file: string, parsed: ParsedObjectKey, sizeBytes: number): Promise<void> {
  const hash = createHash('sha256');
  let received = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > sizeBytes) {
        callback(new Error(`Object body is longer than the stated ${sizeBytes} bytes.`));
        return;
      }
      hash.update(chunk);
      callback(null, chunk);
    },
  });

  const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
  await pipeline(source, meter, createWriteStream(file, { flags: 'wx', mode: 0o644, flush: true }));

  if (received !== sizeBytes) throw new Error(`Object body has ${received} bytes, expected ${sizeBytes}.`);
  const digest = hash.digest('hex');
  if (parsed.kind === 'file' && digest !== parsed.contentHash) {
    throw new Error(`Object body has SHA-256 ${digest}, but its key names ${parsed.contentHash}.`);
  }
}

/** Opens the local store: loads or creates the signing secret and sets up signing. */
export async function createLocalObjectStore(config: Config, logger: Logger, options: { now?: Clock } = {}): Promise<LocalObjectStore> {
  if (config.storage.driver !== 'local') throw new Error('createLocalObjectStore needs the local storage configuration.');

  const clock = options.now ?? Date.now;
  const cache = new SignedUrlCache(config.signedUrlCacheMaxEntries);
  const policy = { windowSeconds: config.signingWindowSeconds, lifetimeSeconds: config.urlExpiresSeconds };
  const secret = await loadLocalSigningSecret(config.storage.signingSecret, config.dataDir, logger);
  logger.info({ objectsDir: path.join(config.dataDir, 'objects') }, 'local object store opened');
  return new LocalObjectStore({
    dataDir: config.dataDir,
    publicUrl: config.publicUrl,
    secret,
    signer: new WindowedSigner(cache, policy, clock),
    cache,
    clock,
    logger,
  });
}
