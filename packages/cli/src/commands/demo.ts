// `countersign demo`: the whole flow, offline, in a temporary repository, narrated for someone who
// has never seen the tool. Every step runs the real verb in-process, exactly as a user would type
// it, and the demo stops with exit 2 if any step does not answer as it should.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '@countersign/core/errors';
import type { Io } from '../io.js';

export const DEMO_USAGE = `countersign demo [--keep DIR]

Runs the whole flow offline on the git platform, in a temporary repository, and explains each
step: classify a risky change, request approval, a self-approval discounted, two approvers
counted, the artefact attested and verified, a tampered artefact refused, and a deploy that fails
its health check rolled back to the last known good found in the evidence. Needs git and
ssh-keygen. Leaves nothing behind unless --keep DIR is given.`;

const PEOPLE = {
  alice: { name: 'Alice Developer', email: 'alice@payments.example', role: 'developer' },
  dave: { name: 'Dave Developer', email: 'dave@payments.example', role: 'developer' },
  bob: { name: 'Bob SRE', email: 'bob@payments.example', role: 'SRE' },
  carol: { name: 'Carol DBA', email: 'carol@payments.example', role: 'DBA' },
} as const;
type Person = keyof typeof PEOPLE;

const POLICY = `# yaml-language-server: $schema=https://countersign.dev/schema/policy.schema.json
version: 1
default-risk: medium
roles:
  sre: [bob@payments.example]
  dba: [carol@payments.example]
levels:
  low: { approvals: 0 }
  medium: { approvals: 1 }
  high: { approvals: 2 }
  critical: { approvals: 2, require: [{ role: sre }] }
rules:
  - id: db-migration
    description: Schema changes need a DBA and an SRE
    when: { paths: ["db/migrations/**", "**/*.sql"] }
    risk: high
    require: [{ role: dba }, { role: sre }]
  - id: docs-only
    when: { all-paths: ["docs/**", "**/*.md"] }
    risk: low
environments:
  staging: { minimum-risk: low }
  production: { minimum-risk: medium }
separation-of-duties:
  distinct-requirements: true
rollback:
  # Our migrations only add (an index, a column): the previous release runs against them.
  allow-with-rules: [db-migration]
`;

function run(
  file: string,
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return new Promise((done, fail) => {
    execFile(file, args, { cwd, env, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      if (error)
        fail(
          new ConfigurationError({
            message: `demo: ${file} ${args[0] ?? ''} failed: ${stderr.trim() || error.message}`,
          }),
        );
      else done(stdout);
    });
  });
}

/** git for the demo's own setup, with identities chosen here and the user's signing settings off. */
function git(cwd: string, args: readonly string[], who: Person = 'dave'): Promise<string> {
  const person = PEOPLE[who];
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: person.name,
    GIT_AUTHOR_EMAIL: person.email,
    GIT_COMMITTER_NAME: person.name,
    GIT_COMMITTER_EMAIL: person.email,
  };
  return run(
    'git',
    ['-c', 'commit.gpgsign=false', '-c', 'tag.gpgsign=false', '-c', 'init.defaultBranch=main', ...args],
    cwd,
    env,
  );
}

class Narrator {
  private step = 0;
  constructor(private readonly io: Io) {}

  title(text: string): void {
    this.step += 1;
    this.io.stdout(`\n━━ Step ${this.step}: ${text}\n`);
  }

  say(text: string): void {
    this.io.stdout(`${text}\n`);
  }

  output(text: string): void {
    const body = text.replace(/\n+$/, '');
    if (body !== '')
      this.io.stdout(
        `${body
          .split('\n')
          .map((line) => `    ${line}`)
          .join('\n')}\n`,
      );
  }
}

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

/** An argument as a POSIX shell reads it back: bare when it is plain, else single-quoted. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

async function sha256File(path: string): Promise<string> {
  return `sha256:${createHash('sha256')
    .update(await readFile(path))
    .digest('hex')}`;
}

interface Service {
  url: string;
  close: () => Promise<void>;
}

/**
 * A stand-in for payments-service in production, on 127.0.0.1: GET /healthz answers for the release
 * that `deployed` names (a digest, as a deploy would leave it), healthy only for the releases marked so.
 */
