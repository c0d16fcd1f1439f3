// Writes the printed GraphQL schema to schema.graphql; a test fails when the two differ.
import fs from 'node:fs';
import { printSchema } from 'graphql';
import { schema } from '../src/schema/index.ts';

const target = new URL('../schema.graphql', import.meta.url);
fs.writeFileSync(target, `${printSchema(schema)}\n`);
console.log(`wrote ${target.pathname}`);
