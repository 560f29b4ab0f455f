// Everything the commands need from the outside world, injectable so tests can run them in-process
// as well as through the real binary.
import { readFile, writeFile } from 'node:fs/promises';
import { ConfigurationError } from '@countersign/core/errors';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTty: boolean;
  now: () => Date;
}

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    cwd: process.cwd(),
    env: process.env,
    isTty: process.stdout.isTTY === true,
    now: () => new Date(),
  };
}

/** Reads a file named by a flag; a missing or unreadable file is the user's error, named by flag. */
export async function readInputFile(flag: string, path: string, shownAs: string = path): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message;
    throw new ConfigurationError({ message: `${flag}: cannot read ${shownAs}: ${why}` });
  }
}

/** Writes a file named by a flag; a failure is the user's error, named by flag, not a stack trace. */
export async function writeOutputFile(
  flag: string,
  path: string,
  content: string,
  shownAs: string = path,
): Promise<void> {
  try {
    await writeFile(path, content);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'its directory does not exist'
        : code === 'EISDIR'
          ? 'it is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : (error as Error).message;
    throw new ConfigurationError({ message: `${flag}: cannot write ${shownAs}: ${why}` });
  }
}
