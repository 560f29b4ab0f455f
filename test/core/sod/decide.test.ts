import { describe, expect, it } from 'vitest';
import { decide, type Approval, type Change, type Members, type Policy } from '../../../packages/core/src/index.js';
import {
  AT,
  BASE_POLICY,
  HEAD,
  OLD_HEAD,
  REQUESTED_AT,
  approval,
  change,
  commit,
  policy,
} from '../../helpers/builders.js';

const MEMBERS: Members = { '@acme/sre': ['erin', 'frank'], '@acme/dba': ['dora'], '@acme/appsec': ['sam'] };

function run(approvals: Approval[], opts: { change?: Change; policy?: Policy; members?: Members; at?: Date } = {}) {
  return decide({
    policy: opts.policy ?? policy(),
    change: opts.change ?? change(),
    approvals,
    members: opts.members ?? MEMBERS,
    at: opts.at ?? AT,
  });
}

function reasonOf(result: ReturnType<typeof run>, login: string) {
  return result.discounted.find((d) => d.login === login)?.reason;
}

describe('segregation of duties: participants never count', () => {
  it('discounts the commit author', () => {
    const r = run([approval('alice')]);
    expect(reasonOf(r, 'alice')).toBe('participant');
    expect(r.status).toBe('pending');
  });

  it('discounts a co-author named only through a GitHub no-reply address', () => {
    const c = change({
      commits: [commit('alice', { message: 'x\n\nCo-authored-by: Bob <42+Bob@users.noreply.github.com>' })],
    });
    expect(reasonOf(run([approval('bob')], { change: c }), 'bob')).toBe('participant');
  });

  it('discounts the committer when the author is someone else', () => {
    const c = change({
      commits: [{ ...commit('alice'), committer: { login: null, email: 'carl@example.com', name: 'Carl' } }],
    });
    const r = run([approval('carl', { email: 'CARL@example.com' })], { change: c });
    expect(reasonOf(r, 'carl')).toBe('participant');
    expect(r.discounted[0]?.detail).toContain('committer');
  });

  it('discounts the pull request author and the triggering actor', () => {
    const c = change({ pull_requests: [{ number: 7, author: 'Paula', labels: [] }], triggering_actor: 'Trent' });
    const r = run([approval('paula'), approval('trent')], { change: c });
    expect(reasonOf(r, 'paula')).toBe('participant');
    expect(reasonOf(r, 'trent')).toBe('participant');
  });

  it('matches logins case-insensitively', () => {
    expect(reasonOf(run([approval('ALICE')]), 'ALICE')).toBe('participant');
  });

  it('lets a committer approve when the policy does not exclude committers', () => {
    const p = policy(BASE_POLICY + 'separation-of-duties: { exclude: [commit-authors] }\n');
    const c = change({ commits: [{ ...commit('alice'), committer: { login: 'carl' } }], triggering_actor: null });
    const r = run([approval('carl')], { change: c, policy: p });
    expect(r.status).toBe('approved');
  });
});

describe('the other discount reasons, in SPEC order', () => {
  it('unverified comes first', () => {
    const r = run([approval('', { login: null }), approval('alice', { verified: false })]);
    expect(r.discounted.map((d) => d.reason)).toEqual(['unverified', 'unverified']);
  });

  it('participant before bot', () => {
    const c = change({ commits: [commit('renovate[bot]')], triggering_actor: null });
    expect(reasonOf(run([approval('renovate[bot]', { type: 'Bot' })], { change: c }), 'renovate[bot]')).toBe(
      'participant',
    );
  });

  it('bots do not count, by type or by [bot] suffix, unless allowed', () => {
    const r = run([approval('ci-helper', { type: 'Bot' }), approval('deployer[bot]', { type: 'User' })]);
    expect(r.discounted.map((d) => d.reason)).toEqual(['bot', 'bot']);
    const allowed = run([approval('ci-helper', { type: 'Bot' })], {
      policy: policy(BASE_POLICY + 'separation-of-duties: { allow-bots: true }\n'),
    });
    expect(allowed.status).toBe('approved');
  });

  it('permission below the minimum or unknown does not count', () => {
    const r = run([
      approval('rita', { permission: 'read' }),
      approval('uma', { permission: null }),
      approval('tia', { permission: 'triage' }),
    ]);
    expect(r.discounted.map((d) => [d.login, d.reason])).toEqual([
      ['rita', 'permission'],
      ['uma', 'permission'],
      ['tia', 'permission'],
    ]);
    expect(r.discounted[1]?.detail).toContain('unknown');
  });

  it('an approval before the request, or with no time, does not count', () => {
    const r = run([approval('bob', { at: '2026-11-23T14:59:59Z' }), approval('dan', { at: null })]);
    expect(r.discounted.map((d) => d.reason)).toEqual(['before-request', 'before-request']);
  });

  it('an approval of another head, or of no head, is stale', () => {
    const r = run([approval('bob', { sha: OLD_HEAD }), approval('dan', { sha: null })]);
    expect(r.discounted.map((d) => d.reason)).toEqual(['stale', 'stale']);
    expect(run([approval('bob', { sha: HEAD.toUpperCase() })]).status).toBe('approved');
  });

  it('an edited approval does not count', () => {
    expect(reasonOf(run([approval('bob', { edited_at: '2026-11-23T15:31:00Z' })]), 'bob')).toBe('edited');
    expect(run([approval('bob', { edited_at: AFTERISH() })]).status).toBe('approved');
  });
});

