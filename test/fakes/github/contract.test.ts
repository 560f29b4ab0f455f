// The fake's answers, fetched over HTTP, checked against the response schemas of the same operations
// in GitHub's published OpenAPI description. The operation for each request is found from GitHub's
// path templates, not from the fake's router, and every route the fake serves must be covered here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenApiContract } from './contract/openapi.js';
import { buildWorld, REPO, RUN_ID, type World } from './contract/world.js';
import { ROUTES, startFakeGitHub, type FakeGitHub } from './index.js';

interface Case {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  status: number;
  body?: unknown;
}

interface Answer {
  template: string | undefined;
  route: string | undefined;
  status: number;
  contentType: string | null;
  etag: string | null;
  location: string | null;
  json: unknown;
}

let gh: FakeGitHub;
let contract: OpenApiContract;
let world: World;
const answers = new Map<string, Answer>();
const R = `/repos/${REPO}`;

function cases(w: World): Case[] {
  return [
    { name: 'compare ahead', method: 'GET', path: `${R}/compare/main...feature/db`, status: 200 },
    { name: 'compare paginated', method: 'GET', path: `${R}/compare/main...feature/db?per_page=1&page=2`, status: 200 },
    { name: 'compare behind', method: 'GET', path: `${R}/compare/feature/db...${w.base}`, status: 200 },
    { name: 'compare unknown ref', method: 'GET', path: `${R}/compare/main...no-such-branch`, status: 404 },
    { name: 'pulls for commit', method: 'GET', path: `${R}/commits/${w.head}/pulls`, status: 200 },
    { name: 'pull', method: 'GET', path: `${R}/pulls/${w.pull}`, status: 200 },
    { name: 'pull missing', method: 'GET', path: `${R}/pulls/999`, status: 404 },
    { name: 'reviews', method: 'GET', path: `${R}/pulls/${w.pull}/reviews`, status: 200 },
    { name: 'contents', method: 'GET', path: `${R}/contents/.countersign.yml?ref=main`, status: 200 },
    { name: 'contents nested', method: 'GET', path: `${R}/contents/docs/new%20name.md?ref=${w.head}`, status: 200 },
    { name: 'contents missing', method: 'GET', path: `${R}/contents/src/gone.ts?ref=feature/db`, status: 404 },
    { name: 'issues', method: 'GET', path: `${R}/issues`, status: 200 },
    {
      name: 'issues filtered',
      method: 'GET',
      path: `${R}/issues?state=all&labels=countersign&creator=github-actions[bot]`,
      status: 200,
    },
    {
      name: 'create issue',
      method: 'POST',
      path: `${R}/issues`,
      body: { title: 'Approve staging', body: 'marker', labels: ['countersign', { name: 'staging' }] },
      status: 201,
    },
    { name: 'create issue without title', method: 'POST', path: `${R}/issues`, body: { body: 'x' }, status: 422 },
    { name: 'issue', method: 'GET', path: `${R}/issues/${w.issue}`, status: 200 },
    { name: 'pull as issue', method: 'GET', path: `${R}/issues/${w.pull}`, status: 200 },
    { name: 'issue missing', method: 'GET', path: `${R}/issues/999`, status: 404 },
    {
      name: 'reopen issue',
      method: 'PATCH',
      path: `${R}/issues/${w.closedIssue}`,
      body: { state: 'open' },
      status: 200,
    },
    {
      name: 'close issue',
      method: 'PATCH',
      path: `${R}/issues/${w.closedIssue}`,
      body: { state: 'closed', state_reason: 'not_planned', body: 'Superseded' },
      status: 200,
    },
    { name: 'bad issue state', method: 'PATCH', path: `${R}/issues/${w.issue}`, body: { state: 'done' }, status: 422 },
    { name: 'comments', method: 'GET', path: `${R}/issues/${w.issue}/comments`, status: 200 },
    {
      name: 'comments since',
      method: 'GET',
      path: `${R}/issues/${w.issue}/comments?since=2000-01-01T00:00:00Z`,
      status: 200,
    },
    { name: 'comments missing issue', method: 'GET', path: `${R}/issues/999/comments`, status: 404 },
    {
      name: 'create comment',
      method: 'POST',
      path: `${R}/issues/${w.issue}/comments`,
      body: { body: '/approve' },
      status: 201,
    },
    { name: 'create empty comment', method: 'POST', path: `${R}/issues/${w.issue}/comments`, body: {}, status: 422 },
    { name: 'permission', method: 'GET', path: `${R}/collaborators/alice/permission`, status: 200 },
    { name: 'permission custom role', method: 'GET', path: `${R}/collaborators/dave/permission`, status: 200 },
    { name: 'permission no account', method: 'GET', path: `${R}/collaborators/nobody-here/permission`, status: 404 },
    { name: 'team membership', method: 'GET', path: '/orgs/acme/teams/sre/memberships/bob', status: 200 },
    { name: 'team non-member', method: 'GET', path: '/orgs/acme/teams/sre/memberships/alice', status: 404 },
    { name: 'user', method: 'GET', path: '/users/alice', status: 200 },
    { name: 'bot user', method: 'GET', path: '/users/dependabot%5Bbot%5D', status: 200 },
    { name: 'organisation as user', method: 'GET', path: '/users/acme', status: 200 },
    { name: 'user missing', method: 'GET', path: '/users/nobody-here', status: 404 },
    { name: 'deployments', method: 'GET', path: `${R}/deployments`, status: 200 },
    {
      name: 'deployments filtered',
      method: 'GET',
      path: `${R}/deployments?environment=production&ref=main`,
      status: 200,
    },
    {
      name: 'create deployment',
      method: 'POST',
      path: `${R}/deployments`,
      body: {
        ref: 'feature/db',
        auto_merge: false,
        required_contexts: [],
        payload: { build: 43 },
        environment: 'staging',
        description: 'From CI',
      },
      status: 201,
    },
    {
      name: 'create deployment of a sha',
      method: 'POST',
      path: `${R}/deployments`,
      body: { ref: w.base, payload: '{"migrate":true}', transient_environment: true, production_environment: false },
      status: 201,
    },
    {
      name: 'create deployment auto-merged',
      method: 'POST',
      path: `${R}/deployments`,
      body: { ref: 'stale' },
      status: 202,
    },
    {
      name: 'create deployment failing checks',
      method: 'POST',
      path: `${R}/deployments`,
      body: { ref: 'feature/db', auto_merge: false },
      status: 409,
    },
    {
      name: 'create deployment unknown ref',
      method: 'POST',
      path: `${R}/deployments`,
      body: { ref: 'nope' },
      status: 422,
    },
    { name: 'create deployment without ref', method: 'POST', path: `${R}/deployments`, body: {}, status: 422 },
    { name: 'deployment', method: 'GET', path: `${R}/deployments/${w.deployment}`, status: 200 },
    { name: 'deployment missing', method: 'GET', path: `${R}/deployments/999`, status: 404 },
    { name: 'deployment statuses', method: 'GET', path: `${R}/deployments/${w.deployment}/statuses`, status: 200 },
    { name: 'statuses missing', method: 'GET', path: `${R}/deployments/999/statuses`, status: 404 },
    {
      name: 'create deployment status',
      method: 'POST',
      path: `${R}/deployments/${w.deployment}/statuses`,
      body: { state: 'success', log_url: 'https://ci.example/run/1', environment_url: 'https://prod.example' },
      status: 201,
    },
    {
      name: 'bad deployment status',
      method: 'POST',
      path: `${R}/deployments/${w.deployment}/statuses`,
      body: { state: 'shipped' },
      status: 422,
    },
    { name: 'run approvals', method: 'GET', path: `${R}/actions/runs/${RUN_ID}/approvals`, status: 200 },
    { name: 'artifacts', method: 'GET', path: `${R}/actions/artifacts`, status: 200 },
    {
      name: 'artifacts by name, paged',
      method: 'GET',
      path: `${R}/actions/artifacts?name=build&per_page=1&page=2`,
      status: 200,
    },
    { name: 'run artifacts', method: 'GET', path: `${R}/actions/runs/${RUN_ID}/artifacts`, status: 200 },
    {
      name: 'run artifacts by name, ascending',
      method: 'GET',
      path: `${R}/actions/runs/${RUN_ID}/artifacts?name=build&direction=asc&per_page=100&page=1`,
      status: 200,
    },
    { name: 'run artifacts unknown run', method: 'GET', path: `${R}/actions/runs/999/artifacts`, status: 404 },
    { name: 'artifact', method: 'GET', path: `${R}/actions/artifacts/${w.artifact}`, status: 200 },
    { name: 'artifact without digest', method: 'GET', path: `${R}/actions/artifacts/${w.legacyArtifact}`, status: 200 },
    { name: 'artifact expired', method: 'GET', path: `${R}/actions/artifacts/${w.expiredArtifact}`, status: 200 },
    { name: 'artifact missing', method: 'GET', path: `${R}/actions/artifacts/999`, status: 404 },
    { name: 'artifact zip', method: 'GET', path: `${R}/actions/artifacts/${w.artifact}/zip`, status: 302 },
    {
      name: 'artifact zip expired',
      method: 'GET',
      path: `${R}/actions/artifacts/${w.expiredArtifact}/zip`,
      status: 410,
    },
    { name: 'delete artifact', method: 'DELETE', path: `${R}/actions/artifacts/${w.doomedArtifact}`, status: 204 },
    { name: 'rate limit', method: 'GET', path: '/rate_limit', status: 200 },
  ];
}

