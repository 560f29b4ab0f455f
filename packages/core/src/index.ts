export * from './model.js';
export * from './errors.js';
export { loadPolicy } from './policy/load.js';
export { policySchema } from './policy/schema.js';
export type * from './policy/types.js';
export { parseChange, parseApprovals, parseMembers, changeFromPaths } from './input/files.js';
export { classify, addedLines, changeLabels, DEFAULT_TRUSTED_PATHS } from './risk/classify.js';
export type {
  Classification,
  Reason,
  Required,
  RequiredRole,
  ActiveFreeze,
  BreakGlassState,
  ClassifyOptions,
} from './risk/classify.js';
export { decide } from './sod/decide.js';
export type { Decision, DecideInput, CountedApproval, DiscountedApproval, MissingRole } from './sod/decide.js';
export { participantsOf, type Participant, type ParticipantKind } from './sod/participants.js';
export { coAuthors, loginFromNoReply, identityKeys, approverKey } from './sod/identity.js';
export { maximumMatching } from './sod/matching.js';
export { parseDuration, formatDuration } from './time/duration.js';
export { parseInstant } from './time/instant.js';
export { classificationText, decisionText, type TextOptions } from './render/text.js';
export { classificationMarkdown, decisionMarkdown } from './render/markdown.js';
export { escapeMarkdown, codeSpan, cellCode } from './render/markdown-escape.js';
export { digestFile, digestDirectory, digestPath, parseDigest } from './attestation/digest.js';
export {
  pae,
  signEnvelope,
  parseEnvelope,
  verifyEnvelope,
  decodeBase64,
  type Envelope,
  type SignatureCheck,
} from './attestation/dsse.js';
export {
  parsePrivateKey,
  parsePublicKey,
  parseKeyring,
  generateKeyPair,
  keyidOf,
  KEY_ALGORITHMS,
} from './attestation/keys.js';
export type { KeyAlgorithm, PublicKeyInfo, PrivateKeyInfo } from './attestation/keys.js';
export { keySigner, type Signer } from './attestation/signer.js';
export {
  approvalStatement,
  asDecision,
  runFromEnvironment,
  STATEMENT_TYPE,
  APPROVAL_PREDICATE,
  ROLLBACK_PREDICATE,
  PAYLOAD_TYPE,
} from './attestation/statement.js';
export type { Subject, RunInfo, ApprovalPredicate, Statement } from './attestation/statement.js';
export {
  attestationEnvironment,
  createAttestation,
  previousLink,
  type Attestation,
  type AttestInput,
} from './attestation/attest.js';
export { verifyAttestations, CHECKS } from './attestation/verify.js';
export type {
  ArtefactDigest,
  Check,
  CheckName,
  VerifyOptions,
  VerifyResult,
  CandidateResult,
} from './attestation/verify.js';
export { parseAttestationFile, type EnvelopeRecord } from './attestation/envelope-file.js';
