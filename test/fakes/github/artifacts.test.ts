// The artefact service as @actions/artifact meets it: the real client, in its own process, uploads
// and downloads real zip bytes over loopback (Twirp inside a run, REST + 302 across runs), and the
// wire-level rules the client relies on the server for: run scoping, filters, names, signatures,
// digests.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TWIRP_PREFIX } from './artifacts/twirp.js';
import { sha256Digest, startFakeGitHub, type FakeGitHub } from './index.js';

const REPO = 'acme/widgets';
const DRIVER = join(dirname(fileURLToPath(import.meta.url)), 'artifact-client.mjs');
const NINE_MIB = 9 * 1024 * 1024;
const BLOCK = 8 * 1024 * 1024;

type Result = { ok: true; value: Record<string, unknown> } | { ok: false; error: { name: string; message: string } };

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'fake-artifacts-'));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs ops with the real client in a child process (async: the fake lives in this process). */
async function client(env: Record<string, string>, ops: object[]): Promise<Result[]> {
  const dir = await mkdtemp(join(work, 'call-'));
  const opsFile = join(dir, 'ops.json');
  const outFile = join(dir, 'out.json');
  await writeFile(opsFile, JSON.stringify(ops));
  const output: string[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER, opsFile, outFile], {
      // Only what a runner step would have: no GITHUB_* from the surrounding shell leaks in.
      env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? work, RUNNER_TEMP: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
    child.on('error', reject);
    child.on('exit', resolve);
  });
  if (code !== 0) throw new Error(`artifact client exited ${code}:\n${output.join('')}`);
  return JSON.parse(await readFile(outFile, 'utf8')) as Result[];
}

function value<T>(result: Result | undefined): T {
  if (!result?.ok) throw new Error(`client call failed: ${JSON.stringify(result)}`);
  return result.value as T;
}

function failure(result: Result | undefined): { name: string; message: string } {
  if (!result || result.ok) throw new Error(`client call should have failed: ${JSON.stringify(result)}`);
  return result.error;
}

/** Every file under `root`, by relative path. */
async function tree(root: string): Promise<Record<string, Buffer>> {
  const out: Record<string, Buffer> = {};
  for (const entry of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    out[relative(root, full)] = await readFile(full);
  }
  return out;
}

function hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('the real @actions/artifact client', () => {
  let gh: FakeGitHub;
  let source: string;
  let runA: number;
  let runB: number;
  const small = { 'notes.txt': Buffer.from('approved by bob\n'), 'sub/build.json': Buffer.from('{"build":42}\n') };
  const big = randomBytes(NINE_MIB);

  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.state.addRepo(REPO, { files: { 'README.md': '# widgets\n' } });
    runA = gh.state.addWorkflowRun(REPO).id;
    runB = gh.state.addWorkflowRun(REPO).id;
    source = await mkdtemp(join(work, 'source-'));
    for (const [path, bytes] of Object.entries(small)) {
      await mkdir(dirname(join(source, 'small', path)), { recursive: true });
      await writeFile(join(source, 'small', path), bytes);
    }
    await writeFile(join(source, 'big.bin'), big);
  });

  afterAll(async () => {
    await gh.close();
  });

  const findBy = () => ({
    token: 'any-token',
    workflowRunId: runA,
    repositoryOwner: 'acme',
    repositoryName: 'widgets',
  });

  it('uploads a directory and a 9 MiB file, then lists, gets and downloads them in the same run', async () => {
    const out = await mkdtemp(join(work, 'same-run-'));
    const [upSmall, upBig, list, get] = await client(gh.artifacts.env(runA), [
      {
        op: 'upload',
        name: 'small',
        files: Object.keys(small).map((p) => join(source, 'small', p)),
        rootDir: join(source, 'small'),
      },
      { op: 'upload', name: 'big', files: [join(source, 'big.bin')], rootDir: source },
      { op: 'list' },
      { op: 'get', name: 'small' },
    ]);
    const smallUp = value<{ id: number; size: number; digest: string }>(upSmall);
    const bigUp = value<{ id: number; size: number; digest: string }>(upBig);
    const stored = gh.state.findArtifact(REPO, bigUp.id);
    expect(stored.bytes?.length).toBe(bigUp.size);
    expect(bigUp.size).toBeGreaterThan(BLOCK);
    expect(stored.digest).toBe(`sha256:${bigUp.digest}`);
    expect(stored.digest).toBe(sha256Digest(stored.bytes ?? Buffer.alloc(0)));
    expect(stored.content_type).toBe('application/zip');

    const blockPuts = gh.requests.filter(
      (r) => r.method === 'PUT' && r.path.endsWith(`/${bigUp.id}`) && r.query['comp'] === 'block',
    );
    expect(blockPuts.length).toBeGreaterThan(1);
    expect(blockPuts.every((r) => r.status === 201)).toBe(true);

    const listed = value<{ artifacts: Array<{ id: number; name: string; size: number; digest: string }> }>(list);
    expect(listed.artifacts.map((a) => [a.id, a.name]).sort()).toEqual(
      [
        [smallUp.id, 'small'],
        [bigUp.id, 'big'],
      ].sort(),
    );
    expect(value<{ artifact: { id: number; digest: string } }>(get).artifact).toMatchObject({
      id: smallUp.id,
      digest: `sha256:${smallUp.digest}`,
    });

    const [downSmall, downBig] = await client(gh.artifacts.env(runA), [
      {
        op: 'download',
        id: smallUp.id,
        options: { path: join(out, 'small'), expectedHash: `sha256:${smallUp.digest}` },
      },
      { op: 'download', id: bigUp.id, options: { path: join(out, 'big') } },
    ]);
    expect(value<{ digestMismatch?: boolean }>(downSmall).digestMismatch).toBe(false);
    value(downBig);
    expect(await tree(join(out, 'small'))).toEqual(small);
    const bigBack = await readFile(join(out, 'big', 'big.bin'));
    expect(hex(bigBack)).toBe(hex(big));
    // Inside a run, downloads go through Twirp and the signed URL, never the REST API.
    expect(gh.requests.some((r) => r.route?.includes('/actions/artifacts'))).toBe(false);
  });

  it('downloads from another run with findBy: REST list and a 302 to a blob URL that needs no token', async () => {
    const seeded = gh.state.addArtifact(REPO, {
      runId: runA,
      name: 'report',
      files: { 'report.md': '# Approved\n', 'data/kpi.csv': 'a,b\n1,2\n' },
    });
    const out = await mkdtemp(join(work, 'other-run-'));
    const before = gh.requests.length;
    const [list, get, download] = await client(gh.artifacts.env(runB), [
      { op: 'list', options: { findBy: findBy() } },
      { op: 'get', name: 'report', options: { findBy: findBy() } },
      {
        op: 'download',
        id: seeded.id,
        options: { path: out, findBy: findBy(), expectedHash: seeded.digest },
      },
    ]);
    const names = value<{ artifacts: Array<{ name: string }> }>(list).artifacts.map((a) => a.name);
    expect(names).toContain('report');
    expect(value<{ artifact: { id: number; digest: string } }>(get).artifact).toMatchObject({
      id: seeded.id,
      digest: seeded.digest,
    });
    expect(value<{ digestMismatch: boolean }>(download).digestMismatch).toBe(false);
    expect(await tree(out)).toEqual({
      'report.md': Buffer.from('# Approved\n'),
      [join('data', 'kpi.csv')]: Buffer.from('a,b\n1,2\n'),
    });

    const seen = gh.requests.slice(before);
    expect(seen.filter((r) => r.route === '/repos/{owner}/{repo}/actions/runs/{run_id}/artifacts').length).toBe(2);
    const zip = seen.find((r) => r.route === '/repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}');
    expect(zip?.status).toBe(302);
    const blob = seen.find((r) => r.method === 'GET' && r.path.startsWith('/blob/'));
    expect(blob?.status).toBe(200);
    expect(blob?.headers.authorization).toBeUndefined();
  });

  it('reports a digest mismatch when the served bytes differ from the recorded digest', async () => {
    const intact = gh.state.addArtifact(REPO, { runId: runA, name: 'intact', files: { 'a.txt': 'same\n' } });
    const tampered = gh.state.addArtifact(REPO, { runId: runA, name: 'tampered', files: { 'a.txt': 'same\n' } });
    gh.state.tamperArtifact(REPO, tampered.id);
    const out = await mkdtemp(join(work, 'tamper-'));
    const [good, bad, inRun] = await client(gh.artifacts.env(runB), [
      {
        op: 'download',
        id: intact.id,
        options: { path: join(out, 'i'), findBy: findBy(), expectedHash: intact.digest },
      },
      {
        op: 'download',
        id: tampered.id,
        options: { path: join(out, 't'), findBy: findBy(), expectedHash: tampered.digest },
      },
      { op: 'download', id: tampered.id, options: { path: join(out, 'r'), expectedHash: tampered.digest } },
    ]);
    expect(value<{ digestMismatch: boolean }>(good).digestMismatch).toBe(false);
    expect(value<{ digestMismatch: boolean }>(bad).digestMismatch).toBe(true);
    // Run B's token cannot see run A's artefacts through the results service.
    expect(failure(inRun).name).toBe('ArtifactNotFoundError');
    // The tamper keeps a valid zip of the same files: only the digest tells.
    expect(await tree(join(out, 't'))).toEqual(await tree(join(out, 'i')));
  });

  it('refuses an invalid name and a bad runtime token, and deletes', async () => {
    const env = gh.artifacts.env(runB);
    const [header, payload] = (env['ACTIONS_RUNTIME_TOKEN'] ?? '').split('.');
    const forged = `${header}.${payload}.not-the-signature`;
    const file = join(source, 'small', 'notes.txt');
    const before = gh.state.repo(REPO).artifacts.length;
    const [badName, made, removed, again] = await client(env, [
      { op: 'upload', name: 'bad:name', files: [file], rootDir: dirname(file) },
      { op: 'upload', name: 'doomed', files: [file], rootDir: dirname(file) },
      { op: 'delete', name: 'doomed' },
      { op: 'get', name: 'doomed' },
    ]);
    expect(failure(badName).message).toMatch(/invalid|not valid|contains/i);
    // The client checks names itself; the server's own check is exercised on the wire below.
    expect(gh.requests.some((r) => (r.body as { name?: unknown } | undefined)?.name === 'bad:name')).toBe(false);
    expect(value<{ id: number }>(removed).id).toBe(value<{ id: number }>(made).id);
    const [badToken] = await client({ ...env, ACTIONS_RUNTIME_TOKEN: forged }, [
      { op: 'upload', name: 'fine', files: [file], rootDir: dirname(file) },
    ]);
    expect(failure(badToken).message).toMatch(/401/);
    expect(gh.state.repo(REPO).artifacts.length).toBe(before);
    expect(failure(again).name).toBe('ArtifactNotFoundError');
  });
});

