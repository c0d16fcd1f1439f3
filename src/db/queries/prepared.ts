import type { Db } from '../client.ts';

/**
 * Wraps `build` so that it runs once per database handle and later calls return its result.
 * Prepared statements belong to the handle that built them, so the cache is keyed by handle and
 * two databases in one process (the tests open PGlite and PostgreSQL side by side) never share
 * one. The WeakMap drops the entry when the handle is garbage-collected.
 */
export function oncePerDatabase<T>(build: (db: Db) => T): (db: Db) => T {
  const cache = new WeakMap<Db, T>();
  return (db) => {
    let value = cache.get(db);
    if (value === undefined) {
      value = build(db);
      cache.set(db, value);
    }
    return value;
  };
}
