#!/usr/bin/env node
// Bundles each action's src/index.ts into its committed dist/ with ncc (ESM, licences alongside).
// `--check` bundles into a temporary folder instead and fails when the result differs from the
// committed dist/ in any byte: what runs on users' runners must be what the sources say.
// The workspace packages are bundled from their build output, so run `tsc -b` first.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ALL_ACTIONS = ['request-approval', 'wait-for-approval', 'gate', 'attest', 'verify', 'rollback-on-failure'];
// @actions/artifact brings the Azure blob client; minified, these bundles stay under the 3 MB that
// keeps a step's start fast. The others stay readable, as their stack traces are ours to read.
const MINIFIED = new Set(['attest', 'verify', 'rollback-on-failure']);
const check = process.argv.includes('--check');
// Names after the flags build just those actions, for a quick rebuild while working on one.
const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const name of named) if (!ALL_ACTIONS.includes(name)) throw new Error(`no action named ${name}`);
const ACTIONS = named.length > 0 ? named : ALL_ACTIONS;
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

function bundle(action, out) {
  const entry = join(root, 'actions', action, 'src', 'index.ts');
  return new Promise((resolve, reject) => {
    const flags = ['--license', 'licenses.txt', '--quiet', ...(MINIFIED.has(action) ? ['--minify'] : [])];
    const child = spawn(process.execPath, [ncc, 'build', entry, '-o', out, ...flags], {
      cwd: root,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ncc failed for ${action} (exit ${code})`))));
  });
}

async function files(dir) {
  const names = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return names
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

async function differences(expected, actual) {
  const [a, b] = await Promise.all([files(expected), files(actual)]);
  const out = [];
  for (const name of new Set([...a, ...b])) {
    if (!a.includes(name)) out.push(`${name}: not committed`);
    else if (!b.includes(name)) out.push(`${name}: committed but no longer built`);
    else if (!(await readFile(join(expected, name))).equals(await readFile(join(actual, name))))
      out.push(`${name}: differs`);
  }
  return out;
}

let failed = false;
for (const action of ACTIONS) {
  const dist = join(root, 'actions', action, 'dist');
  if (!check) {
    await rm(dist, { recursive: true, force: true });
    await bundle(action, dist);
    console.log(`built actions/${action}/dist`);
    continue;
  }
  const scratch = await mkdtemp(join(tmpdir(), `countersign-${action}-`));
  try {
    await bundle(action, scratch);
    const diff = await differences(dist, scratch);
    if (diff.length > 0) {
      failed = true;
      console.error(`actions/${action}/dist is not what its sources build:\n  ${diff.join('\n  ')}`);
    } else console.log(`actions/${action}/dist matches its sources`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
if (failed) {
  console.error('Run `npm run build:actions` and commit actions/*/dist.');
  process.exit(1);
}
