import type { RestContext, RestResult } from './execute.ts';
import { hashRequest, readIdempotencyKey, runIdempotent } from './idempotency.ts';
import { rejectUnknownParameters } from './params.ts';

const REFRESH_FILE_URL_OPERATION = /* GraphQL */ `
  mutation RestRefreshFileUrl($fileId: ID!) {
    refreshFileUrl(id: $fileId) { id downloadUrl downloadUrlExpiresAt }
  }
`;

interface RefreshFileUrlData {
  refreshFileUrl: { id: string; downloadUrl: string; downloadUrlExpiresAt: string };
}

async function signFreshUrl(context: RestContext, request: Request, fileId: string): Promise<RestResult> {
  const { data, headers } = await context.query<RefreshFileUrlData>(request, REFRESH_FILE_URL_OPERATION, { fileId });
  const payload = data.refreshFileUrl;
  const body = { id: payload.id, download_url: payload.downloadUrl, download_url_expires_at: payload.downloadUrlExpiresAt };
  return { status: 200, body, headers };
}

/**
 * POST /v1/files/{file_id}/refresh_url: signs a new download URL with the full lifetime. With an
 * Idempotency-Key the caller is authenticated before the key is reserved, so a request without a
 * valid API key never writes an idempotency row.
 */
export async function refreshFileUrl(context: RestContext, request: Request, fileId: string): Promise<RestResult> {
  const idempotencyKey = await context.parseInput(request, () => {
    rejectUnknownParameters(new URL(request.url).searchParams, []);
    return readIdempotencyKey(request);
  });
  if (idempotencyKey === undefined) return signFreshUrl(context, request, fileId);

  const apiKeyId = await context.authenticate(request);
  // The route defines no body, but one sent anyway is part of what makes a request "the same".
  const body = new Uint8Array(await request.arrayBuffer());
  const requestHash = hashRequest(request.method, new URL(request.url).pathname, body);
  const services = { db: context.services.database.db, logger: context.services.logger };
  return runIdempotent(services, { apiKeyId, key: idempotencyKey, requestHash }, () => signFreshUrl(context, request, fileId));
}