async function call(c: Case, extraHeaders: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gh.url}${c.path}`, {
    method: c.method,
    // A 302 is the answer under test, not something to follow.
    redirect: 'manual',
    headers: {
      authorization: 'token contract-test',
      accept: 'application/vnd.github+json',
      ...(c.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...extraHeaders,
    },
    ...(c.body === undefined ? {} : { body: JSON.stringify(c.body) }),
  });
}

beforeAll(async () => {
  contract = new OpenApiContract();
  gh = await startFakeGitHub();
  world = buildWorld(gh.state);
  for (const c of cases(world)) {
    const res = await call(c);
    const text = await res.text();
    answers.set(c.name, {
      template: contract.templateFor(c.method, new URL(`${gh.url}${c.path}`).pathname),
      route: gh.requests.at(-1)?.route,
      status: res.status,
      contentType: res.headers.get('content-type'),
      etag: res.headers.get('etag'),
      location: res.headers.get('location'),
      json: text === '' ? undefined : (JSON.parse(text) as unknown),
    });
  }
});

afterAll(async () => {
  await gh?.close();
});

describe(`responses validate against GitHub's OpenAPI description`, () => {
  it('uses the published description', () => {
    expect(contract.file).toBe('@octokit/openapi/generated/api.github.com.json');
    expect(contract.openapi).toMatch(/^3\.0\./);
  });

  // Cases are listed again here (world ids are stable placeholders) so each gets its own test name.
  const names = cases({
    base: 'b',
    head: 'h',
    pull: 1,
    issue: 2,
    closedIssue: 3,
    comment: 4,
    deployment: 5,
    artifact: 6,
    legacyArtifact: 7,
    expiredArtifact: 8,
    doomedArtifact: 9,
  });
  it.each(names.map((c) => [c.name, c] as const))('%s', (name, c) => {
    const answer = answers.get(name);
    expect(answer, 'request was made').toBeDefined();
    if (!answer) return;
    expect(answer.status).toBe(c.status);
    expect(answer.template, 'GitHub has an operation for this path').toBeDefined();
    expect(answer.route, "the fake's router and GitHub's templates agree").toBe(answer.template);
    const template = answer.template ?? '';
    if (c.status === 204 || c.status === 302) {
      expect(contract.statuses(c.method, template)).toContain(String(c.status));
      expect(contract.responseSchema(c.method, template, c.status), 'GitHub documents no body').toBeUndefined();
      expect(answer.json).toBeUndefined();
      if (c.status === 302) expect(answer.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/blob\/\S+\?\S*sig=/);
      return;
    }
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    const documented = contract.responseSchema(c.method, template, c.status) !== undefined;
    if (c.status < 300) {
      expect(documented, `${c.method} ${template} documents ${c.status}`).toBe(true);
    }
    const verdict = documented
      ? contract.validate(c.method, template, c.status, answer.json)
      : contract.validateComponent('basic-error', answer.json);
    expect(verdict.errors).toEqual([]);
    if (c.status >= 400) {
      const error = answer.json as { message?: unknown; documentation_url?: unknown };
      expect(typeof error.message).toBe('string');
      expect(typeof error.documentation_url).toBe('string');
    }
  });

  it('serves only operations GitHub has, each covered by a successful case above', () => {
    const served = new Set([...answers.values()].filter((a) => a.status < 400).map((a) => a.route));
    for (const route of ROUTES) {
      expect(
        contract.operation(route.method, route.path),
        `${route.method} ${route.path} in GitHub's description`,
      ).toBeDefined();
      expect(served.has(route.path), `${route.method} ${route.path} has a contract case`).toBe(true);
    }
  });

  it('answers a repeated GET with its ETag by 304 and no body, for every GET route', async () => {
    const gets = cases(world).filter((c) => c.method === 'GET' && c.status === 200);
    for (const c of gets) {
      const first = await call(c);
      await first.text();
      const etag = first.headers.get('etag');
      expect(etag, c.name).toMatch(/^W\/"[0-9a-f]{64}"$/);
      const again = await call(c, { 'if-none-match': etag ?? '' });
      expect(again.status, c.name).toBe(304);
      expect(await again.text(), c.name).toBe('');
      const template = contract.templateFor('GET', new URL(`${gh.url}${c.path}`).pathname) ?? '';
      // Where GitHub documents a 304, it documents it without a body; check the fake's reading of that.
      if (contract.statuses('GET', template).includes('304')) {
        expect(contract.responseSchema('GET', template, 304), c.name).toBeUndefined();
      }
    }
  });
});

