export { readChange, type ReadChangeOptions } from './change.js';
export { assertEnvironment } from './decision.js';
export { showFile } from './show.js';
export { repositoryRoot, resolveCommit } from './revision.js';
export { checkBase, defaultBase } from './base.js';
export {
  createDecisionTag,
  decisionTagPrefix,
  readDecisionTags,
  type CreateDecisionOptions,
  type DecisionMessage,
  type ReadDecisionsOptions,
} from './tags.js';
export { verifySshSignature, type SshVerification } from './ssh-signature.js';
export {
  addRequest,
  fetchCountersignRefs,
  pushRequests,
  readRequests,
  NOTES_REF,
  type RequestRecord,
} from './notes.js';
