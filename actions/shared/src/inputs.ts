// Reading action inputs at the edge: each helper either returns a typed value or throws a
// ConfigurationError that names the input, so the user learns which line of the workflow to fix.
import * as core from '@actions/core';
import { ConfigurationError, parseDuration } from '@countersign/core';

/**
 * The input's trimmed value, or `fallback` when it is empty. The runner fills in action.yml
 * defaults, but `node dist/index.js` outside a runner does not, so the defaults are repeated here.
 */
export function text(name: string, fallback = ''): string {
  const value = core.getInput(name).trim();
  return value === '' || UNEXPANDED.test(value) ? fallback : value;
}

// A runner expands `${{ github.sha }}` in action.yml defaults; @github/local-action passes them on
// verbatim. Such a value can never be meant literally, so it counts as not given.
const UNEXPANDED = /^\$\{\{.*\}\}$/;

export function required(name: string): string {
  const value = text(name);
  if (value === '') throw new ConfigurationError({ message: `input ${name} is required and was empty` });
  return value;
}

export function optional(name: string): string | null {
  const value = text(name);
  return value === '' ? null : value;
}

/** A duration such as `5s`, `30m` or `2h` (units d, h, m, s, ms), in milliseconds. */
export function duration(name: string, fallback: string): number {
  const value = text(name, fallback);
  const ms = parseDuration(value);
  if (ms === null)
    throw new ConfigurationError({
      message: `input ${name} must be a duration such as 30s, 5m or 2h (got '${value}')`,
    });
  return ms;
}

// YAML 1.2 core schema booleans, the same set @actions/core's getBooleanInput accepts.
const TRUE = new Set(['true', 'True', 'TRUE']);
const FALSE = new Set(['false', 'False', 'FALSE']);

export function boolean(name: string, fallback: boolean): boolean {
  const value = text(name, String(fallback));
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new ConfigurationError({ message: `input ${name} must be true or false (got '${value}')` });
}

/** Comma- or newline-separated, blanks dropped, duplicates kept once. */
export function list(name: string, fallback = ''): string[] {
  const items = text(name, fallback)
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...new Set(items)];
}

/** The token, masked in the log before anything else can print it. */
export function token(name = 'github-token'): string {
  const value = text(name);
  if (value === '')
    throw new ConfigurationError({
      message: `input ${name} is empty: pass \${{ github.token }} or a token with issues: write`,
    });
  core.setSecret(value);
  return value;
}

/** A path inside the repository, as the contents API and `git show` take it. */
export function repositoryPath(name: string, fallback: string): string {
  const value = text(name, fallback).replace(/^\.\//, '');
  const segments = value.split('/');
  if (value.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..'))
    throw new ConfigurationError({
      message: `input ${name} must be a path inside the repository such as .countersign.yml (got '${value}')`,
    });
  return value;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

export function digest(name: string): string | null {
  const value = optional(name);
  if (value !== null && !DIGEST.test(value))
    throw new ConfigurationError({
      message: `input ${name} must be sha256:<64 lower-case hex digits> (got '${value}')`,
    });
  return value;
}

const SHA = /^[0-9a-fA-F]{40}$/;
const REF = /^[A-Za-z0-9._/-]+$/;

/** A commit sha or a plain ref name; anything else cannot be a revision and is refused early. */
export function revision(name: string, fallback: string | null): string | null {
  const value = optional(name) ?? fallback;
  if (value === null) return null;
  if (!SHA.test(value) && (!REF.test(value) || value.includes('..')))
    throw new ConfigurationError({
      message: `input ${name} must be a commit sha or a branch or tag name (got '${value}')`,
    });
  return value;
}
