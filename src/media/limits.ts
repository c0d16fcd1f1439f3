/** The unit of every size limit here: 1 MB = 1,000,000 bytes (SI), not 1,048,576. */
export const MEGABYTE = 1_000_000;

export type MediaKind = 'image' | 'audio' | 'video';

/** The content types ingest accepts, each with its kind and its maximum size in bytes. */
export const MEDIA_TYPES = {
  'image/jpeg': { kind: 'image', maxBytes: 25 * MEGABYTE },
  'image/png': { kind: 'image', maxBytes: 25 * MEGABYTE },
  'image/webp': { kind: 'image', maxBytes: 25 * MEGABYTE },
  'image/gif': { kind: 'image', maxBytes: 25 * MEGABYTE },
  'audio/mpeg': { kind: 'audio', maxBytes: 50 * MEGABYTE },
  'audio/wav': { kind: 'audio', maxBytes: 50 * MEGABYTE },
  'audio/x-m4a': { kind: 'audio', maxBytes: 50 * MEGABYTE },
  'video/mp4': { kind: 'video', maxBytes: 250 * MEGABYTE },
  'video/quicktime': { kind: 'video', maxBytes: 250 * MEGABYTE },
} as const satisfies Record<string, { kind: MediaKind; maxBytes: number }>;

export type MediaContentType = keyof typeof MEDIA_TYPES;

/**
 * Other names that content detectors give to an allowed type. file-type 22 reports WAV as
 * `audio/wav`, but libmagic reports `audio/x-wav`. An APNG is a PNG whose first frame every PNG
 * decoder shows. `audio/mp4` is the registered name of the same MPEG-4 audio as `audio/x-m4a`.
 */
const CONTENT_TYPE_ALIASES: Readonly<Record<string, MediaContentType>> = {
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/vnd.wave': 'audio/wav',
  'image/apng': 'image/png',
  'audio/mp4': 'audio/x-m4a',
  'audio/m4a': 'audio/x-m4a',
  'audio/mp3': 'audio/mpeg',
};

/** Returns the canonical allowed content type for a detector's label, or undefined when it is not allowed. */
export function canonicalContentType(detected: string): MediaContentType | undefined {
  if (Object.hasOwn(MEDIA_TYPES, detected)) return detected as MediaContentType;
  return CONTENT_TYPE_ALIASES[detected];
}

/** The largest limit of any type: a file above it is too large whatever its type. */
export const MAX_MEDIA_BYTES = Math.max(...Object.values(MEDIA_TYPES).map((type) => type.maxBytes));

/** Formats a byte count in MB as the limits use it, e.g. `25 MB`. */
export function formatMegabytes(bytes: number): string {
  return `${Number((bytes / MEGABYTE).toFixed(2))} MB`;
}

/** Lists the allowed types grouped by limit, for rejection messages and help text. */
export function describeAllowedTypes(): string {
  const groups = new Map<number, string[]>();
  for (const [contentType, { maxBytes }] of Object.entries(MEDIA_TYPES)) {
    groups.set(maxBytes, [...(groups.get(maxBytes) ?? []), contentType]);
  }
  const parts = [...groups].map(([maxBytes, types]) => `${types.join(', ')} up to ${formatMegabytes(maxBytes)}`);
  return `${parts.join('; ')} (1 MB = 1,000,000 bytes)`;
}

/** Positions of a video's keyframes, as fractions of its duration. */
export const KEYFRAME_POSITIONS = [0.25, 0.5, 0.75] as const;

/** Time allowed to one ffmpeg or ffprobe run before it is killed. */
export const MEDIA_TOOL_TIMEOUT_MS = 120_000;

/** Search radii around a GPS position that lies in no region (water, coast), nearest first. */
export const REGION_SEARCH_RADII_KM = [0.5, 1, 2, 3.5, 5, 7.5, 10] as const;
