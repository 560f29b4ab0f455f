// JSON Schemas of the CLI's input files (SPEC section 3). Unknown keys are allowed in these files
// (adapters may add facts), but every key the decision reads is checked for its type.
import { FILE_STATUSES, PERMISSIONS } from '../model.js';

const nullableString = { type: ['string', 'null'] };
const person = {
  type: 'object',
  properties: { login: nullableString, email: nullableString, name: nullableString },
};

export const changeSchema = {
  type: 'object',
  required: ['files'],
  properties: {
    repository: nullableString,
    environment: nullableString,
    branch: nullableString,
    base: nullableString,
    head: nullableString,
    requested_at: { type: ['string', 'null'], format: 'date-time' },
    labels: { type: 'array', items: { type: 'string' } },
    files: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'status'],
        properties: {
          path: { type: 'string', minLength: 1 },
          status: { enum: [...FILE_STATUSES] },
          additions: { type: 'integer', minimum: 0 },
          deletions: { type: 'integer', minimum: 0 },
          previous_path: nullableString,
          patch: nullableString,
        },
      },
    },
    commits: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sha'],
        properties: {
          sha: { type: 'string', minLength: 1 },
          message: { type: 'string' },
          author: person,
          committer: person,
        },
      },
    },
    pull_requests: {
      type: 'array',
      items: {
        type: 'object',
        required: ['number', 'author'],
        properties: {
          number: { type: 'integer' },
          author: { type: 'string', minLength: 1 },
          labels: { type: 'array', items: { type: 'string' } },
        },
      },
    },
    triggering_actor: nullableString,
    paths_only: { type: ['boolean', 'null'] },
  },
} as const;

export const approvalsSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['decision'],
    properties: {
      login: nullableString,
      email: nullableString,
      type: { enum: ['User', 'Bot', null] },
      decision: { enum: ['approve', 'reject'] },
      at: { type: ['string', 'null'], format: 'date-time' },
      edited_at: { type: ['string', 'null'], format: 'date-time' },
      sha: nullableString,
      permission: { enum: [...PERMISSIONS, null] },
      teams: { type: ['array', 'null'], items: { type: 'string' } },
      source: nullableString,
      url: nullableString,
      verified: { type: ['boolean', 'null'] },
      verification: nullableString,
      reason: nullableString,
    },
  },
} as const;

export const membersSchema = {
  type: 'object',
  propertyNames: { pattern: '^@[^\\s/@]+(/[^\\s/@]+)+$' },
  additionalProperties: { type: 'array', items: { type: 'string', minLength: 1 } },
} as const;
