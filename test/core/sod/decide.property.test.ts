// Properties of the decision, checked against an oracle that knows who each generated identity
// really is (a person index), not against the identity code under test.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decide,
  loadPolicy,
  permissionRank,
  PERMISSIONS,
  type Approval,
  type Change,
  type Person,
} from '../../../packages/core/src/index.js';

const HEAD = 'a'.repeat(40);
const REQUESTED = Date.parse('2026-11-23T15:00:00Z');
const PEOPLE = 8;

const login = (p: number) => `user${p}`;
const corpEmail = (p: number) => `user${p}@corp.example`;

/**
 * The forms a commit can name a person by. Each shares a key with every approval form below, as
 * approvals always carry the approver's login and email (the adapters' duty): a commit known only
 * by an email cannot be linked to an approval known only by a login, by anyone.
 */
const committerForm = (p: number) =>
  fc.constantFrom<Person>(
    { login: login(p), email: corpEmail(p) },
    { login: login(p).toUpperCase(), email: null },
    { login: null, email: `${100 + p}+${login(p)}@users.noreply.github.com` },
    { login: null, email: `${login(p)}@users.noreply.github.com` },
    { login: null, email: `${200 + p}-${login(p)}@users.noreply.gitlab.com` },
    { login: null, email: corpEmail(p).toUpperCase() },
  );

const coAuthorLine = (p: number) =>
  fc.constantFrom(
    `Co-authored-by: U ${p} <${corpEmail(p)}>`,
    `co-authored-by:U<${100 + p}+${login(p)}@users.noreply.github.com>`,
    `CO-AUTHORED-BY:   x   <${login(p)}@users.noreply.github.com>`,
  );

const person = fc.integer({ min: 0, max: PEOPLE - 1 });

const commitArb = fc
  .record({ author: person, committer: person, coAuthors: fc.array(person, { maxLength: 2 }) })
  .chain((c) =>
    fc.record({
      people: fc.constant([c.author, c.committer, ...c.coAuthors]),
      author: committerForm(c.author),
      committer: committerForm(c.committer),
      lines: c.coAuthors.length === 0 ? fc.constant<string[]>([]) : fc.tuple(...c.coAuthors.map(coAuthorLine)),
    }),
  );

const approvalArb = fc.record({
  who: person,
  upper: fc.boolean(),
  withEmail: fc.boolean(),
  type: fc.constantFrom<'User' | 'Bot'>('User', 'User', 'User', 'Bot'),
  decision: fc.constantFrom<'approve' | 'reject'>('approve', 'approve', 'approve', 'reject'),
  minutes: fc.integer({ min: -30, max: 120 }),
  edited: fc.option(fc.integer({ min: 0, max: 30 })),
  stale: fc.boolean(),
  permission: fc.option(fc.constantFrom(...PERMISSIONS)),
  verified: fc.option(fc.boolean()),
});

const scenario = fc.record({
  commits: fc.array(commitArb, { minLength: 1, maxLength: 4 }),
  prAuthor: fc.option(person),
  actor: fc.option(person),
  approvals: fc.array(approvalArb, { maxLength: 10 }),
  need: fc.integer({ min: 0, max: 4 }),
  distinct: fc.boolean(),
  roleMembers: fc.uniqueArray(person, { maxLength: 4 }),
});

