// `countersign demo`: the whole flow, offline, in a temporary repository, narrated for someone who
// has never seen the tool. Every step runs the real verb in-process, exactly as a user would type
// it, and the demo stops with exit 2 if any step does not answer as it should.
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigurationError } from '@countersign/core/errors';
import type { Io } from '../io.js';

export const DEMO_USAGE = `countersign demo [--keep DIR]

Runs the whole flow offline on the git platform, in a temporary repository, and explains each
step: classify a risky change, request approval, a self-approval discounted, two approvers
counted, the artefact attested and verified, a tampered artefact refused. Needs git and
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
  const countersign = async (
    argv: string[],
    expect: number[],
    shown: string = argv.join(' '),
    cwd: string = repo,
  ): Promise<Captured> => {
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      ...io,
      cwd,
      isTty: false,
      env: { ...io.env, NO_COLOR: '1' },
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
    });
    say.say(`  $ countersign ${shown}`);
    say.output(stdout);
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
  say.title('where the evidence is');
  const tags = (await git(repo, ['tag', '-l', 'countersign/*'])).trim().split('\n').filter(Boolean);
  say.say(`- Approvals: ${tags.length} signed tags in payments-service, e.g. ${tags[0] ?? '(none)'}`);
  say.say('    inspect one:   git cat-file tag <tag>      list them:  git tag -l "countersign/*"');
  say.say('- The request:  git notes --ref countersign show HEAD');
  say.say('- The decision: countersign-decision.json (who counted, who was discounted and why)');
  say.say(
    "- The attestation: evidence/payments-service.intoto.jsonl, a signed in-toto statement bound to the artefact's SHA-256",
  );
  say.say(
    '    check it:    countersign verify --subject-path build/payments-service.tar --attestation evidence/payments-service.intoto.jsonl \\',
  );
  say.say('                   --public-key keys/release.pub --environment production');
}