function AFTERISH(): string {
  // An edited_at equal to the time it was given is not an edit.
  return '2026-11-23T15:30:00Z';
}

describe('latest decision per approver; reject wins', () => {
  it('approve then reject: rejected', () => {
    const r = run([approval('bob'), approval('bob', { decision: 'reject', at: '2026-11-23T15:40:00Z' })]);
    expect(r.status).toBe('rejected');
    expect(r.rejected_by).toEqual(['bob']);
    expect(reasonOf(r, 'bob')).toBe('superseded');
  });

  it('reject then approve: the approval counts', () => {
    const r = run([
      approval('bob', { decision: 'reject', at: '2026-11-23T15:20:00Z' }),
      approval('bob', { at: '2026-11-23T15:40:00Z' }),
    ]);
    expect(r.status).toBe('approved');
    expect(r.discounted).toHaveLength(1);
  });

  it('an approve and a reject at the same instant: the reject stands', () => {
    const r = run([approval('bob'), approval('bob', { decision: 'reject' })]);
    expect(r.status).toBe('rejected');
  });

  it('one counted reject outweighs any number of approvals', () => {
    const r = run([approval('bob'), approval('dan'), approval('erin'), approval('zed', { decision: 'reject' })]);
    expect(r.status).toBe('rejected');
  });

  it('a later stale approval does not cancel a valid reject', () => {
    const r = run([
      approval('bob', { decision: 'reject' }),
      approval('bob', { sha: OLD_HEAD, at: '2026-11-23T15:50:00Z' }),
    ]);
    expect(r.status).toBe('rejected');
  });

  it('an edited reject is discounted but still blocks approval until its author decides again', () => {
    const r = run([approval('dan'), approval('bob', { decision: 'reject', edited_at: '2026-11-23T15:45:00Z' })]);
    expect(r.status).toBe('pending');
    expect(r.notes.join(' ')).toContain("bob's reject was edited");
    const again = run([
      approval('dan'),
      approval('bob', { decision: 'reject', edited_at: '2026-11-23T15:45:00Z' }),
      approval('bob', { at: '2026-11-23T15:50:00Z' }),
    ]);
    expect(again.status).toBe('approved');
  });

  it('an unreadable request time discounts every approval instead of switching the check off', () => {
    const r = run([approval('bob')], { change: change({ requested_at: 'yesterday' }) });
    expect(r.discounted.map((d) => d.reason)).toEqual(['before-request']);
  });

  it("a participant's reject does not count", () => {
    const r = run([approval('bob'), approval('alice', { decision: 'reject' })]);
    expect(r.status).toBe('approved');
  });

  it('one person under a login and under an email is one approver', () => {
    const p = policy(BASE_POLICY.replace('medium: { approvals: 1 }', 'medium: { approvals: 2 }'));
    const r = run(
      [
        approval('heidi', { email: 'heidi@acme.example' }),
        approval('', { login: null, email: 'HEIDI@acme.example', at: '2026-11-23T15:45:00Z' }),
      ],
      { policy: p },
    );
    expect(r.status).toBe('pending');
    expect(r.counted).toHaveLength(1);
    expect(r.discounted.map((d) => d.reason)).toEqual(['superseded']);
  });

  it('an unverified approval under someone else’s name does not replace their reject', () => {
    const r = run([
      approval('ivan'),
      approval('heidi', { decision: 'reject' }),
      approval('heidi', { verified: false, at: '2026-11-23T15:50:00Z' }),
    ]);
    expect(r.status).toBe('rejected');
    expect(r.rejected_by).toEqual(['heidi']);
  });

  it('an approver counts once however often they approve', () => {
    const p = policy(BASE_POLICY.replace('medium: { approvals: 1 }', 'medium: { approvals: 2 }'));
    const r = run([approval('bob'), approval('Bob', { at: '2026-11-23T15:45:00Z' })], { policy: p });
    expect(r.status).toBe('pending');
    expect(r.missing.approvals).toBe(1);
  });
});

