import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { createLocalObjectStore, type LocalObjectStore } from './local.ts';
import { createS3ObjectStore, type S3CredentialsOption, type S3ObjectStore } from './s3.ts';
import type { Clock } from './signing-window.ts';

export interface ObjectStoreOptions {
  /** Clock in milliseconds since the epoch; tests inject one to move through signing windows. */
  now?: Clock;
  /** S3 only: credentials instead of the SDK's default chain, so tests never read ~/.aws. */
  credentials?: S3CredentialsOption;
}

/**
 * Opens the configured object store: S3 when S3_BUCKET is set, otherwise the embedded local
 * store under `$DATA_DIR/objects`. Narrow on `driver` to reach driver-specific members.
 */
export async function createObjectStore(
  config: Config,
  logger: Logger,
  options: ObjectStoreOptions = {},
): Promise<LocalObjectStore | S3ObjectStore> {
  const storeLogger = logger.child({ module: 'storage' });
  if (config.storage.driver === 's3') return createS3ObjectStore(config, storeLogger, options);
  return createLocalObjectStore(config, storeLogger, options);
}

export { entityTag, fileObjectKey, InvalidObjectKeyError, keyframeObjectKey, parseObjectKey } from './keys.ts';
export { LOCAL_URL_PARAMS, LocalObjectStore } from './local.ts';
export { createLocalDownloadHandler } from './local-download.ts';
export { type S3Credentials, type S3CredentialsOption, S3ObjectStore } from './s3.ts';
export { type Clock, InvalidContentTypeError, signingTime } from './signing-window.ts';
export type * from './types.ts';
