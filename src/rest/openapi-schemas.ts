/** JSON Schemas (2020-12, as OpenAPI 3.1 uses) of the REST response bodies, for the OpenAPI document. */
import { ERROR_CATALOGUE } from '../errors.ts';
import { MIN_SCORE } from '../schema/pagination.ts';
import { LIMIT } from './list-files.ts';

export type JsonObject = Record<string, unknown>;

export const ref = (kind: 'schemas' | 'parameters' | 'headers' | 'responses', name: string) => ({ $ref: `#/components/${kind}/${name}` });
const nullable = (type: string) => ({ type: [type, 'null'] });
const timestamp = (description: string) => ({ type: 'string', format: 'date-time', description });

const KEYFRAME_SCHEMA = {
  type: 'object',
  description: 'A PNG still of a video at about 25 %, 50 % or 75 % of its duration.',
  required: ['index', 'timestamp_seconds', 'width', 'height', 'download_url', 'download_url_expires_at'],
  additionalProperties: false,
  properties: {
    index: { type: 'integer', minimum: 0, maximum: 2 },
    timestamp_seconds: { type: 'number', minimum: 0 },
    width: { type: 'integer', minimum: 1 },
    height: { type: 'integer', minimum: 1 },
    download_url: { type: 'string', format: 'uri', description: 'Pre-signed URL of the PNG.' },
    download_url_expires_at: timestamp('Expiry of download_url.'),
  },
};

const FILE_PROPERTIES = {
  object: { type: 'string', const: 'file' },
  id: { type: 'string', pattern: '^file_', examples: ['file_01JQ8Z5X2V3K4M5N6P7Q8R9S0T'] },
  job_id: { type: 'string', pattern: '^job_' },
  submission_id: { type: 'string', description: 'Submission that produced this file.' },
  content_type: { type: 'string', description: 'MIME type detected from the bytes.', examples: ['image/jpeg'] },
  size_bytes: { type: 'integer', minimum: 1 },
  duration_seconds: { ...nullable('number'), exclusiveMinimum: 0, description: 'Audio and video only.' },
  width: { ...nullable('integer'), minimum: 1, description: 'Displayed width in pixels, images and videos only.' },
  height: { ...nullable('integer'), minimum: 1, description: 'Displayed height in pixels, images and videos only.' },
  content_hash: { type: 'string', pattern: '^[0-9a-f]{64}$', description: 'Lowercase hex SHA-256 of the bytes.' },
  captured_at: {
    ...nullable('string'),
    description:
      'Capture time, ISO 8601: with its UTC offset when the device recorded one, else the local wall-clock time without an offset.',
  },
  ai_star_rating: { type: 'integer', minimum: MIN_SCORE.min, maximum: MIN_SCORE.max },
  device_info: ref('schemas', 'DeviceInfo'),
  worker_region: {
    ...nullable('string'),
    description: 'ISO 3166-2 subdivision or ISO 3166-1 country of the GPS position.',
    examples: ['US-NY'],
  },
  download_url: { type: 'string', format: 'uri', description: 'Pre-signed download URL.' },
  download_url_expires_at: timestamp('Expiry of download_url.'),
  annotations: { ...nullable('object'), description: 'Auto-generated labels.' },
  keyframes: { ...nullable('array'), items: ref('schemas', 'Keyframe'), description: 'Three keyframes for a video, null otherwise.' },
  created_at: timestamp('When the file was created.'),
};

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['type', 'message', 'request_id'],
      additionalProperties: false,
      properties: {
        type: { type: 'string', enum: [...new Set(Object.values(ERROR_CATALOGUE).map((entry) => entry.restType))] },
        message: { type: 'string' },
        param: { type: 'string', description: 'The query parameter or header at fault.' },
        request_id: { type: 'string', description: 'Equal to the Request-Id response header.' },
      },
    },
  },
};

export function buildSchemas(): JsonObject {
  const nullableString = nullable('string');
  return {
    DeviceInfo: {
      type: 'object',
      required: ['device_model', 'device_os', 'app_version'],
      additionalProperties: false,
      properties: { device_model: nullableString, device_os: nullableString, app_version: nullableString },
    },
    Keyframe: KEYFRAME_SCHEMA,
    File: { type: 'object', required: Object.keys(FILE_PROPERTIES), additionalProperties: false, properties: FILE_PROPERTIES },
    FileList: {
      type: 'object',
      required: ['object', 'data', 'has_more', 'next_cursor'],
      additionalProperties: false,
      properties: {
        object: { type: 'string', const: 'list' },
        data: { type: 'array', maxItems: LIMIT.max, items: ref('schemas', 'File') },
        has_more: { type: 'boolean' },
        next_cursor: { ...nullable('string'), description: 'Pass as cursor to read the next page; null on the last page.' },
      },
    },
    RefreshedUrl: {
      type: 'object',
      required: ['id', 'download_url', 'download_url_expires_at'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^file_' },
        download_url: { type: 'string', format: 'uri' },
        download_url_expires_at: timestamp('Expiry of download_url, the full URL lifetime from now.'),
      },
    },
    Error: ERROR_SCHEMA,
  };
}
