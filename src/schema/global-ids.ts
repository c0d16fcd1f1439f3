import { idKind } from '../ids.ts';
import type { GraphQLContext } from './context.ts';

/** GraphQL type of an id by its prefix; `Unknown` for anything else, which resolves to null. */
export function typenameForId(id: string): string {
  switch (idKind(id)) {
    case 'job':
      return 'Job';
    case 'file':
      return 'File';
    default:
      return 'Unknown';
  }
}

/** Loads the job or file a global id names, or null when it names nothing the caller may see. */
export function loadNode(ctx: GraphQLContext, id: { typename: string; id: string }): Promise<unknown> | null {
  if (id.typename === 'Job') return ctx.loaders.jobById.load(id.id);
  if (id.typename === 'File') return ctx.loaders.fileById.load(id.id);
  return null;
}
