// ACTIONS_RUNTIME_TOKEN: a JWT whose `scp` claim names the run and job the results service serves,
// `Actions.Results:<runBackendId>:<jobBackendId>`. The client only decodes it; the fake signs it
// (HS256 with the state's secret) and checks the signature and expiry, as GitHub's service does.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FakeWorkflowRun } from '../model.js';

export interface RuntimeScope {
  runBackendId: string;
  jobBackendId: string;
}

const SCOPE = /^Actions\.Results:([^:\s]+):([^:\s]+)$/;

export function mintRuntimeToken(secret: Buffer, run: FakeWorkflowRun, nowMs: number, ttlSeconds = 6 * 3600): string {
  const now = Math.floor(nowMs / 1000);
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(
    JSON.stringify({
      // GitHub's token carries other scopes too; the client takes the first Actions.Results one.
      scp: `Actions.ExampleScope Actions.Results:${run.backend_id}:${run.job_backend_id}`,
      iat: now,
      nbf: now,
      exp: now + ttlSeconds,
      iss: 'vstoken.actions.githubusercontent.com',
      aud: 'vso:fake-github',
    }),
  );
  return `${header}.${payload}.${sign(secret, `${header}.${payload}`)}`;
}

export type TokenCheck = { ok: true; scope: RuntimeScope } | { ok: false; reason: string };

export function checkRuntimeToken(secret: Buffer, authorization: string | undefined, nowMs: number): TokenCheck {
  const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!m?.[1]) return { ok: false, reason: 'missing bearer token' };
  const [header, payload, signature, ...rest] = m[1].split('.');
  if (header === undefined || payload === undefined || signature === undefined || rest.length > 0) {
    return { ok: false, reason: 'malformed token' };
  }
  const expected = Buffer.from(sign(secret, `${header}.${payload}`));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    return { ok: false, reason: 'invalid token signature' };
  }
  let claims: { scp?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return { ok: false, reason: 'malformed token' };
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs) return { ok: false, reason: 'token expired' };
  for (const scope of (typeof claims.scp === 'string' ? claims.scp : '').split(' ')) {
    const s = SCOPE.exec(scope);
    if (s?.[1] && s[2]) return { ok: true, scope: { runBackendId: s[1], jobBackendId: s[2] } };
  }
  return { ok: false, reason: 'token has no Actions.Results scope' };
}

function sign(secret: Buffer, data: string): string {
  return createHmac('sha256', secret).update(data).digest('base64url');
}

function b64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}
