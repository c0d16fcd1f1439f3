import type { FileRow } from '../db/schema.ts';
import { notFound } from '../errors.ts';
import type { SignedUrl } from '../storage/types.ts';
import { builder } from './builder.ts';
import { FileRef } from './file.ts';

interface RefreshFileUrlPayload {
  file: FileRow;
  signed: SignedUrl;
}

const RefreshFileUrlPayloadRef = builder.objectRef<RefreshFileUrlPayload>('RefreshFileUrlPayload').implement({
  description: 'A freshly signed download URL for one file, valid for the full lifetime.',
  fields: (t) => ({
    id: t.id({ resolve: (payload) => payload.file.id }),
    downloadUrl: t.string({ resolve: (payload) => payload.signed.url }),
    downloadUrlExpiresAt: t.field({ type: 'DateTime', resolve: (payload) => payload.signed.expiresAt }),
    file: t.field({ type: FileRef, resolve: (payload) => payload.file }),
  }),
});

builder.mutationType({});

builder.mutationField('refreshFileUrl', (t) =>
  t.field({
    type: RefreshFileUrlPayloadRef,
    description:
      "Signs a new download URL for a file, bypassing the signing window; keyframe URLs are refreshed by listing the job's files again.",
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const id = String(args.id);
      const file = await ctx.loaders.fileById.load(id);
      if (!file) throw notFound('file', id);
      const [signed] = await ctx.services.store.sign([{ key: file.storageKey, contentType: file.contentType }], { fresh: true });
      if (!signed) throw new Error('object store returned no signed URL');
      return { file, signed };
    },
  }),
);