describe('the service on the wire', () => {
  let gh: FakeGitHub;
  let token: string;
  let ids: { workflow_run_backend_id: string; workflow_job_run_backend_id: string };

  beforeEach(async () => {
    gh = await startFakeGitHub();
    gh.state.addRepo(REPO);
    const run = gh.state.addWorkflowRun(REPO);
    token = gh.artifacts.runtimeToken(run.id);
    ids = { workflow_run_backend_id: run.backend_id, workflow_job_run_backend_id: run.job_backend_id };
  });

  afterEach(async () => {
    await gh.close();
  });

  async function twirp(
    method: string,
    body: object,
    auth: string | null = token,
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${gh.url}${TWIRP_PREFIX}${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(auth === null ? {} : { authorization: `Bearer ${auth}` }),
      },
      body: JSON.stringify(body),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  async function upload(name: string, blocks: Buffer[]): Promise<string> {
    const created = await twirp('CreateArtifact', { ...ids, name, version: 7, mime_type: 'application/zip' });
    expect(created.json['ok']).toBe(true);
    const url = String(created.json['signed_upload_url']);
    const list: string[] = [];
    for (const [i, bytes] of blocks.entries()) {
      const id = Buffer.from(`block-${String(i).padStart(6, '0')}`).toString('base64');
      list.push(id);
      const put = await fetch(`${url}&comp=block&blockid=${encodeURIComponent(id)}`, { method: 'PUT', body: bytes });
      expect(put.status).toBe(201);
    }
    // Committed in a different order from the upload: the list's order is the blob's order.
    const xml = `<?xml version="1.0" encoding="UTF-8"?><BlockList>${[...list]
      .reverse()
      .map((id) => `<Latest>${id}</Latest>`)
      .join('')}</BlockList>`;
    const commit = await fetch(`${url}&comp=blocklist`, {
      method: 'PUT',
      headers: { 'content-type': 'application/xml', 'x-ms-blob-content-type': 'application/zip' },
      body: xml,
    });
    expect(commit.status).toBe(201);
    return url;
  }

  it('joins blocks in list order and checks the finalised hash against the stored bytes', async () => {
    const parts = [Buffer.from('first-'), Buffer.from('second')];
    await upload('joined', parts);
    const wrong = await twirp('FinalizeArtifact', {
      ...ids,
      name: 'joined',
      size: '12',
      hash: sha256Digest(Buffer.concat(parts)),
    });
    expect(wrong).toMatchObject({ status: 400, json: { code: 'invalid_argument' } });
    const joined = Buffer.from('secondfirst-');
    const right = await twirp('FinalizeArtifact', { ...ids, name: 'joined', size: '12', hash: sha256Digest(joined) });
    expect(right.json).toMatchObject({ ok: true });
    const stored = gh.state.findArtifact(REPO, Number(right.json['artifact_id']));
    expect(stored.bytes).toEqual(joined);
    expect(stored.digest).toBe(sha256Digest(joined));
  });

  it('scopes lists to the run, filters by name and id, and answers RFC 3339 timestamps', async () => {
    const other = gh.state.addWorkflowRun(REPO);
    gh.state.addArtifact(REPO, { runId: other.id, name: 'elsewhere', files: { x: 'x' } });
    const runId = gh.state.findRunByBackendId(ids.workflow_run_backend_id)?.run.id ?? 0;
    const a = gh.state.addArtifact(REPO, { runId, name: 'a', files: { a: 'a' } });
    const b = gh.state.addArtifact(REPO, { runId, name: 'b', files: { b: 'b' } });
    type Listed = {
      artifacts: Array<{ database_id: string; name: string; created_at: string; workflow_run_backend_id: string }>;
    };
    const all = (await twirp('ListArtifacts', ids)).json as Listed;
    expect(all.artifacts.map((x) => x.name)).toEqual(['a', 'b']);
    expect(all.artifacts.every((x) => x.workflow_run_backend_id === ids.workflow_run_backend_id)).toBe(true);
    expect(all.artifacts[0]?.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    const byName = (await twirp('ListArtifacts', { ...ids, name_filter: 'b' })).json as Listed;
    expect(byName.artifacts.map((x) => x.database_id)).toEqual([String(b.id)]);
    const byId = (await twirp('ListArtifacts', { ...ids, id_filter: String(a.id) })).json as Listed;
    expect(byId.artifacts.map((x) => x.name)).toEqual(['a']);
    const foreign = await twirp('ListArtifacts', {
      workflow_run_backend_id: other.backend_id,
      workflow_job_run_backend_id: other.job_backend_id,
    });
    expect(foreign).toMatchObject({ status: 403, json: { code: 'permission_denied' } });
  });

  it.each(['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'])(
    'refuses %j in a name with invalid_argument',
    async (c) => {
      const res = await twirp('CreateArtifact', { ...ids, name: `a${c}b`, version: 7 });
      expect(res).toMatchObject({ status: 400, json: { code: 'invalid_argument' } });
      expect(typeof res.json['msg']).toBe('string');
    },
  );

  it('refuses a second artefact of the same name in a run', async () => {
    const runId = gh.state.findRunByBackendId(ids.workflow_run_backend_id)?.run.id ?? 0;
    gh.state.addArtifact(REPO, { runId, name: 'once', files: { x: 'x' } });
    expect(await twirp('CreateArtifact', { ...ids, name: 'once', version: 7 })).toMatchObject({
      status: 409,
      json: { code: 'already_exists' },
    });
  });

  it('refuses missing, forged and expired runtime tokens with unauthenticated', async () => {
    const [header, payload] = token.split('.');
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.x`;
    for (const auth of [null, 'garbage', none, `${header}.${payload}.AAAA`]) {
      expect(await twirp('ListArtifacts', ids, auth)).toMatchObject({ status: 401, json: { code: 'unauthenticated' } });
    }
    const runId = gh.state.findRunByBackendId(ids.workflow_run_backend_id)?.run.id ?? 0;
    const old = gh.artifacts.runtimeToken(runId, { ttlSeconds: 60 });
    gh.state.clock = () => Date.now() + 120_000;
    expect(await twirp('ListArtifacts', ids, old)).toMatchObject({ status: 401, json: { msg: 'token expired' } });
    expect((await twirp('NoSuchMethod', ids)).json).toMatchObject({ code: 'bad_route' });
  });

  it('serves a blob only with its signature, with the stored type and a file name', async () => {
    const runId = gh.state.findRunByBackendId(ids.workflow_run_backend_id)?.run.id ?? 0;
    gh.state.addArtifact(REPO, { runId, name: 'served', files: { x: 'x' } });
    const signed = await twirp('GetSignedArtifactURL', { ...ids, name: 'served' });
    const url = String(signed.json['signed_url']);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('application/zip');
    expect(ok.headers.get('content-disposition')).toMatch(/filename="served\.zip"/);
    await ok.arrayBuffer();
    const unsigned = new URL(url);
    unsigned.searchParams.delete('sig');
    expect((await fetch(unsigned)).status).toBe(403);
    const wrong = new URL(url);
    wrong.searchParams.set('sig', 'AAAA');
    expect((await fetch(wrong)).status).toBe(403);
    // A read URL cannot write.
    expect((await fetch(`${url}&comp=block&blockid=AAAA`, { method: 'PUT', body: 'x' })).status).toBe(403);
  });

  it('keeps faults off the artefact service unless asked, then answers them in its own shapes', async () => {
    gh.faults.rate = 1;
    expect((await twirp('ListArtifacts', ids)).status).toBe(200);
    expect(
      (await fetch(`${gh.url}/rate_limit`, { headers: { authorization: 'token t' } })).status,
    ).toBeGreaterThanOrEqual(400);
    gh.faults.clear();
    gh.faults.next('server-error', { path: /ListArtifacts/ });
    expect(await twirp('ListArtifacts', ids)).toMatchObject({ status: 500, json: { code: 'internal' } });

    const url = await upload('flaky', [Buffer.from('x')]);
    gh.faults.artifactService = true;
    gh.faults.rate = 1;
    gh.faults.kinds = ['service-unavailable'];
    const blob = await fetch(`${url}&comp=block&blockid=QUFBQQ%3D%3D`, { method: 'PUT', body: 'x' });
    expect(blob.status).toBe(503);
    expect(blob.headers.get('x-ms-error-code')).toBe('ServerBusy');
    expect(
      gh.faults.injected.filter((f) => f.path.startsWith('/twirp/') || f.path.startsWith('/blob/')).map((f) => f.kind),
    ).toEqual(['server-error', 'service-unavailable']);
  });
});

describe('artefacts over REST', () => {
  let gh: FakeGitHub;
  let runId: number;

  beforeEach(async () => {
    gh = await startFakeGitHub();
    gh.state.addRepo(REPO);
    runId = gh.state.addWorkflowRun(REPO).id;
  });

  afterEach(async () => {
    await gh.close();
  });

  async function api(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${gh.url}/repos/${REPO}${path}`, {
      ...init,
      redirect: 'manual',
      headers: { authorization: 'token t' },
    });
  }

  function backendIds(id: number): Record<string, string> {
    const run = gh.state.findRun(id)?.run;
    return { workflow_run_backend_id: run?.backend_id ?? '', workflow_job_run_backend_id: run?.job_backend_id ?? '' };
  }

  type List = { total_count: number; artifacts: Array<{ id: number; name: string; expired: boolean }> };

  it('lists newest first, filters by name, pages, and hides unfinished uploads', async () => {
    const made = Array.from({ length: 5 }, (_, i) =>
      gh.state.addArtifact(REPO, { runId, name: i % 2 === 0 ? 'even' : `odd-${i}`, files: { f: String(i) } }),
    );
    const other = gh.state.addWorkflowRun(REPO).id;
    const elsewhere = gh.state.addArtifact(REPO, { runId: other, name: 'even', files: { f: 'o' } });
    const pending = await fetch(`${gh.url}${TWIRP_PREFIX}CreateArtifact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${gh.artifacts.runtimeToken(runId)}` },
      body: JSON.stringify({ ...backendIds(runId), name: 'unfinished', version: 7 }),
    });
    expect(pending.status).toBe(200);

    const all = (await (await api('/actions/artifacts?per_page=2&page=1')).json()) as List;
    expect(all.total_count).toBe(6);
    expect(all.artifacts.map((a) => a.id)).toEqual([elsewhere.id, made[4]?.id]);
    const page3 = await api('/actions/artifacts?per_page=2&page=3');
    expect(((await page3.json()) as List).artifacts.map((a) => a.id)).toEqual([made[1]?.id, made[0]?.id]);
    expect(page3.headers.get('link')).toMatch(/rel="prev"/);

    const evens = (await (await api(`/actions/runs/${runId}/artifacts?name=even`)).json()) as List;
    expect(evens.total_count).toBe(3);
    expect(evens.artifacts.map((a) => a.id)).toEqual([made[4]?.id, made[2]?.id, made[0]?.id]);
    expect((await api('/actions/runs/424242/artifacts')).status).toBe(404);
  });

  it('redirects the zip to a signed URL whose bytes match the digest, 410s an expired one, and deletes', async () => {
    const a = gh.state.addArtifact(REPO, { runId, name: 'zip', files: { 'x.txt': 'x\n' } });
    const res = await api(`/actions/artifacts/${a.id}/zip`);
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    const blob = await fetch(location);
    expect(blob.status).toBe(200);
    expect(sha256Digest(Buffer.from(await blob.arrayBuffer()))).toBe(a.digest);

    const one = (await (await api(`/actions/artifacts/${a.id}`)).json()) as Record<string, unknown>;
    expect(one).toMatchObject({ id: a.id, digest: a.digest, expired: false, workflow_run: { id: runId } });

    const old = gh.state.addArtifact(REPO, {
      runId,
      name: 'old',
      files: { x: 'x' },
      expires_at: '2001-01-01T00:00:00Z',
    });
    expect((await api(`/actions/artifacts/${old.id}/zip`)).status).toBe(410);
    expect((await api(`/actions/artifacts/${a.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await api(`/actions/artifacts/${a.id}`)).status).toBe(404);
  });
});