async function startService(
  deployed: string,
  releases: ReadonlyMap<string, { version: string; healthy: boolean }>,
): Promise<Service> {
  const server = createServer((request, response) => {
    const answer = (status: number, body: object) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(`${JSON.stringify(body)}\n`);
    };
    if (request.url !== '/healthz') return answer(404, { error: 'not found' });
    readFile(deployed, 'utf8').then(
      (text) => {
        const release = releases.get(text.trim());
        if (release === undefined) answer(503, { status: 'error', error: 'no known release is deployed' });
        else if (release.healthy) answer(200, { status: 'ok', release: release.version });
        else answer(503, { status: 'error', release: release.version, error: 'ledger lookups time out' });
      },
      () => answer(503, { status: 'error', error: 'nothing is deployed' }),
    );
  });
  await new Promise<void>((listening, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', listening);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/healthz`,
    close: () =>
      new Promise((closed) => {
        server.closeAllConnections();
        server.close(() => closed());
      }),
  };
}

export async function demoCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { keep: { type: 'string' } }, strict: true, allowPositionals: false });
  const started = Date.now();
  const keep = values.keep !== undefined ? resolve(io.cwd, values.keep) : undefined;
  if (keep !== undefined) await mkdir(keep, { recursive: true });
  const work = keep ?? (await mkdtemp(join(tmpdir(), 'countersign-demo-')));
  const say = new Narrator(io);
  try {
    await checkTools();
    await story(work, say, io);
    say.say(
      `\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.${keep !== undefined ? ` Everything is in ${work}.` : ' The temporary repository has been removed (keep it with --keep DIR).'}`,
    );
    return 0;
  } finally {
    if (keep === undefined) await rm(work, { recursive: true, force: true });
  }
}

async function checkTools(): Promise<void> {
  for (const [tool, args, pkg] of [
    ['git', ['--version'], 'git'],
    ['ssh-keygen', ['-?'], 'openssh-client'],
  ] as const) {
    await run(tool, args, tmpdir()).catch((error: unknown) => {
      // ssh-keygen -? exits non-zero by design; only a missing program matters.
      if (error instanceof ConfigurationError && !/ENOENT/.test(error.message)) return '';
      throw new ConfigurationError({ message: `demo needs ${tool}: install it (Debian: apt-get install ${pkg})` });
    });
  }
}

