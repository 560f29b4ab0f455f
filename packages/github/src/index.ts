export { createGitHubClient, type GitHubClient, type GitHubClientOptions, type Logger } from './client.js';
export { GitHubApiError, isNotFound, statusOf } from './errors.js';
export { gatherChange, type GatherChangeOptions } from './change.js';
export { compare, resolveSha, COMPARE_COMMIT_LIMIT, COMPARE_FILE_LIMIT, type Comparison } from './compare.js';
export { pullRequestsOf } from './pulls.js';
export { defaultBase, type DefaultBaseOptions } from './base.js';
export {
  findLastKnownGood,
  findCurrentDeployment,
  getDeployment,
  findRollbackOf,
  rollbackAlreadyDone,
  type KnownGood,
  type KnownGoodOptions,
  type CurrentDeploymentOptions,
  type GetDeploymentOptions,
  type RollbackOfOptions,
} from './deployments/find.js';
export {
  markDeploymentFailed,
  createRollbackDeployment,
  finishRollbackDeployment,
  RollbackRefusedError,
  MAX_STATUS_DESCRIPTION,
  type MarkFailedOptions,
  type CreateRollbackOptions,
  type FinishRollbackOptions,
} from './deployments/write.js';
export { ROLLBACK_TASK, payloadDigest, standing, type DeploymentInfo, type Standing } from './deployments/shape.js';
export { readTrustedFile, type ReadTrustedFileOptions } from './policy-source.js';
export {
  createDirectory,
  permissionFrom,
  teamsOf,
  type Directory,
  type DirectoryOptions,
  type Enriched,
} from './directory.js';
export type { ChannelResult } from './channels/types.js';
export {
  parseCommand,
  readIssueCommentApprovals,
  ISSUE_COMMENT_SOURCE,
  type Command,
  type IssueCommentOptions,
} from './channels/issue-comments.js';
export { readReviewApprovals, REVIEW_SOURCE, type ReviewOptions } from './channels/reviews.js';
export {
  readEnvironmentApprovals,
  ENVIRONMENT_SOURCE,
  type EnvironmentApprovalOptions,
} from './channels/environment.js';
export {
  writeMarker,
  parseMarker,
  markerOfBody,
  trustedMarker,
  sameRequest,
  validateMarker,
  environmentProblem,
  REQUEST_LABEL,
  type RequestMarker,
  type IssueLike,
} from './request/marker.js';
export {
  renderRequestBody,
  MAX_LISTED_COMMITS,
  type RenderRequestBodyInput,
  type RequestChangeSummary,
  type HowToApprove,
  type ApprovalSourceName,
} from './request/body.js';
export {
  findRequestIssue,
  findOrOpenRequestIssue,
  updateRequestIssue,
  closeWithDecision,
  requestIssueBody,
  MAX_BODY,
  type RequestTarget,
  type RequestIssue,
  type OpenRequestOptions,
  type UpdateRequestOptions,
  type CloseRequestOptions,
} from './request/issue.js';
