import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
// Deep imports on purpose: attest is measured against `openssl dgst` with start-up included, so it
// loads the attestation modules alone, not the policy and decision machinery.
import { attestationEnvironment, createAttestation } from '@countersign/core/attestation/attest';
import { digestPath, parseDigest } from '@countersign/core/attestation/digest';
import { parsePrivateKey } from '@countersign/core/attestation/keys';
import { keySigner } from '@countersign/core/attestation/signer';
import { asDecision, runFromEnvironment, type Subject } from '@countersign/core/attestation/statement';
import { ConfigurationError } from '@countersign/core/errors';
import { codeSpan } from '@countersign/core/render/markdown-escape';
import { readInputFile, writeOutputFile, type Io } from '../io.js';
import { formatOf } from '../options.js';

export const ATTEST_USAGE = `countersign attest (--subject-path PATH ... | --digest sha256:HEX --subject-name NAME ...)
                   --decision FILE [--key FILE | --key-env VAR] [--environment E]
                   [--out FILE] [--format text|json|markdown]

Signs the decision (evaluate's or a wait step's JSON) into an in-toto attestation bound to each
subject's SHA-256 (a directory: its dirHash), and appends it to --out (default
countersign.intoto.jsonl), linking it to the previous attestation there for the same artefact.
The key is a PEM Ed25519 or ECDSA P-256 private key: --key FILE, --key-env VAR, or the
COUNTERSIGN_SIGNING_KEY environment variable.`;

const OPTIONS = {
  'subject-path': { type: 'string', multiple: true },
  digest: { type: 'string', multiple: true },
  'subject-name': { type: 'string', multiple: true },
  decision: { type: 'string' },
  key: { type: 'string' },
  'key-env': { type: 'string' },
  environment: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
} as const;

const DEFAULT_KEY_ENV = 'COUNTERSIGN_SIGNING_KEY';
export const DEFAULT_ATTESTATION_FILE = 'countersign.intoto.jsonl';

interface SubjectPlan {
  paths: string[];
  given: Subject[];
}

/** Checks the subject flags before any work starts, so a usage mistake is reported first. */
function planSubjects(values: {
  'subject-path'?: string[];
  digest?: string[];
  'subject-name'?: string[];
}): SubjectPlan {
  const paths = values['subject-path'] ?? [];
  const digests = values.digest ?? [];
  const names = values['subject-name'] ?? [];
  if (paths.length === 0 && digests.length === 0)
    throw new ConfigurationError({
      message: 'attest needs --subject-path PATH or --digest sha256:HEX with --subject-name NAME',
    });
  if (names.length !== digests.length) {
    throw new ConfigurationError({
      message: `each --digest needs its own --subject-name (got ${digests.length} --digest and ${names.length} --subject-name)`,
    });
  }
  return {
    paths,
    given: digests.map((text, i) => ({ name: names[i] as string, digest: { sha256: parseDigest(text, '--digest') } })),
  };
}

async function hashSubjects(plan: SubjectPlan, io: Io): Promise<Subject[]> {
  // One after another: on large artefacts the disk, not the CPU, is the limit.
  const subjects: Subject[] = [];
  for (const path of plan.paths) {
    const { digest } = await digestPath(resolve(io.cwd, path), '--subject-path');
    subjects.push({ name: path, digest });
  }
  return [...subjects, ...plan.given];
}

async function signingKey(values: { key?: string; 'key-env'?: string }, io: Io) {
  if (values.key !== undefined && values['key-env'] !== undefined)
    throw new ConfigurationError({ message: '--key and --key-env are alternatives; give one' });
  if (values.key !== undefined)
    return parsePrivateKey(
      await readInputFile('--key', resolve(io.cwd, values.key), values.key),
      `--key ${values.key}`,
    );
  const variable = values['key-env'] ?? DEFAULT_KEY_ENV;
  const pem = io.env[variable];
  if (pem === undefined || pem.trim() === '') {
    throw new ConfigurationError({
      message: `no signing key: pass --key FILE, or set ${variable} to the PEM private key (countersign keygen makes one)`,
    });
  }
  // GitLab's "File" variables hold a path to a file with the value, not the value itself.
  if (!pem.includes('-----BEGIN') && !pem.includes('\n')) {
    const file = await readInputFile(variable, resolve(io.cwd, pem.trim()), `the file named by ${variable}`);
    return parsePrivateKey(file, `the file named by ${variable}`);
  }
  return parsePrivateKey(pem, `the environment variable ${variable}`);
}