async function story(work: string, say: Narrator, io: Io): Promise<void> {
  const repo = join(work, 'payments-service');
  const keys = join(work, 'keys');
  await mkdir(repo, { recursive: true });
  await mkdir(keys, { recursive: true });
  const { main } = await import('../main.js');
  // Never inherit a rollback in progress: inside one, `countersign rollback` refuses to roll back.
  const env: NodeJS.ProcessEnv = { ...io.env, NO_COLOR: '1' };
  delete env['COUNTERSIGN_ROLLBACK'];
  const countersign = async (
    argv: string[],
    expect: number[],
    shown: string = argv.join(' '),
    cwd: string = repo,
    options: { now?: () => Date; showStdout?: boolean } = {},
  ): Promise<Captured> => {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      ...io,
      cwd,
      isTty: false,
      env,
      now: options.now ?? io.now,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    say.say(`  $ countersign ${shown}`);
    if (options.showStdout !== false) say.output(stdout);
    if (!expect.includes(code))
      throw new ConfigurationError({
        message: `demo: 'countersign ${shown}' exited ${code}, expected ${expect.join(' or ')}: ${stderr.trim()}`,
      });
    return { code, stdout, stderr };
  };

  // 1 ─────────────────────────────────────────────────────────────────────────────────────────
  say.title('a repository with a policy, four people and a risky change');
  const signers: string[] = [];
  for (const [who, person] of Object.entries(PEOPLE)) {
    await run('ssh-keygen', ['-t', 'ed25519', '-N', '', '-q', '-C', person.email, '-f', join(keys, who)], work);
    const publicKey = (await readFile(join(keys, `${who}.pub`), 'utf8')).trim();
    signers.push(`${person.email} namespaces="git" ${publicKey}`);
  }
  await git(repo, ['init', '-q']);
  await mkdir(join(repo, '.countersign'), { recursive: true });
  await mkdir(join(repo, 'src'), { recursive: true });
  await writeFile(join(repo, '.countersign.yml'), POLICY);
  await writeFile(join(repo, '.countersign', 'allowed_signers'), `${signers.join('\n')}\n`);
  await writeFile(join(repo, 'src', 'ledger.ts'), 'export const ledger = [];\n');
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', 'Payments service with its Countersign policy'], 'dave');
  const base = (await git(repo, ['rev-parse', 'HEAD'])).trim();
  await mkdir(join(repo, 'db', 'migrations'), { recursive: true });
  await writeFile(
    join(repo, 'db', 'migrations', '0042_add_ledger_index.sql'),
    'CREATE INDEX ledger_by_account ON ledger (account_id);\n',
  );
  await writeFile(
    join(repo, 'src', 'ledger.ts'),
    'export const ledger = [];\nexport const byAccount = (id: string) => id;\n',
  );
  await git(repo, ['add', '-A']);
  await git(repo, ['commit', '-q', '-m', 'Index the ledger by account'], 'alice');
  const head = (await git(repo, ['rev-parse', 'HEAD'])).trim();
  say.say(`A service repository, payments-service, whose policy (.countersign.yml) says that a database migration is`);
  say.say(`high risk and needs two approvals: one from a DBA and one from an SRE, different people. Four people have`);
  say.say(
    `SSH keys: alice and dave (developers), bob (SRE) and carol (DBA); .countersign/allowed_signers says which key`,
  );
  say.say(
    `belongs to whom. alice commits a migration, db/migrations/0042_add_ledger_index.sql (commit ${head.slice(0, 12)}).`,
  );

  // 2 ─────────────────────────────────────────────────────────────────────────────────────────
  say.title('classify the change, and request approval');
  say.say(
    'Countersign reads the policy from the base commit, not from the change, so a change cannot loosen its own rules.',
  );
  await countersign(
    ['classify', '--base', base, '--head', head, '--environment', 'production'],
    [0],
    `classify --base ${base.slice(0, 12)} --head ${head.slice(0, 12)} --environment production`,
  );
  await countersign(
    ['request', '--platform', 'git', '--environment', 'production', '--base', base, '--head', head],
    [0],
    `request --environment production --base ${base.slice(0, 12)} --head ${head.slice(0, 12)}`,
  );
  say.say(
    'The request is a git note (refs/notes/countersign) on the head commit: when it was made, the risk, who must approve.',
  );

  // 3 ─────────────────────────────────────────────────────────────────────────────────────────
  say.title('alice approves her own change');
  const approveAs = async (who: Person, expect: number[] = [0]) => {
    await git(repo, ['config', 'user.name', PEOPLE[who].name]);
    await git(repo, ['config', 'user.email', PEOPLE[who].email]);
    return countersign(
      ['approve', '--environment', 'production', '--signing-key', join(keys, who), head],
      expect,
      `approve --environment production ${head.slice(0, 12)}    # as ${who}, signed with ${who}'s SSH key`,
    );
  };
  await approveAs('alice');
  const waitOnce = (expect: number[]) =>
    countersign(
      [
        'wait',
        '--platform',
        'git',
        '--environment',
        'production',
        '--base',
        base,
        '--timeout',
        '0',
        '--decision-file',
        '../countersign-decision.json',
        head,
      ],
      expect,
      `wait --environment production --base ${base.slice(0, 12)} --timeout 0 ${head.slice(0, 12)}`,
    );
  const pending = await waitOnce([1]);
  if (!/alice@payments\.example approve: participant/.test(pending.stdout))
    throw new ConfigurationError({ message: "demo: alice's self-approval was not discounted as participant" });
  say.say(
    'alice wrote the change, so her approval is discounted as `participant`: segregation of duties. Still pending.',
  );

  // 4 ─────────────────────────────────────────────────────────────────────────────────────────
  say.title('bob (SRE) and carol (DBA) approve');
  await approveAs('bob');
  await approveAs('carol');
  await git(repo, ['config', 'user.name', PEOPLE.dave.name]);
  await git(repo, ['config', 'user.email', PEOPLE.dave.email]);
  const approved = await waitOnce([0]);
  if (!approved.stdout.includes('Status: APPROVED'))
    throw new ConfigurationError({ message: 'demo: the change was not approved after bob and carol' });
  say.say(
    "Each approval is a signed tag; the approver is the key's owner in allowed_signers, never the name on the tag.",
  );
  say.say(
    'bob fills the SRE requirement and carol the DBA one: approved. The decision is in countersign-decision.json.',
  );

  // 5 ─────────────────────────────────────────────────────────────────────────────────────────
  say.title('build the artefact, attest the decision, verify before deploy');
  await mkdir(join(work, 'build'), { recursive: true });
  await mkdir(join(work, 'evidence'), { recursive: true });
  const artefact = join(work, 'build', 'payments-service.tar');
  await git(repo, ['archive', '--format=tar', '-o', artefact, head]);
  say.say(
    `Built build/payments-service.tar from ${head.slice(0, 12)} (git archive). From here on, commands run beside the repository.`,
  );
  const here = async (argv: string[], expect: number[]) => countersign(argv, expect, argv.join(' '), work);
  await here(['keygen', '--out', 'keys/release'], [0]);

  // Release 1.3, the first commit, went out a week ago: its own change, approval, decision and
  // attestation, made then (the clock of these two commands is a week back), in the same evidence file.
  const lastWeek = new Date(Date.now() - 7 * 24 * 3600 * 1000);
  const minutesBefore = (minutes: number) => new Date(lastWeek.getTime() - minutes * 60_000).toISOString();
  const previousArtefact = join(work, 'build', 'payments-service-1.3.tar');
  await git(repo, ['archive', '--format=tar', '-o', previousArtefact, base]);
  await mkdir(join(work, 'release-1.3'), { recursive: true });
  const change = {
    repository: 'payments-service',
    environment: 'production',
    base: null,
    head: base,
    requested_at: minutesBefore(60),
    // 1.3 changed the service's code only (1.2, before it, is not in this demo's history).
    files: [{ path: 'src/ledger.ts', status: 'modified' }],
    commits: [{ sha: base, author: { email: PEOPLE.dave.email }, committer: { email: PEOPLE.dave.email } }],
  };
  const approvals = [
    { email: PEOPLE.bob.email, decision: 'approve', at: minutesBefore(30), sha: base, permission: 'write' },
  ];
  await writeFile(join(work, 'release-1.3', 'change.json'), `${JSON.stringify(change, null, 2)}\n`);
  await writeFile(join(work, 'release-1.3', 'approvals.json'), `${JSON.stringify(approvals, null, 2)}\n`);
  say.say(
    `Release 1.3 (build/payments-service-1.3.tar, from ${base.slice(0, 12)}) went out last week with its own approval, by bob:`,
  );
  const evaluate = [
    'evaluate',
    '--policy',
    'payments-service/.countersign.yml',
    '--change',
    'release-1.3/change.json',
    '--approvals',
    'release-1.3/approvals.json',
    '--environment',
    'production',
    '--format',
    'json',
  ];
  const lastWeekClock = { now: () => lastWeek };
  const decided = await countersign(evaluate, [0], `${evaluate.join(' ')} > release-1.3/decision.json`, work, {
    ...lastWeekClock,
    showStdout: false,
  });
  await writeFile(join(work, 'release-1.3', 'decision.json'), decided.stdout);
  const attestPrevious = [
    'attest',
    '--subject-path',
    'build/payments-service-1.3.tar',
    '--decision',
    'release-1.3/decision.json',
    '--key',
    'keys/release.key',
    '--out',
    'evidence/payments-service.intoto.jsonl',
  ];
  await countersign(attestPrevious, [0], attestPrevious.join(' '), work, lastWeekClock);
  say.say("This week, alice's migration, approved by bob and carol:");
  await here(
    [
      'attest',
      '--subject-path',
      'build/payments-service.tar',
      '--decision',
      'countersign-decision.json',
      '--key',
      'keys/release.key',
      '--out',
      'evidence/payments-service.intoto.jsonl',
    ],
    [0],
  );
  const released = await sha256File(artefact);
  const verifyArgs = [
    'verify',
    '--subject-path',
    'build/payments-service.tar',
    '--attestation',
    'evidence/payments-service.intoto.jsonl',
    '--public-key',
    'keys/release.pub',
    '--environment',
    'production',
    '--policy',
    'payments-service/.countersign.yml',
  ];
  await here(verifyArgs, [0]);
  say.say(
    "The signature, the artefact's SHA-256, the environment and the decision all check out; the decision still holds under today's policy.",
  );
  say.say('Now someone slips one byte into the artefact after it was approved:');
  await appendFile(artefact, 'x');
  const refused = await here(verifyArgs, [1]);
  if (!refused.stdout.includes("Failed check 'subject'"))
    throw new ConfigurationError({ message: 'demo: the tampered artefact was not refused on its digest' });
  say.say("Refused: no attestation names the tampered artefact's digest. A deploy job that runs verify stops here.");

  // 6 ─────────────────────────────────────────────────────────────────────────────────────────
  say.title('deploy, the service fails its health check, roll back to the last known good');
  await git(repo, ['archive', '--format=tar', '-o', artefact, head]);
  if ((await sha256File(artefact)) !== released)
    throw new ConfigurationError({ message: 'demo: the rebuilt artefact does not match the attested one' });
  const restoredDigest = await sha256File(previousArtefact);
  const deployed = join(work, 'deployed.txt');
  await writeFile(deployed, `${restoredDigest}\n`);
  const service = await startService(
    deployed,
    new Map([
      [restoredDigest, { version: '1.3', healthy: true }],
      [released, { version: '1.4', healthy: false }],
    ]),
  );
  try {
    say.say(
      `The deploy job rebuilds build/payments-service.tar (${released.slice(0, 19)}…, the digest that verified) and`,
    );
    say.say(
      'ships it as release 1.4. Production here is a small HTTP server on 127.0.0.1 standing in for payments-service:',
    );
    say.say(
      'it runs the release that deployed.txt names, and release 1.4 answers 503. countersign rollback watches it; the',
    );
    say.say('rollback command is our own deploy, and gets the target only in its environment, never in its text.');
    await writeFile(deployed, `${released}\n`);
    const rollbackArgs = [
      ['rollback', '--probe', service.url, '--expect-json', '$.status=ok', '--count', '3', '--interval', '50ms'],
      ['--failed-digest', released],
      ['--attestations', 'evidence/payments-service.intoto.jsonl', '--public-key', 'keys/release.pub'],
      ['--environment', 'production', '--policy', 'payments-service/.countersign.yml'],
      ['--rollback-command', 'printf "%s\\n" "$COUNTERSIGN_ROLLBACK_DIGEST" > deployed.txt'],
      ['--key', 'keys/release.key', '--out', 'evidence/payments-service.intoto.jsonl'],
      ['--record', 'evidence/payments-service-rollback.json'],
    ];
    await countersign(
      rollbackArgs.flat(),
      [1],
      rollbackArgs.map((line) => line.map(shellQuote).join(' ')).join(' \\\n        '),
      work,
    );
  } finally {
    await service.close();
  }
  const record = JSON.parse(await readFile(join(work, 'evidence', 'payments-service-rollback.json'), 'utf8')) as {
    outcome?: unknown;
  };
  if (record.outcome !== 'rolled-back' || (await readFile(deployed, 'utf8')).trim() !== restoredDigest)
    throw new ConfigurationError({ message: 'demo: the failed deploy was not rolled back to release 1.3' });
  say.say('Nobody named the known good: rollback took the newest approved attestation for production older than the');
  say.say(
    `failed deploy, release 1.3's, and our command put ${restoredDigest.slice(0, 19)}… back in deployed.txt: healthy`,
  );
  say.say('again. (As it runs, rollback prints every probe to stderr; above is the timeline it ends with.)');
  say.say(
    'The failed change matched db-migration, and rolling back the code does not roll back the schema: Countersign',
  );
  say.say(
    'refuses unless the policy lists the rule under rollback.allow-with-rules. .countersign.yml does (1.3 runs fine',
  );
  say.say(
    'with an extra index), so the record says the schema was not rolled back. The record is signed with the release',
  );
  say.say("key and appended to the evidence file: 1.4's digest can never be picked as a known good again.");

  // 7 ─────────────────────────────────────────────────────────────────────────────────────────
  say.title('where the evidence is');
  const tags = (await git(repo, ['tag', '-l', 'countersign/*'])).trim().split('\n').filter(Boolean);
  say.say(`- Approvals: ${tags.length} signed tags in payments-service, e.g. ${tags[0] ?? '(none)'}`);
  say.say('    inspect one:   git cat-file tag <tag>      list them:  git tag -l "countersign/*"');
  say.say('- The request:  git notes --ref countersign show HEAD');
  say.say('- The decision: countersign-decision.json (who counted, who was discounted and why)');
  say.say(
    '- The attestations: evidence/payments-service.intoto.jsonl, one signed in-toto statement a line, each bound',
  );
  say.say("    to an artefact's SHA-256: release 1.3's approval, release 1.4's approval, the rollback");
  say.say(
    '    check it:    countersign verify --subject-path build/payments-service.tar --attestation evidence/payments-service.intoto.jsonl \\',
  );
  say.say('                   --public-key keys/release.pub --environment production');
  say.say('- The rollback record: evidence/payments-service-rollback.json (what failed, what was put back from which');
  say.say('    attestation and why, every probe result); signed, it is the last line of the attestations file');
  say.say("    read it:     jq '{outcome, decision, failed, restored}' evidence/payments-service-rollback.json");
}
