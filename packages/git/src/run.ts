import { ConfigurationError } from '@countersign/core';
import { runGit, type GitOutput } from './exec.js';

export type GitRunner = (args: readonly string[]) => Promise<GitOutput>;

/**
 * Runs git in the user's own directory and returns its stdout, or throws naming what failed. Used
 * for commands that must see what the user sees there: a remote given as a relative path, a
 * signing key given as a relative path. Reading goes through Repository instead.
 */
export async function gitIn(cwd: string, args: readonly string[], input?: string): Promise<Buffer> {
  const result = await runGit(args, input === undefined ? { cwd } : { cwd, input });
  if (result.code !== 0) throw new ConfigurationError({ message: `${describe(args)}: ${gitMessage(result)}` });
  return result.stdout;
}

/** `git <subcommand>`, skipping the `-c key=value` pairs in front of it. */
export function describe(args: readonly string[]): string {
  let index = 0;
  while (args[index] === '-c') index += 2;
  return `git ${args[index] ?? ''}`.trimEnd();
}

/**
 * What git said went wrong, on one line: its `error:` and `fatal:` lines (a signing failure's cause
 * is rarely the first), or everything it said when it used neither.
 */
export function gitMessage(output: GitOutput): string {
  const lines = output.stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('hint:'));
  const errors = lines.filter((line) => line.startsWith('error:') || line.startsWith('fatal:'));
  const chosen = errors.length > 0 ? errors : lines;
  return chosen.length === 0 ? `exit code ${output.code}` : chosen.join('; ');
}

/** `-c key=value` pairs for git, from settings written `key=value`. */
export function configArgs(config: readonly string[] | undefined): string[] {
  return (config ?? []).flatMap((setting) => ['-c', setting]);
}

/** Whether the repository around cwd has a remote of that name (a URL is not a remote name). */
export async function hasRemote(cwd: string, remote: string): Promise<boolean> {
  assertRemoteName(remote);
  const names = (await gitIn(cwd, ['remote'])).toString('utf8').split('\n');
  return names.includes(remote);
}

export function assertRemoteName(remote: string): void {
  // A remote starting with '-' would be read as an option by older subcommands' parsers.
  if (remote === '' || remote.startsWith('-') || remote.includes('\0')) {
    throw new ConfigurationError({ message: `${JSON.stringify(remote)} is not a remote name` });
  }
}

/**
 * `-c` settings giving git an identity when it has none, else nothing. A tag or a notes commit
 * needs one, and CI runners often have none configured. Nothing rests on it: a decision's author
 * is its signing key's principal, and a request records who asked inside the request.
 */
export async function fallbackIdentity(run: GitRunner): Promise<string[]> {
  const [author, committer] = await Promise.all([
    run(['var', 'GIT_AUTHOR_IDENT']),
    run(['var', 'GIT_COMMITTER_IDENT']),
  ]);
  if (author.code === 0 && committer.code === 0) return [];
  return ['-c', 'user.name=Countersign', '-c', 'user.email=countersign@localhost'];
}
