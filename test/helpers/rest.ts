import { runCountingStatements } from '../../src/db/statement-counter.ts';
import type { App } from '../../src/http/app.ts';
import type { RestFile } from '../../src/rest/map-file.ts';

export interface RestErrorBody {
  error: { type: string; message: string; param?: string; request_id: string };
}

export interface RestListBody {
  object: 'list';
  data: RestFile[];
  has_more: boolean;
  next_cursor: string | null;
}

export interface RestRefreshBody {
  id: string;
  download_url: string;
  download_url_expires_at: string;
}

export interface RestResponse<TBody> {
  status: number;
  body: TBody;
  headers: Headers;
  /** SQL statements the request sent. */
  statements: number;
}

export interface RestRequestOptions {
  /** API key secret sent as `Authorization: Bearer …`; omit to send no Authorization header. */
  key?: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends a request to the app's REST API in-process and counts its SQL statements. */
export async function restRequest<TBody = unknown>(
  app: App,
  method: string,
  path: string,
  options: RestRequestOptions = {},
): Promise<RestResponse<TBody>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.Authorization = `Bearer ${options.key}`;
  const counter = { count: 0 };
  const response = await runCountingStatements(counter, () =>
    app.fetch(new Request(`http://gateway.test${path}`, { method, headers, body: options.body })),
  );
  return { status: response.status, body: (await response.json()) as TBody, headers: response.headers, statements: counter.count };
}

/**
 * Lists a job's files through REST with the given query string. The body type joins the list and
 * the error shape so a test can read either without casting; the status shows which one arrived.
 */
export function listFiles(app: App, key: string | undefined, jobId: string, query = '') {
  return restRequest<RestListBody & RestErrorBody>(app, 'GET', `/v1/jobs/${jobId}/files${query ? `?${query}` : ''}`, { key });
}

/** Refreshes a file's URL through REST, with an Idempotency-Key when one is given; body typed as for listFiles. */
export function refreshUrl(app: App, key: string | undefined, fileId: string, idempotencyKey?: string) {
  const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey };
  return restRequest<RestRefreshBody & RestErrorBody>(app, 'POST', `/v1/files/${fileId}/refresh_url`, { key, headers });
}
