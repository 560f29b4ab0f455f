import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  codeSpan,
  ConfigurationError,
  digestPath,
  escapeMarkdown,
  parseDigest,
  parseDuration,
  parseKeyring,
  verifyAttestations,
  type ArtefactDigest,
  type PublicKeyInfo,
  type VerifyResult,
} from '@countersign/core';
import { readInputFile, type Io } from '../io.js';
import { formatOf } from '../options.js';
import { policyFromFile } from '../policy-source.js';
import { DEFAULT_ATTESTATION_FILE } from './attest.js';

export const VERIFY_USAGE = `countersign verify (--subject-path PATH | --digest sha256:HEX) [--attestation FILE]
                   --public-key PEM... [--environment E] [--policy FILE] [--chain]
                   [--max-age 7d] [--format text|json|markdown]

Checks, before deploy, that the artefact has a valid attestation: the envelope's shape, a signature
by one of the public keys (each --public-key file may hold several keys), the subject's digest,
the predicate type, the environment, an approved decision, the maximum age, with --policy that the
decision still holds under the policy as it is now, and with --chain the promotion chain in the
order of the policy's environments. Exit 0 verified, 1 not verified (the failed check is named),
2 bad input.`;

const OPTIONS = {
  'subject-path': { type: 'string' },
  digest: { type: 'string' },
  attestation: { type: 'string' },
  'public-key': { type: 'string', multiple: true },
  environment: { type: 'string' },
  policy: { type: 'string' },
  chain: { type: 'boolean' },
  'max-age': { type: 'string' },
  format: { type: 'string' },
} as const;

async function artefactDigest(values: { 'subject-path'?: string; digest?: string }, io: Io): Promise<ArtefactDigest> {
  if ((values['subject-path'] === undefined) === (values.digest === undefined)) {
    throw new ConfigurationError({ message: 'verify needs exactly one of --subject-path PATH or --digest sha256:HEX' });
  }
  if (values.digest !== undefined) return { algorithm: 'sha256', value: parseDigest(values.digest, '--digest') };
  const { digest } = await digestPath(resolve(io.cwd, values['subject-path'] as string), '--subject-path');
  const [algorithm, value] = Object.entries(digest)[0] as [string, string];
  return { algorithm, value };
}

async function keys(files: string[] | undefined, io: Io): Promise<PublicKeyInfo[]> {
  if (files === undefined || files.length === 0)
    throw new ConfigurationError({
      message: 'verify needs --public-key FILE (a PEM public key, or several in one file)',
    });
  const all: PublicKeyInfo[] = [];
  for (const file of files)
    all.push(...parseKeyring(await readInputFile('--public-key', resolve(io.cwd, file), file), `--public-key ${file}`));
  return all;
}

function text(result: VerifyResult, digest: ArtefactDigest, file: string): string {
  const lines: string[] = [];
  const subject = `${digest.algorithm}:${digest.value}`;
  if (result.verified) {
    const p = result.predicate;
    lines.push(`Verified: ${subject} is approved for ${p?.environment ?? '?'} (${file} line ${result.line ?? '?'})`);
  } else {
    lines.push(`NOT VERIFIED: ${subject}`);
    if (result.failed !== null) lines.push(`Failed check '${result.failed.name}': ${result.failed.detail}`);
  }
  for (const check of result.checks) lines.push(`  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}`);
  const others = result.candidates.filter((c) => c.line !== result.line);
  for (const c of others)
    lines.push(`  (line ${c.line}: ${c.failed ? `fails '${c.failed.name}': ${c.failed.detail}` : 'verifies'})`);
  for (const w of result.warnings) lines.push(`Warning: ${w}`);
  return `${lines.join('\n')}\n`;
}

function markdown(result: VerifyResult, digest: ArtefactDigest): string {
  const head = result.verified ? '### ✅ Countersign: verified' : '### ⛔ Countersign: not verified';
  const rows = result.checks.map((c) => `| ${c.ok ? '✅' : '❌'} | ${c.name} | ${escapeMarkdown(c.detail)} |`);
  return `${[head, '', `Artefact ${codeSpan(`${digest.algorithm}:${digest.value}`)}`, '', '| | Check | Detail |', '| --- | --- | --- |', ...rows, ''].join('\n')}\n`;
}

export async function verifyCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false });
  const format = formatOf(values.format);
  const digest = await artefactDigest(values, io);
  const keyring = await keys(values['public-key'], io);
  let maxAgeMs: number | undefined;
  if (values['max-age'] !== undefined) {
    const parsed = parseDuration(values['max-age']);
    if (parsed === null)
      throw new ConfigurationError({
        message: `--max-age must be a duration such as 30m, 24h or 7d (got '${values['max-age']}')`,
      });
    maxAgeMs = parsed;
  }
  if (values.chain === true && values.policy === undefined) {
    throw new ConfigurationError({
      message: "--chain needs --policy: the policy's environments give the promotion order",
    });
  }
  const policy = values.policy !== undefined ? (await policyFromFile(io.cwd, values.policy)).policy : undefined;
  const file = values.attestation ?? DEFAULT_ATTESTATION_FILE;
  const content = (await readInputFile('--attestation', resolve(io.cwd, file), file)).toString('utf8');
  const result = verifyAttestations(content, {
    keys: keyring,
    digest,
    environment: values.environment,
    maxAgeMs,
    now: io.now(),
    policy,
    chain: values.chain === true,
  });
  if (format === 'json') {
    io.stdout(
      `${JSON.stringify(
        {
          verified: result.verified,
          failed: result.failed,
          checks: result.checks,
          line: result.line,
          environment: result.predicate?.environment ?? null,
          approvers: result.verified ? (result.predicate?.decision.approvers ?? []) : [],
          candidates: result.candidates,
          warnings: result.warnings,
        },
        null,
        2,
      )}\n`,
    );
  } else if (format === 'markdown') io.stdout(markdown(result, digest));
  else io.stdout(text(result, digest, file));
  return result.verified ? 0 : 1;
}
