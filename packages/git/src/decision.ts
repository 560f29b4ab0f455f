import { randomBytes } from 'node:crypto';
import { ConfigurationError } from '@countersign/core';

/** The record a decision tag's message carries, on one JSON line after a human-readable line. */
export interface DecisionMessage {
  countersign: 1;
  decision: 'approve' | 'reject';
  environment: string;
  head: string;
  reason: string | null;
}

const ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const FULL_SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/**
 * Why an environment name cannot be one component of a tag name, or null when it can. With the
 * characters ENVIRONMENT allows, these are the only `git check-ref-format` rules left to break
 * (the tests hold the two to the same answers), and checking here keeps the function synchronous.
 */
function environmentProblem(environment: string): string | null {
  if (!ENVIRONMENT.test(environment)) {
    return "use letters, digits, '.', '_' and '-', starting with a letter or digit";
  }
  if (environment.includes('..')) return "'..' cannot appear in a git tag name";
  if (environment.endsWith('.lock')) return "a git tag name component cannot end with '.lock'";
  return null;
}

/** Throws a ConfigurationError naming --environment unless the name can be part of a tag name. */
export function assertEnvironment(environment: string): void {
  const problem = environmentProblem(environment);
  if (problem === null) return;
  throw new ConfigurationError({
    message: `--environment: ${JSON.stringify(environment)} cannot name an environment in a tag name: ${problem}`,
  });
}

/** 'countersign/<environment>/<head>/': every decision on that head for that environment is under it. */
export function decisionTagPrefix(environment: string, head: string): string {
  assertEnvironment(environment);
  if (!FULL_SHA.test(head)) {
    throw new ConfigurationError({ message: `--head: ${JSON.stringify(head)} is not a full commit sha` });
  }
  return `countersign/${environment}/${head}/`;
}

/**
 * Unique even for two approvers in the same millisecond: the time keeps names in order, the
 * random part keeps them apart (and `git tag` refuses an existing name rather than replace it).
 */
export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

/**
 * A first line a person reads in `git tag -n` or `git log`, a blank line, then the record. The
 * reason is only ever inside the JSON, whose escaping keeps it on one line whatever it contains.
 */
export function formatDecisionMessage(message: DecisionMessage): string {
  const record: DecisionMessage = {
    countersign: 1,
    decision: message.decision,
    environment: message.environment,
    head: message.head,
    reason: message.reason,
  };
  const human = `Countersign: ${message.decision} ${message.environment} ${message.head}`;
  return `${human}\n\n${JSON.stringify(record)}\n`;
}

/** The record on the message's last non-empty line, or null when that line is not one. */
export function parseDecisionMessage(message: string): DecisionMessage | null {
  const line = message
    .split('\n')
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .at(-1);
  if (line === undefined || !line.startsWith('{')) return null;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  return asDecisionMessage(value);
}

function asDecisionMessage(value: unknown): DecisionMessage | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const { countersign, decision, environment, head, reason } = record;
  if (countersign !== 1) return null;
  if (decision !== 'approve' && decision !== 'reject') return null;
  if (typeof environment !== 'string' || typeof head !== 'string') return null;
  if (reason !== null && reason !== undefined && typeof reason !== 'string') return null;
  return { countersign, decision, environment, head, reason: reason ?? null };
}
