import type { JobRow } from '../db/schema.ts';
import { builder } from './builder.ts';

// Declared apart from job.ts so File.job and Job.files can refer to each other without an import cycle.
export const JobRef = builder.nodeRef<JobRow>('Job', {
  id: { resolve: (job) => job.id },
  loadMany: (ids, ctx) => ids.map((id) => ctx.loaders.jobById.load(id)),
});
