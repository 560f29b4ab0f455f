// Reading the change, approvals and members files: parse, check, fill defaults. Every problem
// becomes a ConfigurationError naming the file, line and column.
import { ConfigurationError } from '../errors.js';
import type { Approval, Change, ChangedFile, Commit, Members } from '../model.js';
import { parseJson } from './document.js';
import { approvalsSchema, changeSchema, membersSchema } from './schemas.js';
import { schemaProblems } from './validate.js';

function checked(text: string, file: string, schema: object): unknown {
  const located = parseJson(text, file);
  const problems = schemaProblems(schema, located);
  if (problems.length > 0) throw new ConfigurationError(problems.slice(0, 20));
  return located.value;
}

/** What the schema guarantees; the rest is filled with defaults. */
type RawChange = Partial<Omit<Change, 'files' | 'commits'>> & {
  files: Array<Omit<ChangedFile, 'additions' | 'deletions'> & Partial<Pick<ChangedFile, 'additions' | 'deletions'>>>;
  commits?: Array<Pick<Commit, 'sha'> & Partial<Omit<Commit, 'sha'>>>;
};

export function parseChange(text: string, file: string): Change {
  const raw = checked(text, file, changeSchema) as RawChange;
  return {
    ...raw,
    labels: raw.labels ?? [],
    files: raw.files.map((f) => ({ ...f, additions: f.additions ?? 0, deletions: f.deletions ?? 0 })),
    commits: (raw.commits ?? []).map((c) => ({
      ...c,
      message: c.message ?? '',
      author: c.author ?? {},
      committer: c.committer ?? {},
    })),
    pull_requests: (raw.pull_requests ?? []).map((pr) => ({ ...pr, labels: pr.labels ?? [] })),
  };
}

export function parseApprovals(text: string, file: string): Approval[] {
  return checked(text, file, approvalsSchema) as Approval[];
}

export function parseMembers(text: string, file: string): Members {
  return checked(text, file, membersSchema) as Members;
}

/** A plain list of paths, one per line (`--files-from`): each becomes a modified file of unknown size. */
export function changeFromPaths(text: string): Change {
  const files = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((path): ChangedFile => ({ path: path.replace(/^\.\//, ''), status: 'modified', additions: 0, deletions: 0 }));
  return { labels: [], files, commits: [], pull_requests: [], paths_only: true };
}