async function existing(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigurationError({ message: `--out: cannot read ${path}: ${(error as Error).message}` });
  }
}

export async function attestCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const format = formatOf(values.format);
  if (values.decision === undefined)
    throw new ConfigurationError({
      message: 'attest needs --decision FILE (the JSON of countersign evaluate or a wait step)',
    });
  // Start hashing at once; reading the key and the decision overlaps with it.
  const subjectsPromise = hashSubjects(planSubjects(values), io);
  subjectsPromise.catch(() => undefined);
  const key = await signingKey(values, io);
  const decisionText = (await readInputFile('--decision', resolve(io.cwd, values.decision), values.decision)).toString(
    'utf8',
  );
  let parsed: unknown;
  try {
    parsed = JSON.parse(decisionText);
  } catch (error) {
    throw new ConfigurationError({
      file: values.decision,
      message: `is not valid JSON: ${(error as Error).message.slice(0, 200)}`,
    });
  }
  const decision = asDecision(parsed, values.decision);
  const environment = attestationEnvironment(
    decision,
    values.environment,
    '--environment',
    `--decision: ${values.decision}`,
  );
  const out = values.out ?? DEFAULT_ATTESTATION_FILE;
  const outPath = resolve(io.cwd, out);
  const subjects = await subjectsPromise;
  const attestation = await createAttestation({
    subjects,
    decision,
    environment,
    signers: [keySigner(key)],
    run: runFromEnvironment(io.env),
    time: io.now(),
    existing: await existing(outPath),
  });
  await writeOutputFile('--out', outPath, attestation.file, out);

  const summary = {
    attestation_path: out,
    attestation_digest: `sha256:${attestation.digest}`,
    payload_sha256: attestation.payloadSha256,
    previous: attestation.previous,
    environment,
    status: decision.status,
    subjects,
    keyid: key.keyid,
  };
  if (decision.status !== 'approved')
    io.stderr(
      `countersign attest: note: the decision is '${decision.status}'; verify will not accept this attestation for deployment\n`,
    );
  if (format === 'json') io.stdout(`${JSON.stringify(summary, null, 2)}\n`);
  else if (format === 'markdown') {
    io.stdout(
      [
        '### Countersign attestation',
        '',
        `Decision **${decision.status}** for ${codeSpan(environment)}, signed by key ${codeSpan(key.keyid.slice(0, 16))}.`,
        '',
        ...subjects.map(
          (s) =>
            `- ${codeSpan(s.name)}: ${Object.entries(s.digest)
              .map(([a, v]) => codeSpan(`${a}:${v}`))
              .join(' ')}`,
        ),
        '',
        `Evidence: ${codeSpan(out)} (${codeSpan(summary.attestation_digest)})${attestation.previous ? `, chained to payload ${codeSpan(attestation.previous.slice(0, 16))}` : ''}.`,
        '',
      ].join('\n'),
    );
  } else {
    io.stdout(
      `Attested ${decision.status} for ${environment}: ${subjects
        .map(
          (s) =>
            `${s.name} (${Object.entries(s.digest)
              .map(([a, v]) => `${a}:${v}`)
              .join(' ')})`,
        )
        .join(', ')}\n` +
        `Wrote ${out} (${summary.attestation_digest})${attestation.previous ? `; previous attestation payload ${attestation.previous}` : ''}\n`,
    );
  }
  return 0;
}
