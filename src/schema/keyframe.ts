import type { KeyframeRow } from '../db/schema.ts';
import { builder } from './builder.ts';
import { downloadUrlExpiryOf, downloadUrlOf } from './download-url.ts';

/** Keyframes are always PNG, whatever the video's own type. */
export const KEYFRAME_CONTENT_TYPE = 'image/png';

export const KeyframeRef = builder.objectRef<KeyframeRow>('Keyframe');

KeyframeRef.implement({
  description: 'A PNG still of a video at 25 %, 50 % or 75 % of its duration, upright.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: '0, 1 or 2, in time order.' }),
    timestampSeconds: t.exposeFloat('timestampSeconds'),
    width: t.exposeInt('width'),
    height: t.exposeInt('height'),
    downloadUrl: t.string({
      description: 'Pre-signed URL of the PNG; see File.downloadUrl for its lifetime.',
      resolve: (frame, _args, ctx) => downloadUrlOf(ctx, frame.storageKey, KEYFRAME_CONTENT_TYPE),
    }),
    downloadUrlExpiresAt: t.field({
      type: 'DateTime',
      resolve: (frame, _args, ctx) => downloadUrlExpiryOf(ctx, frame.storageKey, KEYFRAME_CONTENT_TYPE),
    }),
  }),
});
