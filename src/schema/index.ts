import { lexicographicSortSchema } from 'graphql';
import { builder } from './builder.ts';
import './scalars.ts';
import './job.ts';
import './file.ts';
import './keyframe.ts';
import './refresh-file-url.ts';

builder.queryType({});

export const schema = lexicographicSortSchema(builder.toSchema());
