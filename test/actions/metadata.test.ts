// What a user reads (action.yml, README) and what runs (dist/) must agree: every input and output
// documented, node24, a bundle small enough to start fast, and a gate that offers both steps' inputs.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ROOT } from './helpers.js';

interface ActionYml {
  inputs: Record<string, { description?: string; required?: boolean; default?: string }>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string };
}

async function metadata(file: string): Promise<ActionYml> {
  return parse(await readFile(join(ROOT, file), 'utf8')) as ActionYml;
}

const ACTIONS = [
  { yml: 'actions/request-approval/action.yml', readme: 'actions/request-approval/README.md' },
  { yml: 'actions/wait-for-approval/action.yml', readme: 'actions/wait-for-approval/README.md' },
  { yml: 'action.yml', readme: 'actions/gate/README.md' },
  { yml: 'actions/attest/action.yml', readme: 'actions/attest/README.md' },
  { yml: 'actions/verify/action.yml', readme: 'actions/verify/README.md' },
  { yml: 'actions/rollback-on-failure/action.yml', readme: 'actions/rollback-on-failure/README.md' },
];

describe.each(ACTIONS)('$yml', ({ yml, readme }) => {
  it('runs its bundle on node24, under 3 MB, with every input and output described', async () => {
    const action = await metadata(yml);
    expect(action.runs.using).toBe('node24');
    const main = join(ROOT, yml.replace(/action\.yml$/, ''), action.runs.main);
    expect((await stat(main)).size).toBeLessThan(3 * 1024 * 1024);
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)])
      expect(spec.description, name).toBeTruthy();
    if (yml === 'action.yml') return;
    const text = await readFile(join(ROOT, readme), 'utf8');
    for (const name of [...Object.keys(action.inputs), ...Object.keys(action.outputs)])
      expect(text, `${readme} documents ${name}`).toContain(`| \`${name}\``);
  });
});

it('the root gate offers the union of both steps’ inputs and outputs, with the same defaults', async () => {
  const [request, wait, gate] = await Promise.all(ACTIONS.slice(0, 3).map((a) => metadata(a.yml)));
  if (!gate || !request || !wait) throw new Error('unreachable');
  for (const step of [request, wait]) {
    for (const [name, spec] of Object.entries(step.inputs)) {
      if (name === 'request-id') continue;
      expect(gate.inputs[name]?.default, name).toBe(spec.default);
    }
    for (const name of Object.keys(step.outputs)) expect(Object.keys(gate.outputs)).toContain(name);
  }
});
