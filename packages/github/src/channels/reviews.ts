// Decisions given as pull request reviews on the change's pull requests. A review is bound to the
// commit it was given on (`commit_id`): the core discounts it as stale when that is not the head.
import type { Approval } from '@countersign/core';
import type { GitHubClient } from '../client.js';
import { mapLimit } from '../limit.js';
import { accountType, type ChannelResult } from './types.js';

export const REVIEW_SOURCE = 'pull-request-review';

const CONCURRENCY = 4;
// COMMENTED and PENDING decide nothing; DISMISSED was taken back by a maintainer.
const DECISIONS: Record<string, Approval['decision']> = { APPROVED: 'approve', CHANGES_REQUESTED: 'reject' };

export interface ReviewOptions {
  client: GitHubClient;
  owner: string;
  repo: string;
  pullNumbers: readonly number[];
}

/** The fields of GitHub's pull request review this channel reads. */
interface Review {
  state: string;
  user: { login: string; type?: string } | null;
  body?: string | null;
  submitted_at?: string;
  commit_id: string | null;
  html_url: string;
}

export async function readReviewApprovals(options: ReviewOptions): Promise<ChannelResult> {
  const perPull = await mapLimit([...new Set(options.pullNumbers)], CONCURRENCY, (number) =>
    reviewsOf(options, number),
  );
  return { approvals: perPull.flat(), notes: [] };
}

async function reviewsOf({ client, owner, repo }: ReviewOptions, pullNumber: number): Promise<Approval[]> {
  const reviews: Review[] = await client.paginate('GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews', {
    owner,
    repo,
    pull_number: pullNumber,
    per_page: 100,
  });
  return reviews.flatMap((review) => {
    const decision = DECISIONS[review.state.toUpperCase()];
    return decision === undefined ? [] : [approvalOf(review, decision)];
  });
}

function approvalOf(review: Review, decision: Approval['decision']): Approval {
  return {
    login: review.user?.login ?? null,
    type: accountType(review.user?.type),
    decision,
    at: review.submitted_at ?? null,
    edited_at: null,
    sha: review.commit_id,
    source: REVIEW_SOURCE,
    url: review.html_url,
    reason: review.body?.trim() || null,
  };
}
