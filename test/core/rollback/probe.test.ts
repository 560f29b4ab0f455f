// The probes against a real HTTP service on 127.0.0.1 and real shell commands.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseJsonExpectation, parseStatusRanges } from '../../../packages/core/src/rollback/expect.js';
import { ConfigurationError } from '../../../packages/core/src/errors.js';
import { displayUrl, headerSecrets, masker } from '../../../packages/core/src/rollback/mask.js';
import { commandProbe, httpProbe, runShell } from '../../../packages/core/src/rollback/probe.js';
import type { ProbeContext } from '../../../packages/core/src/rollback/types.js';
import {
  body,
  drop,
  echo,
  ok,
  slow,
  startHealthService,
  status,
  type HealthService,
} from '../../helpers/health-service.js';

const context: ProbeContext = { monotonic: () => performance.now() };

describe('httpProbe', () => {
  let service: HealthService;
  beforeAll(async () => {
    service = await startHealthService();
  });
  afterAll(async () => service.close());
  beforeEach(() => service.set(ok));

  it('passes on a 2xx by default, and names itself without query or user info', async () => {
    const probe = httpProbe({ url: `${service.url}?token=s3cr3t-token` });
    expect(probe.name).toBe(service.url);
    expect(probe.critical).toBe(true);
    const answer = await probe.run(context);
    expect(answer).toMatchObject({ result: 'pass', message: 'status 200' });
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('fails on a status outside the expected ranges, and passes on one inside', async () => {
    service.set(status(503));
    expect(await httpProbe({ url: service.url }).run(context)).toMatchObject({
      result: 'fail',
      message: 'status 503, expected 200-299',
    });
    service.set(status(304));
    const answer = await httpProbe({ url: service.url, expectStatus: parseStatusRanges('200-299,304') }).run(context);
    expect(answer.result).toBe('pass');
  });

  it('checks the body and JSON paths', async () => {
    const json = (expect_: string[]) => expect_.map((e) => parseJsonExpectation(e));
    expect((await httpProbe({ url: service.url, expectBody: '"status":"ok"' }).run(context)).result).toBe('pass');
    expect(
      (await httpProbe({ url: service.url, expectJson: json(['$.status=ok', 'checks[0].ok=true']) }).run(context))
        .result,
    ).toBe('pass');
    service.set(body(JSON.stringify({ status: 'degraded', checks: [{ ok: false }] })));
    expect(await httpProbe({ url: service.url, expectBody: '"status":"ok"' }).run(context)).toMatchObject({
      result: 'fail',
      message: expect.stringContaining('does not contain the expected text') as string,
    });
    expect(await httpProbe({ url: service.url, expectJson: json(['checks[0].ok=true']) }).run(context)).toMatchObject({
      result: 'fail',
      message: '$.checks[0].ok is false, expected true',
    });
    service.set(body('<html>maintenance</html>'));
    expect(await httpProbe({ url: service.url, expectJson: json(['$.status=ok']) }).run(context)).toMatchObject({
      result: 'fail',
      message: "the body is not JSON (it begins '<html>maintenance</html>')",
    });
  });

  it('fails a slow answer over the maximum latency, and errors when the time-out passes', async () => {
    service.set(slow(120));
    const late = await httpProbe({ url: service.url, maxLatencyMs: 30 }).run(context);
    expect(late.result).toBe('fail');
    expect(late.message).toMatch(/answered in \d+ms, over the 30ms maximum/);
    expect(late.latencyMs).toBeGreaterThanOrEqual(100);
    service.set(slow(2_000));
    const started = performance.now();
    const timedOut = await httpProbe({ url: service.url, timeoutMs: 80 }).run(context);
    expect(timedOut).toMatchObject({ result: 'error', message: 'no answer within 80ms (time-out)' });
    expect(performance.now() - started).toBeLessThan(1_500);
  });

  it('a dropped connection or a closed port is an error, not a failure', async () => {
    service.set(drop);
    const dropped = await httpProbe({ url: service.url }).run(context);
    expect(dropped.result).toBe('error');
    const closed = await startHealthService();
    const url = closed.url;
    await closed.close();
    const refused = await httpProbe({ url }).run(context);
    expect(refused.result).toBe('error');
    expect(refused.message).toContain('ECONNREFUSED');
  });

  it('sends the headers and never shows their values', async () => {
    service.set(body('token is Bearer hunter2-secret-value, sorry'));
    const probe = httpProbe({
      url: service.url,
      method: 'HEAD',
      headers: { Authorization: 'Bearer hunter2-secret-value' },
      expectBody: 'nope',
    });
    const before = service.requests;
    await probe.run(context);
    expect(service.requests).toBe(before + 1);
    expect(service.log.at(-1)?.headers['authorization']).toBe('Bearer hunter2-secret-value');
    expect(service.log.at(-1)?.method).toBe('HEAD');
    const get = httpProbe({
      url: service.url,
      headers: { Authorization: 'Bearer hunter2-secret-value' },
      expectBody: 'nope',
    });
    const answer = await get.run(context);
    expect(answer.result).toBe('fail');
    expect(answer.message).not.toContain('hunter2');
    expect(answer.message).toContain('***');
  });

  it('masks the token alone of an Authorization header, and query values whatever their length', async () => {
    service.set(echo);
    const bearer = await httpProbe({
      url: service.url,
      headers: { Authorization: 'Bearer hunter2-secret-value' },
      expectBody: 'nope',
    }).run(context);
    expect(bearer.result).toBe('fail');
    expect(bearer.message).not.toContain('hunter2');
    service.set(body('the key was qX7, sorry'));
    const query = await httpProbe({ url: `${service.url}?key=qX7`, expectBody: 'nope' }).run(context);
    expect(query.message).toContain('the key was ***');
    expect(headerSecrets({ Authorization: 'Bearer abc.def', 'X-Api-Key': 'k-1234' })).toEqual([
      'Bearer abc.def',
      'abc.def',
      'k-1234',
    ]);
  });

  it('masks a secret that straddles the cut of the body shown', async () => {
    const token = 'ghp_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    service.set(body(`${'x'.repeat(70)}${token} and more`));
    const answer = await httpProbe({
      url: service.url,
      headers: { 'X-Api-Key': token },
      expectBody: 'nope',
    }).run(context);
    expect(answer.result).toBe('fail');
    for (let i = 0; i + 8 <= token.length; i++) expect(answer.message).not.toContain(token.slice(i, i + 8));
  });

  it('refuses a bad spec before anything runs', () => {
    expect(() => httpProbe({ url: 'not a url' })).toThrow(
      'probe: the value given is not a URL (it is not shown here, since it may hold a token)',
    );
    const malformed = () => httpProbe({ url: 'https://u:ghp_SECRET1234@exa mple.com/' });
    expect(malformed).toThrow(ConfigurationError);
    expect(malformed).not.toThrow(/ghp_|SECRET/);
    expect(() => httpProbe({ url: service.url, maxLatencyMs: 5_000 })).toThrow(
      'the max latency (5000ms) must be less than the timeout (5000ms)',
    );
    expect(() => httpProbe({ url: service.url, maxLatencyMs: 900, timeoutMs: 800 })).toThrow('less than the timeout');
    expect(() => httpProbe({ url: 'ftp://example.com/x' })).toThrow('must be an http or https URL');
    expect(() => httpProbe({ url: service.url, method: 'get me' })).toThrow('must be an HTTP method');
    expect(() => httpProbe({ url: service.url, headers: { 'X-Key tok-5566': 'x' } })).toThrow(
      /^header: a header name is not valid \(it is not shown/,
    );
  });

  it('refuses a URL with a user name or password (fetch would refuse every request), never showing them', () => {
    for (const url of [
      `http://user:pw1@127.0.0.1:1/health`,
      `http://tok-abc@127.0.0.1:1/health`,
      // A malformed % escape in the user info is still a configuration error, not an internal one.
      `http://u:%zz-pw1@127.0.0.1:1/health`,
    ]) {
      let thrown: unknown;
      try {
        httpProbe({ url });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigurationError);
      const message = (thrown as Error).message;
      expect(message).toContain('has a user name or password in it, which is refused');
      expect(message).toContain('put the credentials in a header');
      expect(message).not.toMatch(/pw1|tok-abc|user:/);
    }
  });
});

describe('masking', () => {
  it('masks values from a URL whatever their length, and a short ordinary secret not at all', () => {
    const { shown, secrets } = displayUrl(new URL('http://u:p%zz@example.com/h?k=ab&t=a%2Bb'));
    expect(shown).toBe('http://example.com/h');
    expect(secrets).toEqual(expect.arrayContaining(['u', 'p%zz', 'ab', 'a+b', 'a%2Bb']));
    const mask = masker(['abc', 'long-secret'], ['ab']);
    expect(mask('ab abc long-secret')).toBe('*** ***c ***');
    // One pass: a secret that is a '*' does not mask the mask.
    expect(masker([], ['*', 'xy'])('xy*')).toBe('******');
  });
});

describe('commandProbe', () => {
  it('passes on the expected exit code and fails on another, with the last line of output', async () => {
    expect(await commandProbe({ command: 'exit 0' }).run(context)).toMatchObject({ result: 'pass', message: 'exit 0' });
    expect(await commandProbe({ command: 'exit 3', expectExit: 3 }).run(context)).toMatchObject({ result: 'pass' });
    expect(await commandProbe({ command: 'echo first; echo "db down" >&2; exit 1' }).run(context)).toMatchObject({
      result: 'fail',
      message: 'exit 1, expected 0: db down',
    });
  });

  it('errors when the command cannot run or runs over its time-out, and kills what it started', async () => {
    expect((await commandProbe({ command: 'no-such-command-countersign' }).run(context)).result).toBe('error');
    const started = performance.now();
    const answer = await commandProbe({ command: 'sleep 5; echo late', timeoutMs: 100 }).run(context);
    expect(answer).toMatchObject({ result: 'error', message: 'no exit within 100ms (time-out); killed' });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('masks secrets and truncates output', async () => {
    const answer = await commandProbe({
      command: 'echo "key=abcd-1234-secret"; exit 2',
      secrets: ['abcd-1234-secret'],
    }).run(context);
    expect(answer.message).toBe('exit 2, expected 0: key=***');
    const run = await runShell('for i in $(seq 1 500); do echo "line $i"; done', { maxOutputChars: 100 });
    expect(run.truncated).toBe(true);
    expect(run.output.length).toBe(100);
    expect(run.output).toContain('line 500');
  });

  it('masks whole lines: a secret split across two writes, or cut by the truncation, never shows', async () => {
    const mask = masker(['tok-ABCDEFGH-secret']);
    const seen: string[] = [];
    const split = await runShell("printf 'x tok-ABCD'; sleep 0.2; printf 'EFGH-secret y\\n'; printf 'no newline'", {
      mask,
      onOutput: (_stream, text) => seen.push(text),
    });
    expect(seen.join('')).toBe('x *** y\nno newline');
    expect(split.output).toBe('x *** y\nno newline');
    // The secret's line starts before the last 20 characters: masked first, then cut.
    const cut = await runShell("echo 'tok-ABCDEFGH-secret'; printf '%s\\n' 0123456789", { mask, maxOutputChars: 14 });
    expect(cut.output).toBe('***\n0123456789\n'.slice(-14));
    expect(cut.output).not.toContain('secret');
  });

  it('refuses an empty command or an impossible exit code', () => {
    expect(() => commandProbe({ command: '  ' })).toThrow('probe-command: the command is empty');
    expect(() => commandProbe({ command: 'true', expectExit: 256 })).toThrow('expect-exit');
  });
});
