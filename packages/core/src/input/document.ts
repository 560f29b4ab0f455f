// Parsing user files so that every later complaint can point at a line and column. YAML is parsed
// with the `yaml` library's CST (it keeps source ranges); JSON files are parsed with JSON.parse for
// speed, and re-read as YAML (a superset of JSON) only when an error needs a position.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigurationError, type Problem } from '../errors.js';

export type PathSegment = string | number;

export interface Located {
  /** The parsed value (plain JSON data). */
  value: unknown;
  file: string;
  /** Line and column (1-based) of the value at `path`, or of the key itself with `key: true`. */
  locate(path: readonly PathSegment[], options?: { key?: boolean }): { line: number; column: number } | undefined;
}

const YAML_OPTIONS = {
  prettyErrors: false,
  uniqueKeys: true,
  strict: true,
  // Bounds alias expansion, so a "billion laughs" file fails instead of eating memory.
  maxAliasCount: 100,
} as const;

function yamlDocument(text: string): { doc: Document; counter: LineCounter } {
  const counter = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter: counter });
  return { doc, counter };
}

function locator(doc: Document, counter: LineCounter) {
  return (path: readonly PathSegment[], options?: { key?: boolean }) => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const segment of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (pair === undefined) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        node = node.items[segment];
      } else {
        break;
      }
    }
    const target = (options?.key === true && keyNode !== undefined ? keyNode : node) as Node | null | undefined;
    const offset = target?.range?.[0];
    if (offset === undefined) return undefined;
    const pos = counter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
}

/** Parses YAML (policies). Throws ConfigurationError naming the file, line and column. */
export function parseYaml(text: string, file: string): Located {
  const { doc, counter } = yamlDocument(text);
  const problems: Problem[] = doc.errors.map((error) => {
    const pos = counter.linePos(error.pos[0]);
    return { file, line: pos.line, column: pos.col, message: yamlMessage(error.message) };
  });
  if (problems.length > 0) throw new ConfigurationError(problems.slice(0, 5));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: YAML_OPTIONS.maxAliasCount });
  } catch (error) {
    throw new ConfigurationError({ file, message: `cannot be read as YAML: ${(error as Error).message}` });
  }
  return { value, file, locate: locator(doc, counter) };
}

/** Parses JSON (change, approvals, members files). Throws ConfigurationError with the line and column. */
export function parseJson(text: string, file: string): Located {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigurationError({
      file,
      ...jsonErrorPosition(text, error),
      message: `is not valid JSON: ${jsonMessage(error)}`,
    });
  }
  let lazy: ReturnType<typeof locator> | undefined;
  return {
    value,
    file,
    locate(path, options) {
      lazy ??= (() => {
        const { doc, counter } = yamlDocument(text);
        return locator(doc, counter);
      })();
      return lazy(path, options);
    },
  };
}

function yamlMessage(message: string): string {
  // The yaml library appends "at line L, column C" and a source excerpt; we print the position first.
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
}

function jsonMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // Node quotes the surrounding text (possibly the whole file); the position says enough.
  return message
    .replace(/\s*\(line \d+ column \d+\)\s*$/, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, "[\s\S]*" is not valid JSON$/, '');
}

function jsonErrorPosition(text: string, error: unknown): { line?: number; column?: number } {
  const message = error instanceof Error ? error.message : '';
  const lineCol = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineCol?.[1] !== undefined && lineCol[2] !== undefined)
    return { line: Number(lineCol[1]), column: Number(lineCol[2]) };
  const at = /at position (\d+)/.exec(message);
  if (at?.[1] === undefined) {
    // Some messages carry no position: the YAML parser (JSON is YAML) finds where it breaks.
    const { doc, counter } = yamlDocument(text);
    const first = doc.errors[0];
    if (first === undefined) return {};
    const pos = counter.linePos(first.pos[0]);
    return { line: pos.line, column: pos.col };
  }
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  return { line, column: Number(at[1]) - before.lastIndexOf('\n') };
}

/** `rules[2].risk` for the path ['rules', 2, 'risk']. */
export function displayPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}
