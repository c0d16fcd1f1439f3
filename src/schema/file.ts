import type { FileRow } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import { formatCapturedAt } from '../media/captured-at.ts';
import { builder } from './builder.ts';
import { downloadUrlExpiryOf, downloadUrlOf } from './download-url.ts';
import { JobRef } from './job-ref.ts';
import { KeyframeRef } from './keyframe.ts';

export const FileRef = builder.nodeRef<FileRow>('File', {
  id: { resolve: (file) => file.id },
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.fileById.load(id)),
});

interface DeviceInfo {
  deviceModel: string | null;
  deviceOs: string | null;
  appVersion: string | null;
}

const DeviceInfoRef = builder.objectRef<DeviceInfo>('DeviceInfo').implement({
  description: 'The device and app that captured the file, where known.',
  fields: (t) => ({
    deviceModel: t.exposeString('deviceModel', { nullable: true }),
    deviceOs: t.exposeString('deviceOs', { nullable: true }),
    appVersion: t.exposeString('appVersion', { nullable: true }),
  }),
});

FileRef.implement({
  description: 'An approved submission: immutable bytes in object storage with their metadata.',
  isTypeOf: (value) => typeof (value as FileRow).contentHash === 'string',
  fields: (t) => ({
    job: t.field({
      type: JobRef,
      resolve: async (file, _args, ctx) => {
        const job = await ctx.loaders.jobById.load(file.jobId);
        // A file's job always belongs to the same organization; a miss means the row vanished.
        if (!job) throw notFound('job', file.jobId);
        return job;
      },
    }),
    jobId: t.exposeString('jobId'),
    submissionId: t.exposeString('submissionId'),
    contentType: t.exposeString('contentType', { description: 'MIME type detected from the bytes, e.g. image/jpeg.' }),
    sizeBytes: t.expose('sizeBytes', { type: 'SafeInt' }),
    durationSeconds: t.exposeFloat('durationSeconds', { nullable: true, description: 'Audio and video only, from ffprobe.' }),
    width: t.exposeInt('width', { nullable: true, description: 'Displayed width: after EXIF orientation or video rotation.' }),
    height: t.exposeInt('height', { nullable: true, description: 'Displayed height: after EXIF orientation or video rotation.' }),
    contentHash: t.exposeString('contentHash', { description: 'Lowercase hex SHA-256 of the bytes.' }),
    capturedAt: t.string({
      nullable: true,
      description:
        'Capture time, ISO 8601: with its UTC offset (or Z) when the source recorded one, else the bare local wall-clock time without an offset (e.g. 2015-06-11T10:29:26), never guessed into a time zone.',
      resolve: (file) => formatCapturedAt(file),
    }),
    aiStarRating: t.exposeInt('aiStarRating', { description: '1-5 quality score from the AI ensemble.' }),
    deviceInfo: t.field({
      type: DeviceInfoRef,
      resolve: (file) => ({ deviceModel: file.deviceModel, deviceOs: file.deviceOs, appVersion: file.appVersion }),
    }),
    workerRegion: t.exposeString('workerRegion', {
      nullable: true,
      description: 'ISO 3166-2 subdivision (or ISO 3166-1 country) of the GPS position.',
    }),
    downloadUrl: t.string({
      description:
        'Pre-signed download URL. Within one signing window every listing returns the same URL; it lives until downloadUrlExpiresAt.',
      resolve: (file, _args, ctx) => downloadUrlOf(ctx, file.storageKey, file.contentType),
    }),
    downloadUrlExpiresAt: t.field({
      type: 'DateTime',
      resolve: (file, _args, ctx) => downloadUrlExpiryOf(ctx, file.storageKey, file.contentType),
    }),
    annotations: t.field({ type: 'JSON', nullable: true, resolve: (file) => file.annotations ?? null }),
    keyframes: t.field({
      type: [KeyframeRef],
      nullable: true,
      description: 'Three keyframes for a video; null for images and audio.',
      resolve: (file, _args, ctx) => (file.contentType.startsWith('video/') ? ctx.loaders.keyframesByFileId.load(file.id) : null),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('file', (t) =>
  t.field({
    type: FileRef,
    nullable: true,
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const file = await ctx.loaders.fileById.load(String(args.id));
      if (!file) throw notFound('file', String(args.id));
      return file;
    },
  }),
);
