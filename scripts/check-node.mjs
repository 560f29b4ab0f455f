// The tests and the CLI are written for Node 24. npm runs this script with node_modules/.bin first
// on PATH, where the project's own Node 24 (the `node` dev dependency) lives; if the machine's older
// node answers instead, the set-up did not complete and every later result would be misleading.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `countersign: Node ${process.versions.node} is running, but the project needs Node 24.\n` +
      'Run `npm install` at the repository root: it installs Node 24 from the npm registry into node_modules/.bin.',
  );
  process.exit(2);
}
