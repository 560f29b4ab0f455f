// The in-toto Statement of a deployment decision (SPEC section 5). The predicate holds everything
// an auditor asks — who took part, who approved and who was discounted and why, under which
// policy — and the inputs, so the decision can be taken again under today's policy.
import { ConfigurationError } from '../errors.js';
import type { Decision } from '../sod/decide.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const APPROVAL_PREDICATE = 'https://countersign.dev/deployment-approval/v1';
export const ROLLBACK_PREDICATE = 'https://countersign.dev/rollback/v1';
export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export interface Subject {
  name: string;
  digest: Record<string, string>;
}

export interface RunInfo {
  platform: string;
  id: string | null;
  url: string | null;
  actor: string | null;
}

export interface ApprovalPredicate {
  environment: string;
  repository: string | null;
  base: string | null;
  head: string | null;
  participants: Decision['participants'];
  policy: Decision['classification']['policy'];
  risk: Decision['risk'];
  reasons: Decision['classification']['reasons'];
  required: Decision['required'];
  decision: {
    status: Decision['status'];
    at: string;
    approvers: string[];
    counted: Decision['counted'];
    discounted: Decision['discounted'];
    rejected_by: string[];
    missing: Decision['missing'];
    assignments: Decision['assignments'];
    frozen: boolean;
    break_glass: Decision['break_glass'];
    notes: string[];
  };
  run: RunInfo;
  /** When the attestation was made. */
  time: string;
  /** SHA-256 (hex) of the payload bytes of the previous attestation for the same artefact, or null. */
  previous: string | null;
  inputs: Decision['inputs'];
}

export interface Statement<P = unknown> {
  _type: typeof STATEMENT_TYPE;
  subject: Subject[];
  predicateType: string;
  predicate: P;
}

export interface StatementOptions {
  environment: string;
  run: RunInfo;
  time: Date;
  previous: string | null;
}

export function approvalStatement(
  subjects: Subject[],
  decision: Decision,
  options: StatementOptions,
): Statement<ApprovalPredicate> {
  const change = decision.inputs.change;
  return {
    _type: STATEMENT_TYPE,
    subject: subjects,
    predicateType: APPROVAL_PREDICATE,
    predicate: {
      environment: options.environment,
      repository: change.repository ?? null,
      base: change.base ?? null,
      head: change.head ?? null,
      participants: decision.participants,
      policy: decision.classification.policy,
      risk: decision.risk,
      reasons: decision.classification.reasons,
      required: decision.required,
      decision: {
        status: decision.status,
        at: decision.at,
        approvers: decision.approvers,
        counted: decision.counted,
        discounted: decision.discounted,
        rejected_by: decision.rejected_by,
        missing: decision.missing,
        assignments: decision.assignments,
        frozen: decision.frozen,
        break_glass: decision.break_glass,
        notes: decision.notes,
      },
      run: options.run,
      time: options.time.toISOString(),
      previous: options.previous,
      inputs: decision.inputs,
    },
  };
}

const DECISION_FIELDS = [
  'status',
  'risk',
  'at',
  'approvers',
  'counted',
  'discounted',
  'participants',
  'classification',
  'inputs',
] as const;

/** Checks that parsed JSON is a decision written by `countersign evaluate --format json` (or a wait step). */
export function asDecision(value: unknown, file: string): Decision {
  const problem = (message: string) =>
    new ConfigurationError({
      file,
      message: `${message}; expected the JSON decision written by \`countersign evaluate --format json\` or a wait step`,
    });
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw problem('is not a JSON object');
  const record = value as Record<string, unknown>;
  for (const field of DECISION_FIELDS) if (!(field in record)) throw problem(`has no '${field}'`);
  const inputs = record['inputs'] as Record<string, unknown> | null;
  if (
    inputs === null ||
    typeof inputs !== 'object' ||
    typeof inputs['change'] !== 'object' ||
    !Array.isArray(inputs['approvals'])
  ) {
    throw problem("has no 'inputs.change' and 'inputs.approvals'");
  }
  return value as Decision;
}

/** Run facts from the CI environment (GitHub Actions, GitLab CI), or a local run. */
export function runFromEnvironment(env: NodeJS.ProcessEnv): RunInfo {
  if (env['GITHUB_ACTIONS'] === 'true') {
    const server = env['GITHUB_SERVER_URL'] ?? 'https://github.com';
    const id = env['GITHUB_RUN_ID'] ?? null;
    const repo = env['GITHUB_REPOSITORY'];
    return {
      platform: 'github',
      id,
      url: id !== null && repo ? `${server}/${repo}/actions/runs/${id}` : null,
      actor: env['GITHUB_TRIGGERING_ACTOR'] ?? env['GITHUB_ACTOR'] ?? null,
    };
  }
  if (env['GITLAB_CI'] === 'true') {
    return {
      platform: 'gitlab',
      id: env['CI_PIPELINE_ID'] ?? null,
      url: env['CI_PIPELINE_URL'] ?? null,
      actor: env['GITLAB_USER_LOGIN'] ?? null,
    };
  }
  return { platform: 'local', id: null, url: null, actor: env['USER'] ?? null };
}
