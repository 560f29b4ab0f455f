// Writes schema/policy.schema.json from the schema object in packages/core (the one source).
// Run by `npm run schema`; test/schema.test.ts fails when the committed file is out of date.
import { writeFileSync } from 'node:fs';
import { policySchema } from '../packages/core/dist/policy/schema.js';

writeFileSync(new URL('../schema/policy.schema.json', import.meta.url), `${JSON.stringify(policySchema, null, 2)}\n`);
