// Decisions written as comments on the request issue. Only the first line is read, and only two
// forms count: `/approve [reason]` and `/reject reason`. The body is untrusted text: it is matched
// against fixed patterns and otherwise carried as data.
import type { Approval } from '@countersign/core';
import type { GitHubClient } from '../client.js';
import { accountType, type ChannelResult } from './types.js';

export const ISSUE_COMMENT_SOURCE = 'issue-comment';

export type Command =
  { kind: 'decision'; decision: 'approve' | 'reject'; reason: string | null } | { kind: 'invalid'; problem: string };

const COMMAND = /^\/(approve|reject)(?:[ \t]+(.*))?$/i;

/** The command on the body's first line; null when the comment is not a command at all. */
export function parseCommand(body: string | null | undefined): Command | null {
  const firstLine = (body ?? '').split(/\r\n|\r|\n/, 1)[0] ?? '';
  const match = COMMAND.exec(firstLine.trimEnd());
  if (match === null) return null;
  const decision = (match[1] ?? '').toLowerCase() === 'approve' ? 'approve' : 'reject';
  const reason = match[2]?.trim() || null;
  if (decision === 'reject' && reason === null) {
    return { kind: 'invalid', problem: '`/reject` needs a reason on the same line' };
  }
  return { kind: 'decision', decision, reason };
}

export interface IssueCommentOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  issueNumber: number;
  /** The head the request issue asks about: a comment there is bound to it. */
  head: string;
}

export async function readIssueCommentApprovals(options: IssueCommentOptions): Promise<ChannelResult> {
  const { client, owner, repo, issueNumber } = options;
  const comments = await client.paginate('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
    owner,
    repo,
    issue_number: issueNumber,
    per_page: 100,
  });
  const result: ChannelResult = { approvals: [], notes: [] };
  for (const comment of comments) {
    const command = parseCommand(comment.body);
    if (command === null) continue;
    const login = comment.user?.login ?? null;
    if (command.kind === 'invalid') {
      result.notes.push(
        `Ignored a comment by ${login ?? 'an unknown account'} (${comment.html_url}): ${command.problem}.`,
      );
      continue;
    }
    result.approvals.push(approvalOf(comment, command, options.head));
  }
  return result;
}

/** The fields of GitHub's issue comment this channel reads. */
interface IssueComment {
  body?: string | null;
  user: { login: string; type?: string } | null;
  created_at: string;
  updated_at: string;
  html_url: string;
}

function approvalOf(comment: IssueComment, command: Extract<Command, { kind: 'decision' }>, head: string): Approval {
  return {
    login: comment.user?.login ?? null,
    type: accountType(comment.user?.type),
    decision: command.decision,
    at: comment.created_at,
    // Any later change to the text is an edit: the core discounts an approval edited after it was given.
    edited_at: comment.updated_at !== comment.created_at ? comment.updated_at : null,
    sha: head,
    source: ISSUE_COMMENT_SOURCE,
    url: comment.html_url,
    reason: command.reason,
  };
}
