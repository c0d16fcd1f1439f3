import type DataLoader from 'dataloader';
import type { Config } from '../config.ts';
import type { Database } from '../db/client.ts';
import type { FileRow, JobRow, KeyframeRow } from '../db/schema.ts';
import type { Logger } from '../logger.ts';
import type { ObjectStore, SignedUrl } from '../storage/types.ts';

/** The authenticated API key's organization and scopes, read once per request. */
export interface Principal {
  apiKeyId: string;
  organizationId: string;
  scopes: readonly string[];
}

/** Per-request DataLoaders; a new set for every request, so nothing leaks between callers. */
export interface Loaders {
  jobById: DataLoader<string, JobRow | null>;
  fileById: DataLoader<string, FileRow | null>;
  keyframesByFileId: DataLoader<string, KeyframeRow[]>;
  urls: RequestUrls;
}

/** Download URLs of one request. */
export interface RequestUrls {
  /** The signed URL of an object served as `contentType`: a value when cached, else a batched promise. */
  urlOf(storageKey: string, contentType: string): SignedUrl | Promise<SignedUrl>;
}

/** Long-lived parts shared by every request of one server. */
export interface AppServices {
  config: Config;
  database: Database;
  store: ObjectStore;
  logger: Logger;
}

export interface GraphQLContext {
  requestId: string;
  principal: Principal;
  loaders: Loaders;
  services: AppServices;
  logger: Logger;
}
