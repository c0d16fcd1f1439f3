import { type FileHandle, open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { ERROR_CATALOGUE } from '../errors.ts';
import { decideRange } from './http-range.ts';
import { entityTag, type ParsedObjectKey, parseObjectKey } from './keys.ts';
import { LocalObjectStore } from './local.ts';
import type { ObjectStore } from './types.ts';

const RENEW_ADVICE = 'List the files again or call refresh_url (refreshFileUrl in GraphQL) for a new URL.';

const AUTHORIZATION_MESSAGES = {
  missing: `The download URL has no signature, expiry or content type. ${RENEW_ADVICE}`,
  invalid: `The download URL's signature does not match its path, expiry or content type, so the URL was changed after signing. ${RENEW_ADVICE}`,
  expired: `The download URL has expired. ${RENEW_ADVICE}`,
} as const;

function errorResponse(code: keyof typeof ERROR_CATALOGUE, message: string): Response {
  const { restType, status } = ERROR_CATALOGUE[code];
  return Response.json({ error: { type: restType, message } }, { status, headers: { 'Cache-Control': 'no-store' } });
}

function methodNotAllowed(method: string): Response {
  const error = {
    type: ERROR_CATALOGUE.BAD_USER_INPUT.restType,
    message: `Method ${method} is not allowed on downloads. Use GET or HEAD.`,
  };
  return Response.json({ error }, { status: 405, headers: { Allow: 'GET, HEAD', 'Cache-Control': 'no-store' } });
}

/** Returns the object key of a download path, or undefined when the path is not a valid key. */
function keyFromPath(pathname: string, prefix: string): { key: string; parsed: ParsedObjectKey } | undefined {
  if (!pathname.startsWith(prefix)) return undefined;

  let key: string;
  try {
    key = decodeURIComponent(pathname.slice(prefix.length));
  } catch {
    return undefined;
  }
  // The strict key format rejects `..`, absolute paths, backslashes and NUL after decoding.
  const parsed = parseObjectKey(key);
  return parsed ? { key, parsed } : undefined;
}

/**
 * Creates the fetch-style handler for `GET` and `HEAD` of local download URLs
 * (`/objects/<key>?expires=…&content_type=…&signature=…`). It checks the signature in constant
 * time, serves single byte ranges and streams the file from disk.
 */
export function createLocalDownloadHandler(store: ObjectStore): (request: Request) => Promise<Response> {
  if (!(store instanceof LocalObjectStore)) {
    throw new TypeError(`Download URLs of the ${store.driver} driver are served by the object store itself, not this handler.`);
  }

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed(request.method);

    const url = new URL(request.url);
    const target = keyFromPath(url.pathname, store.downloadPathPrefix);
    if (!target) return errorResponse('BAD_USER_INPUT', 'The download path is not a valid object key.');

    const check = store.checkDownload(target.key, url.searchParams);
    if (check.status !== 'valid') return errorResponse('FORBIDDEN', AUTHORIZATION_MESSAGES[check.status]);

    let handle: FileHandle;
    try {
      handle = await open(store.objectPath(target.key), 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return objectNotFound();
      store.logger.error({ err: error }, 'opening a local object for download failed');
      return errorResponse('INTERNAL_SERVER_ERROR', 'Reading the object failed. Try again later.');
    }

    const secondsLeft = Math.max(0, check.expiresAtSeconds - Math.floor(store.clock() / 1000));
    const headers = {
      'Content-Type': check.contentType,
      ETag: entityTag(target.parsed),
      'Accept-Ranges': 'bytes',
      'Cache-Control': `private, max-age=${secondsLeft}`,
    };
    try {
      return await respondWithFile(request, handle, headers);
    } catch (error) {
      await handle.close();
      store.logger.error({ err: error }, 'reading a local object for download failed');
      return errorResponse('INTERNAL_SERVER_ERROR', 'Reading the object failed. Try again later.');
    }
  };
}

function objectNotFound(): Response {
  return errorResponse('NOT_FOUND', 'The object does not exist. It may have been removed after the URL was signed.');
}

async function respondWithFile(request: Request, handle: FileHandle, headers: Record<string, string>): Promise<Response> {
  const { size } = await handle.stat();

  // If-Range with another tag requests the whole object. Only entity tags are sent as validators here.
  const ifRange = request.headers.get('If-Range');
  const rangeHeader = ifRange === null || ifRange === headers.ETag ? request.headers.get('Range') : null;
  const range = decideRange(rangeHeader, size);

  if (range.kind === 'unsatisfiable') {
    await handle.close();
    return new Response(null, { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}` } });
  }

  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : size - 1;
  const status = range.kind === 'partial' ? 206 : 200;
  const responseHeaders: Record<string, string> = { ...headers, 'Content-Length': String(end - start + 1) };
  if (range.kind === 'partial') responseHeaders['Content-Range'] = `bytes ${start}-${end}/${size}`;

  if (request.method === 'HEAD' || size === 0) {
    await handle.close();
    return new Response(null, { status, headers: responseHeaders });
  }

  // The stream closes the file handle when it ends, fails or the client goes away.
  const stream = handle.createReadStream({ start, end });
  const body = Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>;
  return new Response(body, { status, headers: responseHeaders });
}
