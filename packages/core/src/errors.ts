/**
 * A problem with what the user gave us (a policy, an input file, a flag), as opposed to a bug.
 * Each problem names where it is, so the message reads `file:line:column what is wrong`, and the
 * CLI turns it into exit code 2.
 */
export interface Problem {
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
  message: string;
}

export function formatProblem(problem: Problem): string {
  let where = problem.file ?? '';
  if (problem.file !== undefined && problem.line !== undefined) {
    where += `:${problem.line}`;
    if (problem.column !== undefined) where += `:${problem.column}`;
  }
  return where === '' ? problem.message : `${where} ${problem.message}`;
}

export class ConfigurationError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: Problem | readonly Problem[]) {
    const list = Array.isArray(problems) ? (problems as readonly Problem[]) : [problems as Problem];
    super(list.map(formatProblem).join('\n'));
    this.name = 'ConfigurationError';
    this.problems = list;
  }
}

export function isConfigurationError(error: unknown): error is ConfigurationError {
  return error instanceof ConfigurationError;
}
