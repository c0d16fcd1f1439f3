import { AsyncLocalStorage } from 'node:async_hooks';

/** Counts SQL statements sent inside one scope (a request, a test step); tests assert on it. */
export interface StatementCounter {
  count: number;
}

const storage = new AsyncLocalStorage<StatementCounter>();

export function runCountingStatements<T>(counter: StatementCounter, work: () => T): T {
  return storage.run(counter, work);
}

export function recordStatement(): void {
  const counter = storage.getStore();
  if (counter) counter.count += 1;
}
