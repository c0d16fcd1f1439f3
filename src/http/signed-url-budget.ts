import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { badInput } from '../errors.ts';
import { PAGE_SIZE } from '../schema/pagination.ts';

/** Fields whose value needs a signed URL; both fields of one object share a single URL. */
const URL_FIELDS = new Set(['downloadUrl', 'downloadUrlExpiresAt']);
const KEYFRAMES_PER_VIDEO = 3;

interface Walk {
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

function argumentValue(field: FieldNode, name: string, walk: Walk): unknown {
  const node: ValueNode | undefined = field.arguments?.find((argument) => argument.name.value === name)?.value;
  if (!node) return undefined;
  if (node.kind === Kind.VARIABLE) return walk.variables[node.name.value];
  if (node.kind === Kind.INT) return Number(node.value);
  if (node.kind === Kind.LIST) return node.values;
  return undefined;
}

/** How many objects one occurrence of `field` can return, as an upper bound. */
function fanOut(field: FieldNode, walk: Walk): number {
  switch (field.name.value) {
    case 'files': {
      const size = argumentValue(field, 'first', walk) ?? argumentValue(field, 'last', walk);
      // Sizes above the maximum are rejected by the resolver, so the maximum bounds them.
      return typeof size === 'number' && size >= 0 ? Math.min(size, PAGE_SIZE.max) : PAGE_SIZE.default;
    }
    case 'keyframes':
      return KEYFRAMES_PER_VIDEO;
    case 'nodes': {
      const ids = argumentValue(field, 'ids', walk);
      return Array.isArray(ids) ? ids.length : 1;
    }
    default:
      return 1;
  }
}

/** Counts the URLs a selection set can sign, following fragments and multiplying by list sizes. */
function countUrls(selectionSet: SelectionSetNode, walk: Walk, seen: Set<string>): number {
  let total = 0;
  let signsHere = false;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (URL_FIELDS.has(selection.name.value)) signsHere = true;
      if (selection.selectionSet) total += fanOut(selection, walk) * countUrls(selection.selectionSet, walk, seen);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      total += countUrls(selection.selectionSet, walk, seen);
    } else {
      const fragment = walk.fragments.get(selection.name.value);
      // A fragment spread twice in one path would be a cycle, which validation has already rejected.
      if (fragment && !seen.has(fragment.name.value)) {
        total += countUrls(fragment.selectionSet, walk, new Set([...seen, fragment.name.value]));
      }
    }
  }
  return total + (signsHere ? 1 : 0);
}

/** Upper bound of the URLs an operation can sign, for the budget check. */
export function countSignedUrls(document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown>): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.OPERATION_DEFINITION) operations.push(definition);
  }
  const operation = operationName ? operations.find((op) => op.name?.value === operationName) : operations[0];
  if (!operation) return 0;
  return countUrls(operation.selectionSet, { fragments, variables }, new Set());
}

/**
 * Rejects, before execution, an operation that could sign more URLs than `maxSignedUrls`:
 * aliases and fragments can repeat `files(first: 100) { keyframes { downloadUrl } }` many times.
 */
export function signedUrlBudgetPlugin(maxSignedUrls: number): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const count = countSignedUrls(args.document, args.operationName ?? undefined, (args.variableValues ?? {}) as Record<string, unknown>);
      if (count > maxSignedUrls) {
        const error = badInput(
          'query',
          `This operation could sign up to ${count} download URLs, above the limit of ${maxSignedUrls} per request. Request fewer files per page, fewer aliases, or drop downloadUrl fields you do not need.`,
        );
        setResultAndStopExecution({ errors: [error] });
      }
    },
  };
}
