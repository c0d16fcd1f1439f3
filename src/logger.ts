import pino from 'pino';

// Signed URLs and keys must never reach the logs, even inside an error or a request object.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  'key',
  'secret',
  'url',
  'downloadUrl',
  'download_url',
];

export type Logger = pino.Logger;

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { service: 'files-gateway' }, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination);
}

/** Drops the query string of a URL or path, where pre-signed URLs carry their signature. */
export function stripQuery(urlOrPath: string): string {
  const index = urlOrPath.indexOf('?');
  return index === -1 ? urlOrPath : urlOrPath.slice(0, index);
}