describe('role requirements', () => {
  const dbChange = change({ files: [{ path: 'db/migrations/001.sql', status: 'added', additions: 10, deletions: 0 }] });

  it('needs a DBA and an SRE for a migration', () => {
    const r = run([approval('dora'), approval('bob')], { change: dbChange });
    expect(r.status).toBe('pending');
    expect(r.missing.roles).toEqual([{ role: 'sre', count: 1 }]);
    expect(run([approval('dora'), approval('erin')], { change: dbChange }).status).toBe('approved');
  });

  it('one person in two roles fills both without distinct-requirements, not with it', () => {
    const members = { ...MEMBERS, '@acme/dba': ['dora', 'erin'] };
    const loose = run([approval('erin'), approval('bob')], { change: dbChange, members });
    expect(loose.status).toBe('approved');
    const strict = run([approval('erin'), approval('bob')], {
      change: dbChange,
      members,
      policy: policy(BASE_POLICY + 'separation-of-duties: { distinct-requirements: true }\n'),
    });
    expect(strict.status).toBe('pending');
    expect(strict.missing.roles).toHaveLength(1);
  });

  it('distinct-requirements is a matching, not a greedy choice', () => {
    // erin is DBA and SRE, dora is DBA only: greedy erin→dba leaves sre empty; the matching does not.
    const members = { ...MEMBERS, '@acme/dba': ['erin', 'dora'], '@acme/sre': ['erin'] };
    const r = run(
      [approval('erin', { at: '2026-11-23T15:10:00Z' }), approval('dora', { at: '2026-11-23T15:20:00Z' })],
      {
        change: dbChange,
        members,
        policy: policy(BASE_POLICY + 'separation-of-duties: { distinct-requirements: true }\n'),
      },
    );
    expect(r.status).toBe('approved');
    expect(r.assignments).toEqual(
      expect.arrayContaining([
        { role: 'dba', approver: 'dora' },
        { role: 'sre', approver: 'erin' },
      ]),
    );
  });

  it('team membership from the approval itself counts; unknown membership fails closed with a note', () => {
    const viaTeams = run([approval('dora'), approval('zoe', { teams: ['@acme/sre'] })], {
      change: dbChange,
      members: { '@acme/dba': ['dora'] },
    });
    expect(viaTeams.status).toBe('approved');
    const unknown = run([approval('dora'), approval('zoe', { teams: null })], {
      change: dbChange,
      members: { '@acme/dba': ['dora'] },
    });
    expect(unknown.status).toBe('pending');
    expect(unknown.notes.join(' ')).toContain('@acme/sre');
  });

  it('a user listed in the role directly is a member, case-insensitively', () => {
    expect(run([approval('Carol'), approval('erin')], { change: dbChange }).status).toBe('approved');
  });
});

describe('freezes and break-glass', () => {
  const frozenPolicy = policy(
    BASE_POLICY +
      `freezes:
  - id: market-hours
    start: "30 9 * * 1-5"
    end: "0 16 * * 1-5"
    timezone: America/New_York
    blocks: [medium, high, critical]
`,
  );
  const monday0931 = new Date('2026-11-23T14:31:00Z'); // 09:31 in New York (EST)

  it('a frozen change is not approved by any number of approvals', () => {
    const early = change({ requested_at: '2026-11-23T14:00:00Z' });
    const approvals = [
      approval('bob', { at: '2026-11-23T14:10:00Z' }),
      approval('dan', { at: '2026-11-23T14:11:00Z' }),
    ];
    const r = run(approvals, { change: early, policy: frozenPolicy, at: monday0931 });
    expect(r.status).toBe('frozen');
    expect(r.classification.freezes[0]?.id).toBe('market-hours');
  });

  it('break-glass lifts the freeze, needs one non-participant approval and records the post-review', () => {
    const early = change({ requested_at: '2026-11-23T14:00:00Z', labels: ['Emergency'] });
    const r = run([approval('bob', { at: '2026-11-23T14:10:00Z' })], {
      change: early,
      policy: frozenPolicy,
      at: monday0931,
    });
    expect(r.status).toBe('approved');
    expect(r.break_glass?.post_review_due).toBe('2026-11-24T14:31:00.000Z');
    expect(r.classification.freezes).toHaveLength(1);
  });

  it('break-glass still excludes every kind of participant, whatever the policy excludes', () => {
    const p = policy(BASE_POLICY + 'separation-of-duties: { exclude: [commit-authors] }\n');
    const c = change({ labels: ['emergency'], triggering_actor: 'trent' });
    const r = run([approval('trent')], { change: c, policy: p });
    expect(r.status).toBe('pending');
    expect(reasonOf(r, 'trent')).toBe('participant');
  });

  it('break-glass carried by a pull request label works too', () => {
    const c = change({ pull_requests: [{ number: 3, author: 'alice', labels: ['emergency'] }] });
    expect(run([approval('bob')], { change: c }).break_glass?.label).toBe('emergency');
  });
});

describe('requested_at is the replay guard', () => {
  it('uses the change requested_at', () => {
    const r = run([approval('bob', { at: REQUESTED_AT })]);
    expect(r.status).toBe('approved');
  });
});
