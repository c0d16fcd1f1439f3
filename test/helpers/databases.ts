import { afterAll, beforeAll } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.ts';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** Set in beforeAll; read it inside tests and hooks only. */
  database: Database;
}

/** The drivers every database test runs on: PGlite always, PostgreSQL when TEST_DATABASE_URL is set. */
export const DRIVERS: Array<'pglite' | 'postgres'> = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];

/**
 * Opens one database of the given driver for the enclosing describe block (PGlite starts in
 * 1-3 s, so one per file), migrated, and closes it afterwards.
 */
export function useTestDatabase(name: 'pglite' | 'postgres'): TestDatabase {
  const handle = { name } as TestDatabase;
  beforeAll(async () => {
    handle.database = await openDatabase({
      databaseUrl: name === 'postgres' ? process.env.TEST_DATABASE_URL : undefined,
      pgliteDir: 'memory',
    });
    // The global setup already migrated PostgreSQL; migrating again is a cheap no-op.
    await handle.database.migrate();
  });
  afterAll(async () => {
    await handle.database?.close();
  });
  return handle;
}