describe('the validation is strict enough to catch drift', () => {
  function ok(name: string): { template: string; json: Record<string, unknown> } {
    const answer = answers.get(name);
    if (!answer?.template) throw new Error(`no answer for ${name}`);
    return { template: answer.template, json: structuredClone(answer.json) as Record<string, unknown> };
  }

  it('accepts the unchanged answers it is about to mutate', () => {
    for (const name of ['issue', 'pull', 'compare ahead', 'deployment statuses']) {
      const { template, json } = ok(name);
      expect(contract.validate('GET', template, 200, json).valid, name).toBe(true);
    }
  });

  it('rejects an artefact whose digest, run or expiry drifts from the description', () => {
    const good = ok('artifact');
    expect(contract.validate('GET', good.template, 200, good.json).valid).toBe(true);
    const digest = ok('artifact');
    digest.json['digest'] = 42;
    expect(contract.validate('GET', digest.template, 200, digest.json).valid).toBe(false);
    const run = ok('artifact');
    (run.json['workflow_run'] as Record<string, unknown>)['run_attempt'] = 1;
    expect(contract.validate('GET', run.template, 200, run.json).valid).toBe(false);
    const expiry = ok('artifact');
    delete expiry.json['expires_at'];
    expect(contract.validate('GET', expiry.template, 200, expiry.json).valid).toBe(false);
  });

  it('rejects a missing required field, deep inside', () => {
    const { template, json } = ok('issue');
    delete (json['user'] as Record<string, unknown>)['login'];
    const verdict = contract.validate('GET', template, 200, json);
    expect(verdict.valid).toBe(false);
    expect(verdict.errors.join('\n')).toMatch(/login/);
  });

  it('rejects a wrong type', () => {
    const { template, json } = ok('issue');
    json['number'] = String(json['number']);
    expect(contract.validate('GET', template, 200, json).valid).toBe(false);
  });

  it('rejects null where GitHub does not allow it, and accepts it where it does', () => {
    const pull = ok('pull');
    pull.json['title'] = null;
    expect(contract.validate('GET', pull.template, 200, pull.json).valid).toBe(false);
    const nullable = ok('pull');
    nullable.json['body'] = null;
    expect(contract.validate('GET', nullable.template, 200, nullable.json).valid).toBe(true);
  });

  it('rejects a field GitHub does not describe, at the top and nested', () => {
    const top = ok('issue');
    top.json['approved_by'] = 'alice';
    expect(contract.validate('GET', top.template, 200, top.json).valid).toBe(false);
    const nested = ok('pull');
    const head = nested.json['head'] as { repo: Record<string, unknown> };
    head.repo['approvers'] = [];
    expect(contract.validate('GET', nested.template, 200, nested.json).valid).toBe(false);
  });

  it('forgives a known gap in the description only for its exact value', () => {
    const { template, json } = ok('deployment statuses');
    expect(contract.validate('GET', template, 200, json).forgiven.length).toBeGreaterThan(0);
    const list = json as unknown as Array<Record<string, unknown>>;
    const top = list[0];
    if (!top) throw new Error('statuses exist');
    top['target_url'] = 'not a url';
    expect(contract.validate('GET', template, 200, list).valid).toBe(false);
  });

  it('rejects a malformed timestamp and a value outside an enum', () => {
    const compare = ok('compare ahead');
    const commits = compare.json['commits'] as Array<{ commit: { author: { date: string } } }>;
    const first = commits[0];
    if (!first) throw new Error('compare has commits');
    first.commit.author.date = 'yesterday';
    expect(contract.validate('GET', compare.template, 200, compare.json).valid).toBe(false);
    const statuses = ok('deployment statuses');
    const list = statuses.json as unknown as Array<Record<string, unknown>>;
    const top = list[0];
    if (!top) throw new Error('statuses exist');
    top['state'] = 'shipped';
    expect(contract.validate('GET', statuses.template, 200, list).valid).toBe(false);
  });
});
