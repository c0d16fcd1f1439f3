/**
 * The GraphQL selection of every File field the REST API shows. Operations that return files
 * spread `...RestFile` and append this fragment.
 */
export const REST_FILE_FRAGMENT = /* GraphQL */ `
  fragment RestFile on File {
    id
    jobId
    submissionId
    contentType
    sizeBytes
    durationSeconds
    width
    height
    contentHash
    capturedAt
    aiStarRating
    deviceInfo { deviceModel deviceOs appVersion }
    workerRegion
    downloadUrl
    downloadUrlExpiresAt
    annotations
    keyframes { index timestampSeconds width height downloadUrl downloadUrlExpiresAt }
    createdAt
  }
`;

/** A keyframe as the RestFile fragment selects it. */
export interface GraphQLKeyframe {
  index: number;
  timestampSeconds: number;
  width: number;
  height: number;
  downloadUrl: string;
  downloadUrlExpiresAt: string;
}

/** A file as the RestFile fragment selects it; DateTime fields arrive as ISO 8601 strings. */
export interface GraphQLFile {
  id: string;
  jobId: string;
  submissionId: string;
  contentType: string;
  sizeBytes: number;
  durationSeconds: number | null;
  width: number | null;
  height: number | null;
  contentHash: string;
  capturedAt: string | null;
  aiStarRating: number;
  deviceInfo: { deviceModel: string | null; deviceOs: string | null; appVersion: string | null };
  workerRegion: string | null;
  downloadUrl: string;
  downloadUrlExpiresAt: string;
  annotations: unknown;
  keyframes: GraphQLKeyframe[] | null;
  createdAt: string;
}

export interface RestKeyframe {
  index: number;
  timestamp_seconds: number;
  width: number;
  height: number;
  download_url: string;
  download_url_expires_at: string;
}

/** The public File object; its fields are listed in the order the API reference gives them. */
export interface RestFile {
  object: 'file';
  id: string;
  job_id: string;
  submission_id: string;
  content_type: string;
  size_bytes: number;
  duration_seconds: number | null;
  width: number | null;
  height: number | null;
  content_hash: string;
  captured_at: string | null;
  ai_star_rating: number;
  device_info: { device_model: string | null; device_os: string | null; app_version: string | null };
  worker_region: string | null;
  download_url: string;
  download_url_expires_at: string;
  annotations: unknown;
  keyframes: RestKeyframe[] | null;
  created_at: string;
}

export function mapKeyframe(frame: GraphQLKeyframe): RestKeyframe {
  return {
    index: frame.index,
    timestamp_seconds: frame.timestampSeconds,
    width: frame.width,
    height: frame.height,
    download_url: frame.downloadUrl,
    download_url_expires_at: frame.downloadUrlExpiresAt,
  };
}

/** Maps a GraphQL File to the REST File object; the annotations JSON passes through unchanged. */
export function mapFile(file: GraphQLFile): RestFile {
  return {
    object: 'file',
    id: file.id,
    job_id: file.jobId,
    submission_id: file.submissionId,
    content_type: file.contentType,
    size_bytes: file.sizeBytes,
    duration_seconds: file.durationSeconds,
    width: file.width,
    height: file.height,
    content_hash: file.contentHash,
    captured_at: file.capturedAt,
    ai_star_rating: file.aiStarRating,
    device_info: {
      device_model: file.deviceInfo.deviceModel,
      device_os: file.deviceInfo.deviceOs,
      app_version: file.deviceInfo.appVersion,
    },
    worker_region: file.workerRegion,
    download_url: file.downloadUrl,
    download_url_expires_at: file.downloadUrlExpiresAt,
    annotations: file.annotations ?? null,
    keyframes: file.keyframes === null ? null : file.keyframes.map(mapKeyframe),
    created_at: file.createdAt,
  };
}
