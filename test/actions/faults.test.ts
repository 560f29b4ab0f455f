// The whole flow (request, people acting on GitHub, wait) under faults: the fake fails a fifth of all
// calls (5xx, secondary and plain rate limits, reset connections), replayably by seed, and the
// actions' own step functions run in this process through the real client and the real HTTP fake.
// Every run must reach the decision its people's actions call for, and no run may open a second
// request issue or post a second decision comment.
//
// Some writes also lose their answer after GitHub has done them (the POST went through, then the
// connection dropped or a proxy said 502): the fake only fails requests before acting on them, so a
// small proxy in front of it does that, the one fault no retry can see through without looking first.
//
// The client's throttling spaces writes 1-3 s apart and backs off for seconds; here it is given the
// test-only writeSpacingMs and backoffUnitMs so a hundred flows take seconds. Nothing else differs
// from a run on GitHub: the same retries (3), the same plugins, the same code.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../fakes/github/index.js';
// The package as the actions bundle it (its dist), so errors are the classes the step code checks for.
import { createGitHubClient } from '@countersign/github';
import { readRunner } from '../../actions/shared/src/runner.js';
import { requestApproval } from '../../actions/shared/src/request.js';
import { waitForApproval, type WaitOutcome } from '../../actions/shared/src/wait.js';
import { SOURCE_NAMES } from '../../actions/shared/src/sources.js';
import { REPO, TOKEN, runnerEnv, setUpScene } from './helpers.js';

const RUNS = 100;
const FAULT_RATE = 0.2;
/** Approvals land before the wait starts, so a run that should decide does so on its first good poll. */
const DECIDING_TIMEOUT_MS = 5_000;
const PENDING_TIMEOUT_MS = 400;
const POLL_MS = 25;

type Kind = 'comment' | 'review' | 'reject' | 'self-then-other' | 'read-only';
const KINDS: readonly Kind[] = ['comment', 'review', 'reject', 'self-then-other', 'read-only'];

interface Expected {
  status: WaitOutcome['status'];
  approvers: string[];
  rejectedBy: string[];
  discounted: Array<[string, string]>;
}

const EXPECTED: Record<Kind, Expected> = {
  comment: { status: 'approved', approvers: ['bob'], rejectedBy: [], discounted: [] },
  review: { status: 'approved', approvers: ['dave'], rejectedBy: [], discounted: [] },
  reject: { status: 'rejected', approvers: [], rejectedBy: ['bob'], discounted: [] },
  // alice wrote the change: her approval is discounted, dave's counts.
  'self-then-other': {
    status: 'approved',
    approvers: ['dave'],
    rejectedBy: [],
    discounted: [['alice', 'participant']],
  },
  // erin may only read: nothing counts, and the wait runs out of time.
  'read-only': { status: 'timed-out', approvers: [], rejectedBy: [], discounted: [['erin', 'permission']] },
};

/** Which write, if any, loses its answer after the fake has done it. */
type Loss = { path: RegExp; how: 'reset' | 'bad-gateway' } | null;

function lossFor(seed: number): Loss {
  const how = seed % 2 === 0 ? 'reset' : 'bad-gateway';
  if (seed % 4 === 0) return { path: new RegExp(`^/repos/${REPO}/issues$`), how };
  if (seed % 4 === 1) return { path: new RegExp(`^/repos/${REPO}/issues/\\d+/comments$`), how };
  return null;
}

