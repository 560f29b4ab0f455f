// The wait step's own inputs (beyond the subject): shared by wait-for-approval and the gate.
import { isAbsolute, resolve } from 'node:path';
import { ConfigurationError } from '@countersign/core';
import * as read from './inputs.js';
import type { Runner } from './runner.js';
import { DEFAULT_SOURCES, parseSources } from './sources.js';
import type { ApprovalSourceName } from '@countersign/github';

export interface WaitOptions {
  sources: readonly ApprovalSourceName[];
  timeoutMs: number;
  pollMs: number;
  failOnRejection: boolean;
  /** Absolute. */
  decisionFile: string;
}

export const DEFAULT_DECISION_FILE = 'countersign-decision.json';

export function readWaitOptions(runner: Runner): WaitOptions {
  const pollMs = read.duration('poll-interval', '5s');
  // Below a second GitHub's rate limit would be spent on nothing; tests may go lower only on a fake.
  if (pollMs < 1000 && runner.apiUrl.startsWith('https://'))
    throw new ConfigurationError({ message: 'input poll-interval must be at least 1s' });
  const file = read.text('decision-file', DEFAULT_DECISION_FILE);
  return {
    sources: parseSources('sources', read.list('sources', DEFAULT_SOURCES)),
    timeoutMs: read.duration('timeout', '6h'),
    pollMs,
    failOnRejection: read.boolean('fail-on-rejection', true),
    decisionFile: isAbsolute(file) ? file : resolve(runner.workspace, file),
  };
}

export function requestId(name: string): number | null {
  const value = read.optional(name);
  if (value === null) return null;
  const number = Number(value.replace(/^#/, ''));
  if (!Number.isSafeInteger(number) || number <= 0)
    throw new ConfigurationError({ message: `input ${name} must be an issue number such as 42 (got '${value}')` });
  return number;
}
