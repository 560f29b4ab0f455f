import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { policySchema } from '../packages/core/src/index.js';
import { runCli } from './helpers/cli.js';

const committed = JSON.parse(
  await readFile(new URL('../schema/policy.schema.json', import.meta.url), 'utf8'),
) as unknown;

/** Every object that declares `properties` or `additionalProperties` schemas: each must describe itself. */
function undescribed(node: unknown, path: string, out: string[]): string[] {
  if (node === null || typeof node !== 'object') return out;
  if (Array.isArray(node)) {
    node.forEach((item, i) => undescribed(item, `${path}[${i}]`, out));
    return out;
  }
  const record = node as Record<string, unknown>;
  for (const key of ['properties', '$defs']) {
    const children = record[key];
    if (children !== null && typeof children === 'object') {
      for (const [name, child] of Object.entries(children)) {
        if (typeof (child as Record<string, unknown>)['description'] !== 'string') out.push(`${path}.${key}.${name}`);
      }
    }
  }
  for (const [key, value] of Object.entries(record)) undescribed(value, `${path}.${key}`, out);
  return out;
}

describe('schema/policy.schema.json', () => {
  it('is the schema the loader uses (run `npm run schema` after changing it)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(policySchema)));
  });

  it('describes every property, so editors can show help', () => {
    expect(undescribed(policySchema, '$', [])).toEqual([]);
  });

  it('is what `countersign schema` prints', async () => {
    const result = await runCli(['schema']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(committed);
  });
});