describe('decision properties', () => {
  it('never counts a participant, and never approves with fewer counted people than required', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const policy = loadPolicy(
          `version: 1
roles: { ops: [${s.roleMembers.map(login).join(', ') || 'nobody'}] }
levels:
  low: { approvals: 0 }
  medium: { approvals: ${s.need}, require: [{ role: ops }] }
  high: { approvals: 2 }
  critical: { approvals: 2 }
separation-of-duties: { distinct-requirements: ${s.distinct} }
`,
          'prop.yml',
        );
        const participants = new Set<number>();
        const change: Change = {
          head: HEAD,
          requested_at: new Date(REQUESTED).toISOString(),
          labels: [],
          files: [{ path: 'src/a.ts', status: 'modified', additions: 1, deletions: 0 }],
          commits: s.commits.map((c, i) => {
            c.people.forEach((p) => participants.add(p));
            return {
              sha: `${i}`.padStart(40, 'c'),
              message: ['change', '', ...c.lines].join('\n'),
              author: c.author,
              committer: c.committer,
            };
          }),
          pull_requests: s.prAuthor === null ? [] : [{ number: 1, author: login(s.prAuthor), labels: [] }],
          triggering_actor: s.actor === null ? null : login(s.actor).toUpperCase(),
        };
        if (s.prAuthor !== null) participants.add(s.prAuthor);
        if (s.actor !== null) participants.add(s.actor);

        const whoOf = new Map<Approval, number>();
        const approvals = s.approvals.map((a): Approval => {
          const approval: Approval = {
            login: a.upper ? login(a.who).toUpperCase() : login(a.who),
            email: a.withEmail ? corpEmail(a.who) : corpEmail(a.who).toUpperCase(),
            type: a.type,
            decision: a.decision,
            at: new Date(REQUESTED + a.minutes * 60_000).toISOString(),
            edited_at: a.edited === null ? null : new Date(REQUESTED + (a.minutes + a.edited) * 60_000).toISOString(),
            sha: a.stale ? 'b'.repeat(40) : HEAD,
            permission: a.permission,
            teams: [],
            verified: a.verified,
          };
          whoOf.set(approval, a.who);
          return approval;
        });
        const decision = decide({ policy, change, approvals, at: new Date(REQUESTED + 3 * 3600_000) });

        const counted = decision.counted.map((c) => {
          const source = approvals.find((a) => a.login === c.login && a.at === c.at && a.decision === c.decision);
          expect(source).toBeDefined();
          return source as Approval;
        });
        for (const approval of counted) {
          const who = whoOf.get(approval) as number;
          expect(participants.has(who)).toBe(false);
          expect(approval.type).toBe('User');
          expect(approval.verified).not.toBe(false);
          expect(permissionRank(approval.permission ?? 'none')).toBeGreaterThanOrEqual(permissionRank('write'));
          expect(approval.sha).toBe(HEAD);
          expect(Date.parse(approval.at as string)).toBeGreaterThanOrEqual(REQUESTED);
        }
        const people = new Set(counted.map((a) => whoOf.get(a)));
        expect(people.size).toBe(counted.length);
        if (decision.status === 'approved') {
          expect(people.size).toBeGreaterThanOrEqual(decision.required.approvals);
          const ops = counted.filter((a) => s.roleMembers.includes(whoOf.get(a) as number));
          expect(ops.length).toBeGreaterThanOrEqual(1);
          expect(decision.rejected_by).toEqual([]);
        }
        // A valid latest reject from a non-participant always rejects the change.
        // The oracle's own reading of SPEC: a person's latest decision among those that are about
        // this head, after the request, by a verified, permitted, non-participant human (edited ones
        // included: an edit does not make an earlier decision stand again).
        const eligible = (a: Approval, who: number) =>
          a.verified !== false &&
          !participants.has(who) &&
          a.type === 'User' &&
          permissionRank(a.permission ?? 'none') >= permissionRank('write') &&
          Date.parse(a.at as string) >= REQUESTED &&
          a.sha === HEAD;
        const latest = new Map<number, Approval>();
        for (const a of approvals) {
          const who = whoOf.get(a) as number;
          if (!eligible(a, who)) continue;
          const current = latest.get(who);
          const t = Date.parse(a.at as string);
          const tc = current === undefined ? -Infinity : Date.parse(current.at as string);
          if (current === undefined || t > tc || (t === tc && a.decision === 'reject')) latest.set(who, a);
        }
        const edited = (a: Approval) => a.edited_at !== null && a.edited_at !== a.at;
        const mustReject = [...latest.values()].some((a) => a.decision === 'reject' && !edited(a));
        const blocked = [...latest.values()].some((a) => a.decision === 'reject' && edited(a));
        if (blocked) expect(decision.status).not.toBe('approved');
        expect(decision.status === 'rejected').toBe(mustReject);
      }),
      { numRuns: 400 },
    );
  });
});
