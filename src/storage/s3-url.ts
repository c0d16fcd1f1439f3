import { GetObjectCommand, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** Host, port and path prefix of one bucket's GetObject URLs, as the SDK's endpoint rules resolve them. */
export interface S3UrlTemplate {
  /** With the trailing colon, e.g. `https:`. */
  protocol: string;
  hostname: string;
  port: number | undefined;
  /** Path before the object key, ending in `/`: `/bucket/` for path-style URLs, `/` for virtual-hosted ones. */
  pathPrefix: string;
  signingRegion: string;
}

const PLACEHOLDER_KEY = 'placeholder';

/**
 * Prepares the URL template once, with one `getSignedUrl` call, so the SDK's own endpoint rules
 * decide between path-style and virtual-hosted URLs. Each URL is then presigned from the template,
 * which costs about a tenth of a `getSignedUrl` call. The temporary client sends no request.
 */
export async function prepareUrlTemplate(config: S3ClientConfig, bucket: string): Promise<S3UrlTemplate> {
  const client = new S3Client(config);
  let sample: URL;
  try {
    sample = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: PLACEHOLDER_KEY }), { expiresIn: 60 }));
  } finally {
    client.destroy();
  }

  const suffix = `/${PLACEHOLDER_KEY}`;
  // X-Amz-Credential is `<access key id>/<date>/<region>/s3/aws4_request`.
  const signingRegion = sample.searchParams.get('X-Amz-Credential')?.split('/').at(-3);
  if (!sample.pathname.endsWith(suffix) || !signingRegion) {
    throw new Error(`Unexpected presigned URL shape from the AWS SDK for bucket ${bucket}; cannot prepare URL signing.`);
  }

  return {
    protocol: sample.protocol,
    hostname: sample.hostname,
    port: sample.port === '' ? undefined : Number(sample.port),
    pathPrefix: sample.pathname.slice(0, -PLACEHOLDER_KEY.length),
    signingRegion,
  };
}

const UNRESERVED_ONLY = /^[A-Za-z0-9._~-]*$/;
const RESERVED_BY_RFC_3986 = /[!'()*]/;

/** Percent-encodes as SigV4's canonical query does (RFC 3986 unreserved characters stay). */
function escapeUri(value: string): string {
  // Most names and values need no encoding, and this test costs less than encoding them.
  if (UNRESERVED_ONLY.test(value)) return value;
  const encoded = encodeURIComponent(value);
  if (!RESERVED_BY_RFC_3986.test(encoded)) return encoded;
  return encoded.replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

interface PresignedRequest {
  protocol: string;
  hostname: string;
  port?: number | undefined;
  path: string;
  query?: Record<string, string | string[] | null>;
}

/**
 * Serializes a presigned request into its URL, encoding the query as the signature expects. It joins
 * an array because a string built with `+=` keeps its rope nodes and takes about twice the heap in
 * the signed-URL cache.
 */
export function formatPresignedUrl(request: PresignedRequest): string {
  const port = request.port === undefined ? '' : `:${request.port}`;
  const parts = [`${request.protocol}//${request.hostname}${port}${request.path}?`];
  const params = request.query ?? {};
  for (const name in params) {
    const value = params[name];
    const values = typeof value === 'string' ? [value] : (value ?? []);
    for (const item of values) parts.push(`${parts.length === 1 ? '' : '&'}${escapeUri(name)}=${escapeUri(item)}`);
  }
  return parts.join('');
}
