import { AsyncLocalStorage } from 'node:async_hooks';

/** Facts about the request being served, readable anywhere below the router (e.g. error masking). */
export interface RequestScope {
  requestId: string;
  /** Set once the API key is known, for the request log line. */
  apiKeyId?: string;
  /** GraphQL operation name or REST route, for logs and metrics. */
  operation?: string;
  /** True when the response is a stored one replayed for a repeated Idempotency-Key. */
  replayed?: boolean;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

export function currentRequestScope(): RequestScope | undefined {
  return storage.getStore();
}
