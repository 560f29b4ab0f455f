import { parseArgs } from 'node:util';
import { policySchema } from '@countersign/core';
import type { Io } from '../io.js';

export const SCHEMA_USAGE = `countersign schema

Prints the policy's JSON Schema (2020-12), for editors and validators.`;

export function schemaCommand(args: string[], io: Io): number {
  parseArgs({ args, options: { format: { type: 'string' } }, strict: true, allowPositionals: false });
  io.stdout(`${JSON.stringify(policySchema, null, 2)}\n`);
  return 0;
}
