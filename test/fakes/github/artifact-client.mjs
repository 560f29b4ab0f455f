// Runs the real @actions/artifact client against the fake, in its own process: the client reads
// GITHUB_API_URL when it is imported and its environment on every call, so each run gets a fresh
// process with exactly the env a runner would give. Usage: node artifact-client.mjs <ops.json> <out.json>
// where ops is a list of {op, ...args}; out receives one {ok, value | error} per op.
import { readFileSync, writeFileSync } from 'node:fs';
import { DefaultArtifactClient } from '@actions/artifact';

const [opsFile, outFile] = process.argv.slice(2);
const ops = JSON.parse(readFileSync(opsFile, 'utf8'));
const client = new DefaultArtifactClient();

const calls = {
  upload: (o) => client.uploadArtifact(o.name, o.files, o.rootDir, o.options ?? {}),
  list: (o) => client.listArtifacts(o.options ?? {}),
  get: (o) => client.getArtifact(o.name, o.options ?? {}),
  download: (o) => client.downloadArtifact(o.id, o.options ?? {}),
  delete: (o) => client.deleteArtifact(o.name, o.options ?? {}),
};

const results = [];
for (const op of ops) {
  try {
    results.push({ ok: true, value: await calls[op.op](op) });
  } catch (error) {
    results.push({ ok: false, error: { name: error?.name, message: String(error?.message ?? error) } });
  }
}
writeFileSync(outFile, JSON.stringify(results));
// Keep-alive sockets in the HTTP clients would otherwise hold the process open.
process.exit(0);
