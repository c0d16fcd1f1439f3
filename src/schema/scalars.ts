import { GraphQLError, Kind } from 'graphql';
import { builder } from './builder.ts';

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string in UTC with milliseconds, e.g. 2026-03-16T14:30:00.000Z.',
  serialize: (value) => (typeof value === 'string' ? value : value.toISOString()),
  parseValue: (value) => {
    const date = new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new GraphQLError(`Invalid DateTime ${JSON.stringify(value)}: expected ISO 8601.`);
    return date;
  },
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
});

builder.scalarType('SafeInt', {
  description: 'An integer up to 2^53 - 1, for values such as byte sizes that exceed the 32-bit Int.',
  serialize: (value) => value,
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
      throw new GraphQLError(`Invalid SafeInt ${JSON.stringify(value)}: expected an integer within ±(2^53 - 1).`);
    }
    return value;
  },
  parseLiteral: (node) => {
    if (node.kind !== Kind.INT) throw new GraphQLError('Invalid SafeInt literal: expected an integer.');
    return Number(node.value);
  },
});
