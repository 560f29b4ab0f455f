export { readChange, type ReadChangeOptions } from './change.js';
export { showFile } from './show.js';
export { repositoryRoot, resolveCommit } from './revision.js';
