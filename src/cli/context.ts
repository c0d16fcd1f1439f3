import path from 'node:path';
import { type Config, loadConfig } from '../config.ts';
import { type Database, openDatabase } from '../db/client.ts';
import { createLogger, type Logger } from '../logger.ts';
import { createObjectStore } from '../storage/index.ts';
import type { ObjectStore } from '../storage/types.ts';

export interface AppContext {
  config: Config;
  logger: Logger;
  database: Database;
  store: ObjectStore;
  close(): Promise<void>;
}

/** Opens the configured database (PGlite under $DATA_DIR/pglite when DATABASE_URL is unset). */
export async function openConfiguredDatabase(config: Config): Promise<Database> {
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    pgliteDir: path.join(config.dataDir, 'pglite'),
  });
  try {
    await database.migrate();
  } catch (error) {
    await database.close();
    throw error;
  }
  return database;
}

/** Loads configuration, opens and migrates the database and opens the object store. */
export async function openContext(options: { logToStderr?: boolean } = {}): Promise<AppContext> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, options.logToStderr ? process.stderr : undefined);
  const database = await openConfiguredDatabase(config);
  const store = await createObjectStore(config, logger);
  return {
    config,
    logger,
    database,
    store,
    close: async () => {
      await store.close();
      await database.close();
    },
  };
}