const servers: Array<{ close: () => Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('the flow with the fake failing 20% of calls', () => {
  it.concurrent.for(Array.from({ length: RUNS }, (_, i) => i + 1))(
    'seed %i decides as its people did, with one request issue and one decision comment',
    async (seed) => {
      const kind = KINDS[seed % KINDS.length] ?? 'comment';
      const fake = await startFakeGitHub({ seed });
      servers.push(fake);
      const scene = setUpScene(fake, `faults-${seed}`);
      const proxy = await answerLosingProxy(fake, lossFor(seed));
      servers.push(proxy);
      // Faults start with the first call the code makes; setting up the scene above was direct.
      fake.faults.rate = FAULT_RATE;

      // One client per step, as each step is its own process on a runner (and has its own cache).
      const client = () =>
        createGitHubClient({
          token: TOKEN,
          baseUrl: proxy.url,
          userAgent: 'countersign-faults-test',
          backoffUnitMs: 5,
          writeSpacingMs: 5,
          timeoutMs: 5_000,
        });
      const prepared = await runnerEnv(fake, scene, {});
      const runner = readRunner(prepared.env);
      const subject = {
        environment: 'production',
        policyPath: '.countersign.yml',
        base: null,
        head: scene.head,
        labels: [],
        subjectDigest: null,
        tokenLogin: 'github-actions[bot]',
        sources: SOURCE_NAMES,
      };

      const requested = await requestApproval(client(), runner, subject, new Date());
      expect(requested.status).toBe('pending');
      const number = requested.issue?.number ?? 0;
      act(fake, kind, number, scene.pull);
      const expected = EXPECTED[kind];
      const outcome = await waitForApproval(client(), runner, {
        ...subject,
        requestId: number,
        timeoutMs: expected.status === 'timed-out' ? PENDING_TIMEOUT_MS : DECIDING_TIMEOUT_MS,
        pollMs: POLL_MS,
      });

      expect(outcome.status).toBe(expected.status);
      expect(outcome.decision.approvers).toEqual(expected.approvers);
      expect(outcome.decision.rejected_by).toEqual(expected.rejectedBy);
      expect(outcome.decision.discounted.map((d) => [d.login, d.reason])).toEqual(expected.discounted);

      const forHead = Object.values(fake.state.repo(REPO).issues).filter((i) => i.body?.includes(scene.head));
      expect(forHead.map((i) => i.number)).toEqual([number]);
      expect(forHead[0]?.state).toBe('closed');
      const decisions = (fake.state.repo(REPO).comments[number] ?? []).filter((c) =>
        c.body.startsWith('<!-- countersign:decision'),
      );
      expect(decisions).toHaveLength(1);
      // The schedule really did fault, and (where planned) a write really lost its answer.
      expect(fake.faults.injected.length).toBeGreaterThan(0);
      if (lossFor(seed) !== null) expect(proxy.lost).toBe(1);
    },
  );
});

/** What the people do on GitHub between the request and the wait. */
function act(fake: FakeGitHub, kind: Kind, issue: number, pull: number): void {
  const s = fake.state;
  if (kind === 'comment') s.addComment(REPO, issue, { user: 'bob', body: '/approve' });
  if (kind === 'review') s.addReview(REPO, pull, { user: 'dave', state: 'APPROVED' });
  if (kind === 'reject') s.addComment(REPO, issue, { user: 'bob', body: '/reject not today' });
  if (kind === 'self-then-other') {
    s.addComment(REPO, issue, { user: 'alice', body: '/approve' });
    s.addComment(REPO, issue, { user: 'dave', body: '/approve' });
  }
  if (kind === 'read-only') s.addComment(REPO, issue, { user: 'erin', body: '/approve' });
}

interface Proxy {
  url: string;
  /** How many answers it has thrown away. */
  lost: number;
  close: () => Promise<void>;
}

/**
 * Passes every request to the fake unchanged, except the first POST matching `loss`: that one the
 * fake carries out, and then the client gets a dropped connection or a 502 instead of the answer.
 */
async function answerLosingProxy(fake: FakeGitHub, loss: Loss): Promise<Proxy> {
  const proxy: Proxy = { url: '', lost: 0, close: () => Promise.resolve() };
  const server: Server = createServer((req, res) => {
    void forward(req).then(
      async (answer) => {
        const path = new URL(req.url ?? '/', 'http://proxy.invalid').pathname;
        if (loss !== null && proxy.lost === 0 && req.method === 'POST' && loss.path.test(path) && answer.status < 300) {
          proxy.lost += 1;
          if (loss.how === 'reset') return void req.socket.destroy();
          res.writeHead(502, { 'content-type': 'application/json' });
          return void res.end(JSON.stringify({ message: 'Server Error' }));
        }
        const headers: Record<string, string> = {};
        answer.headers.forEach((value, name) => {
          if (!['content-length', 'transfer-encoding', 'connection', 'keep-alive'].includes(name))
            headers[name] = value;
        });
        res.writeHead(answer.status, headers);
        res.end(Buffer.from(await answer.arrayBuffer()));
      },
      // The fake dropped the connection itself (an injected reset): so does the proxy.
      () => req.socket.destroy(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;

  async function forward(req: IncomingMessage): Promise<Response> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(name))
        headers.set(name, value);
    return fetch(`${fake.url}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
      redirect: 'manual',
    });
  }
}
