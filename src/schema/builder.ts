import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { GraphQLContext } from './context.ts';
import { loadNode, typenameForId } from './global-ids.ts';

export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    // A resolver may return the ISO 8601 string itself, e.g. a cached URL expiry formatted once.
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    SafeInt: { Input: number; Output: number };
  };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    // Ids are prefixed ULIDs (`job_…`, `file_…`): the prefix already names the type, so the
    // global id is the database id unchanged.
    encodeGlobalID: (_typename, id) => String(id),
    decodeGlobalID: (globalID) => ({ typename: typenameForId(globalID), id: globalID }),
    // Ids resolve straight through the request's loaders (scoped to the caller's organization);
    // an id of no known type, like another organization's, resolves to null.
    nodeQueryOptions: { resolve: (_root, { id }, ctx) => loadNode(ctx, id) },
    nodesQueryOptions: { resolve: (_root, { ids }, ctx) => ids.map((id) => loadNode(ctx, id)) },
  },
});
