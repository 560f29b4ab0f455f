// The policy's JSON Schema (SPEC section 1). This object is the one source: `countersign schema`
// prints it and schema/policy.schema.json is written from it by `npm run schema` (a test fails when
// the committed file differs), so editors, the loader and the docs cannot disagree.
import { DURATION_PATTERN } from '../time/duration.js';
import { EXCLUSIONS, FILE_STATUSES, PERMISSIONS, RISK_LEVELS } from '../model.js';

const NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

// A user login, an email (the git platform's signing principal), or a team "@org/team"
// (GitLab groups may nest: "@group/subgroup/team").
const PRINCIPAL_PATTERN = '^(@[^\\s/@]+(/[^\\s/@]+)+|[^\\s@/]+|[^\\s@/]+@[^\\s@/]+)$';

const globList = (description: string) => ({
  type: 'array',
  description,
  minItems: 1,
  items: { type: 'string', minLength: 1, description: 'A glob with CODEOWNERS / gitignore conventions.' },
});

export const policySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://countersign.dev/schema/policy.schema.json',
  title: 'Countersign policy (.countersign.yml)',
  description:
    'How risky a change is, who must approve it before it deploys, and when deployments are frozen. ' +
    'Read from the base of the change (what is deployed now), never from the head being approved.',
  type: 'object',
  additionalProperties: false,
  required: ['version', 'levels'],
  properties: {
    version: { description: 'Version of the policy format. Always 1.', const: 1 },
    'default-risk': {
      $ref: '#/$defs/risk',
      description: 'Risk of a change that no rule gives a risk to. Default: medium.',
    },
    roles: {
      type: 'object',
      description:
        'Named groups of people who may approve: logins, emails (git platform) and teams written "@org/team".',
      propertyNames: { pattern: NAME_PATTERN },
      additionalProperties: {
        type: 'array',
        description: 'The members of this role.',
        minItems: 1,
        items: {
          type: 'string',
          pattern: PRINCIPAL_PATTERN,
          description: 'A login, an email, or a team "@org/team".',
        },
      },
    },
    levels: {
      type: 'object',
      description: 'What each risk level requires (low < medium < high < critical). All four are required.',
      additionalProperties: false,
      required: [...RISK_LEVELS],
      properties: Object.fromEntries(
        RISK_LEVELS.map((risk) => [
          risk,
          { $ref: '#/$defs/level', description: `What a change of risk ${risk} requires.` },
        ]),
      ),
    },
    rules: {
      type: 'array',
      description: 'Rules that raise (or, alone, lower) the risk of a change and add role requirements.',
      items: { $ref: '#/$defs/rule' },
    },
    environments: {
      type: 'object',
      description: 'Deployment environments, in promotion order (e.g. staging before production), with their settings.',
      propertyNames: { pattern: NAME_PATTERN },
      additionalProperties: { $ref: '#/$defs/environment' },
    },
    freezes: {
      type: 'array',
      description: 'Windows in which changes of some risk levels may not deploy (break-glass excepted).',
      items: { $ref: '#/$defs/freeze' },
    },
    'separation-of-duties': {
      type: 'object',
      description: 'Who may not approve a change, and what an approver needs. Defaults are the strict settings.',
      additionalProperties: false,
      properties: {
        exclude: {
          type: 'array',
          description:
            'Participants of the change whose approvals do not count. Default: all of commit-authors, committers, co-authors, pr-authors, triggering-actor.',
          uniqueItems: true,
          items: { enum: [...EXCLUSIONS], description: 'A kind of participant.' },
        },
        'min-permission': {
          enum: [...PERMISSIONS],
          description:
            'Lowest repository permission an approver needs (none < read < triage < write < maintain < admin). Default: write.',
        },
        'allow-bots': {
          type: 'boolean',
          description: 'Whether approvals from bot accounts count. Default: false.',
        },
        'distinct-requirements': {
          type: 'boolean',
          description:
            'true: each role requirement must be met by a different person (one person cannot be both the DBA and the SRE). Default: false.',
        },
      },
    },
    'allowed-signers': {
      type: 'string',
      minLength: 1,
      description:
        "The git platform's allowed-signers file (ssh-keygen's ALLOWED SIGNERS format), relative to the repository root, read from the base commit. Default: .countersign/allowed_signers.",
    },
    'break-glass': {
      type: 'object',
      description:
        'An emergency path: a change carrying one of these labels needs only `approvals` non-participant approvals, ignores freezes, and owes a post-review.',
      additionalProperties: false,
      required: ['labels'],
      properties: {
        labels: {
          type: 'array',
          description: 'Labels that invoke break-glass.',
          minItems: 1,
          items: { type: 'string', minLength: 1, description: 'A label name.' },
        },
        approvals: {
          type: 'integer',
          minimum: 0,
          description: 'Non-participant approvals a break-glass change needs. Default: 1.',
        },
        'post-review-within': {
          type: 'string',
          pattern: DURATION_PATTERN,
          description: 'Time by which the change must be reviewed after the decision, e.g. 24h. Default: 24h.',
        },
      },
    },
    rollback: {
      type: 'object',
      description:
        'What `countersign rollback` may do after a failed deploy. A change classified by a database migration rule is not rolled back automatically unless its rule is listed in `allow-with-rules`: rolling back the code does not revert the schema.',
      additionalProperties: false,
      properties: {
        'allow-with-rules': {
          type: 'array',
          description:
            'Ids of migration rules whose changes may still be rolled back automatically (the migrations are known to be backward compatible).',
          uniqueItems: true,
          items: { type: 'string', pattern: NAME_PATTERN, description: 'The id of a rule under `rules`.' },
        },
        'migration-rules': {
          type: 'array',
          description:
            'Ids of more rules that mark a database migration. Rules whose id contains "migration", or whose paths name a migrations directory or .sql files, are recognised without being listed.',
          uniqueItems: true,
          items: { type: 'string', pattern: NAME_PATTERN, description: 'The id of a rule under `rules`.' },
        },
      },
    },
  },
  $defs: {
    risk: { enum: [...RISK_LEVELS], description: 'A risk level: low, medium, high or critical.' },
    requirement: {
      type: 'object',
      description: 'A role whose members must approve.',
      additionalProperties: false,
      required: ['role'],
      properties: {
        role: { type: 'string', pattern: NAME_PATTERN, description: 'A role defined under `roles`.' },
        count: {
          type: 'integer',
          minimum: 1,
          description: 'How many members of the role must approve. Default: 1.',
        },
      },
    },
    level: {
      type: 'object',
      description: 'Approvals needed at a risk level.',
      additionalProperties: false,
      required: ['approvals'],
      properties: {
        approvals: {
          type: 'integer',
          minimum: 0,
          description: 'How many distinct counted approvers a change at this level needs.',
        },
        require: {
          type: 'array',
          description: 'Roles that must be among the approvers at this level.',
          items: { $ref: '#/$defs/requirement' },
        },
      },
    },
    rule: {
      type: 'object',
      description: 'When the change matches `when`, the rule adds its risk and its role requirements.',
      additionalProperties: false,
      required: ['id', 'when'],
      properties: {
        id: { type: 'string', pattern: NAME_PATTERN, description: 'A unique name, shown in every reason.' },
        description: { type: 'string', description: 'Why the rule exists, shown to approvers.' },
        when: { $ref: '#/$defs/condition', description: 'The conditions under which the rule applies.' },
        risk: {
          $ref: '#/$defs/risk',
          description: 'The risk of a matching change (the highest of all matching rules wins).',
        },
        require: {
          type: 'array',
          description: 'Roles that must approve a matching change.',
          items: { $ref: '#/$defs/requirement' },
        },
      },
    },
    condition: {
      type: 'object',
      description: 'Conditions on the change; all that are given must hold.',
      additionalProperties: false,
      minProperties: 1,
      properties: {
        paths: globList('Any changed file matches any of these globs.'),
        'all-paths': globList('Every changed file matches one of these globs (false for a change with no files).'),
        'files-over': { type: 'integer', minimum: 0, description: 'More than this many files changed.' },
        'lines-over': {
          type: 'integer',
          minimum: 0,
          description: 'More than this many lines changed (additions plus deletions).',
        },
        labels: {
          type: 'array',
          description: 'The change or one of its pull / merge requests carries any of these labels.',
          minItems: 1,
          items: { type: 'string', minLength: 1, description: 'A label name.' },
        },
        environments: {
          type: 'array',
          description: 'The change deploys to one of these environments.',
          minItems: 1,
          items: { type: 'string', minLength: 1, description: 'An environment name.' },
        },
        branches: globList('The change comes from or goes to a branch matching one of these globs.'),
        statuses: {
          type: 'array',
          description:
            'Some changed file has one of these statuses; with paths / all-paths, only files with these statuses are considered.',
          minItems: 1,
          uniqueItems: true,
          items: { enum: [...FILE_STATUSES], description: 'A file status.' },
        },
        content: {
          type: 'string',
          minLength: 1,
          description: 'A regular expression that some added line matches (needs the diff).',
        },
      },
    },
    environment: {
      type: 'object',
      description: 'Settings of one deployment environment.',
      additionalProperties: false,
      properties: {
        'minimum-risk': {
          $ref: '#/$defs/risk',
          description: 'A change deploying here is at least this risky.',
        },
      },
    },
    freeze: {
      type: 'object',
      description: 'A recurring window, opened by `start` and closed by the next `end`.',
      additionalProperties: false,
      required: ['id', 'start', 'end', 'timezone', 'blocks'],
      properties: {
        id: { type: 'string', pattern: NAME_PATTERN, description: 'A unique name, shown when a change is frozen.' },
        description: { type: 'string', description: 'Why the freeze exists.' },
        start: { type: 'string', description: 'A 5-field cron expression: when the freeze begins.' },
        end: { type: 'string', description: 'A 5-field cron expression: when the freeze ends.' },
        timezone: { type: 'string', description: 'The IANA time zone the crons are read in, e.g. America/New_York.' },
        blocks: {
          type: 'array',
          description: 'The risk levels that may not deploy during the freeze.',
          minItems: 1,
          uniqueItems: true,
          items: { $ref: '#/$defs/risk' },
        },
      },
    },
  },
} as const;
