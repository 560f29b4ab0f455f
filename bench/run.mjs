// `npm run bench`: every benchmark, one after another (each prints its own figures and ratios).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

let failed = false;
for (const name of ['classify.mjs', 'evaluate.mjs', 'glob-index.mjs', 'verify.mjs', 'hash.mjs']) {
  const result = spawnSync(process.execPath, [fileURLToPath(new URL(name, import.meta.url))], { stdio: 'inherit' });
  failed ||= result.status !== 0;
}
process.exitCode = failed ? 1 : 0;
