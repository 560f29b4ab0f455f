// The hidden marker that binds a request issue to one repository, environment and head, so that a
// re-run or re-attempt finds the issue an earlier attempt opened instead of opening a second one.
//
// Anyone who can comment or open issues can also type this text, so a marker alone proves nothing.
// It counts only when it is the body's very first line, on an issue (not a pull request) that
// carries the `countersign` label and was opened by the identity this run's token acts as. The
// caller names that identity (`actorLogin`) rather than asking `GET /user`: a GITHUB_TOKEN or an
// App installation token cannot call `GET /user` at all, and their identity is known beforehand
// (`github-actions[bot]`, `<app-slug>[bot]`). issue.ts checks the name against the author of the
// first issue it opens, so a wrong `actorLogin` fails loudly instead of opening an issue per run.
import { ConfigurationError } from '@countersign/core';

export const REQUEST_LABEL = 'countersign';

export interface RequestMarker {
  /** `owner/name`. */
  repository: string;
  environment: string;
  /** The full commit sha being approved, lower case. */
  head: string;
}

const PREFIX = '<!-- countersign:request v1 ';
const SUFFIX = ' -->';
// Each value is free of spaces (the environment is percent-encoded), so the fields cannot run into
// each other and the whole line is matched exactly, start to end.
const MARKER_LINE = /^<!-- countersign:request v1 repo=(\S+) env=(\S+) head=([0-9a-f]{40}|[0-9a-f]{64}) -->$/;
// GitHub's own limits: owners are alphanumeric with inner hyphens (at most 39), names at most 100.
const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ENVIRONMENT_MAX = 255;
const CONTROL = /\p{Cc}/u;

/** GitHub allows up to 255 characters; control characters and edge spaces are refused here. */
export function environmentProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > ENVIRONMENT_MAX) return `is longer than ${ENVIRONMENT_MAX} characters`;
  if (CONTROL.test(name)) return 'contains a control character or a line break';
  if (name.trim() !== name) return 'starts or ends with white space';
  return null;
}

export function validateMarker(marker: RequestMarker): RequestMarker {
  const problems: string[] = [];
  if (!REPOSITORY.test(marker.repository))
    problems.push(`repository ${JSON.stringify(marker.repository)} is not owner/name`);
  const env = environmentProblem(marker.environment);
  if (env !== null) problems.push(`environment ${JSON.stringify(marker.environment)} ${env}`);
  const head = marker.head.toLowerCase();
  if (!SHA.test(head)) problems.push(`head ${JSON.stringify(marker.head)} is not a full commit sha`);
  if (problems.length > 0) throw new ConfigurationError(problems.map((message) => ({ message })));
  return { repository: marker.repository, environment: marker.environment, head };
}

export function writeMarker(marker: RequestMarker): string {
  const m = validateMarker(marker);
  return `${PREFIX}repo=${m.repository} env=${encodeURIComponent(m.environment)} head=${m.head}${SUFFIX}`;
}

/** The marker a line holds, or null when the line is anything but a well-formed marker. */
export function parseMarker(line: string): RequestMarker | null {
  const match = MARKER_LINE.exec(line);
  if (match === null) return null;
  const [, repository = '', encoded = '', head = ''] = match;
  const environment = decodeEnvironment(encoded);
  if (environment === null || !REPOSITORY.test(repository)) return null;
  return { repository, environment, head };
}

/** Only the canonical encoding is accepted, so one environment has exactly one marker text. */
function decodeEnvironment(encoded: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return null;
  }
  if (environmentProblem(name) !== null || encodeURIComponent(name) !== encoded) return null;
  return name;
}

export function firstLine(body: string | null | undefined): string {
  return (body ?? '').split(/\r\n|\r|\n/, 1)[0] ?? '';
}

/** The marker on a body's first line; text further down cannot stand in for it. */
export function markerOfBody(body: string | null | undefined): RequestMarker | null {
  return parseMarker(firstLine(body));
}

/** GitHub treats repository and environment names without regard to case; shas are lower case. */
export function sameRequest(a: RequestMarker, b: RequestMarker): boolean {
  return (
    a.repository.toLowerCase() === b.repository.toLowerCase() &&
    a.environment.toLowerCase() === b.environment.toLowerCase() &&
    a.head === b.head
  );
}

/** The fields of GitHub's issue that decide whether it is one of our request issues. */
export interface IssueLike {
  body?: string | null;
  user: { login: string } | null;
  labels: ReadonlyArray<string | { name?: string }>;
  pull_request?: unknown;
}

export function labelNames(issue: Pick<IssueLike, 'labels'>): string[] {
  return issue.labels.map((l) => (typeof l === 'string' ? l : (l.name ?? '')));
}

/** Logins are compared without regard to case, as GitHub does. */
export function sameLogin(a: string | null | undefined, b: string): boolean {
  return typeof a === 'string' && a.toLowerCase() === b.toLowerCase();
}

/** The issue's marker when the issue is a request issue our own identity opened; null otherwise. */
export function trustedMarker(issue: IssueLike, actorLogin: string): RequestMarker | null {
  if (issue.pull_request !== undefined && issue.pull_request !== null) return null;
  if (!sameLogin(issue.user?.login, actorLogin)) return null;
  if (!labelNames(issue).some((name) => name.toLowerCase() === REQUEST_LABEL)) return null;
  return markerOfBody(issue.body);
}
