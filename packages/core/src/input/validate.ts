// Turns JSON Schema errors into messages a person can act on: the location, the path in the
// file's own terms (`rules[2].risk`), and what was expected — never Ajv's internal wording alone.
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Problem } from '../errors.js';
import { displayPath, type Located, type PathSegment } from './document.js';

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });

// Timestamps in input files must carry their offset: a time without one means different instants
// on different runners, and approvals are ordered by time.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;
ajv.addFormat('date-time', {
  type: 'string',
  validate: (text: string) => RFC3339.test(text) && !Number.isNaN(Date.parse(text)),
});

const compiled = new WeakMap<object, ValidateFunction>();

export function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Every schema violation of `located.value`, each with its position; empty when valid. */
export function schemaProblems(schema: object, located: Located): Problem[] {
  const validate = validatorFor(schema);
  if (validate(located.value)) return [];
  const problems: Problem[] = [];
  const seen = new Set<string>();
  for (const error of validate.errors ?? []) {
    const problem = describe(error, located);
    if (problem === undefined) continue;
    const key = `${problem.line}:${problem.column}:${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

function pathOf(instancePath: string, root: unknown): PathSegment[] {
  if (instancePath === '') return [];
  const segments: PathSegment[] = [];
  let node: unknown = root;
  for (const raw of instancePath.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const segment: PathSegment = Array.isArray(node) && /^\d+$/.test(key) ? Number(key) : key;
    segments.push(segment);
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[String(segment)] : undefined;
  }
  return segments;
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[String(segment)];
  }
  return node;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the text ${JSON.stringify(truncate(value))}`;
  return `${typeof value} ${JSON.stringify(value) ?? String(typeof value)}`;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const EXPECTED_TYPE: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  null: 'null',
};

function describe(error: ErrorObject, located: Located): Problem | undefined {
  const path = pathOf(error.instancePath, located.value);
  const where = path.length === 0 ? '(top level)' : displayPath(path);
  const at = (p: readonly PathSegment[], key = false) => ({ file: located.file, ...located.locate(p, { key }) });
  const params = error.params as Record<string, unknown>;
  const data = valueAt(located.value, path);
  switch (error.keyword) {
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String).join(', ');
      return { ...at(path), message: `${where} must be one of ${allowed} (got ${typeName(data)})` };
    }
    case 'const':
      return {
        ...at(path),
        message: `${where} must be ${JSON.stringify(params['allowedValue'])} (got ${typeName(data)})`,
      };
    case 'additionalProperties': {
      const key = String(params['additionalProperty']);
      const known = Object.keys((error.parentSchema?.['properties'] as object | undefined) ?? {});
      const expected = known.length > 0 ? ` (expected one of: ${known.join(', ')})` : '';
      return {
        ...at([...path, key], true),
        message: `${where === '(top level)' ? 'the top level' : where} has an unknown key '${key}'${expected}`,
      };
    }
    case 'required':
      return {
        ...at(path, true),
        message: `${where === '(top level)' ? 'the top level' : where} is missing the required key '${String(params['missingProperty'])}'`,
      };
    case 'type': {
      const expected = String(params['type'])
        .split(',')
        .map((t) => EXPECTED_TYPE[t] ?? t)
        .join(' or ');
      return { ...at(path), message: `${where} must be ${expected} (got ${typeName(data)})` };
    }
    case 'minimum':
      return { ...at(path), message: `${where} must be at least ${String(params['limit'])} (got ${String(data)})` };
    case 'minItems':
      return { ...at(path), message: `${where} must have at least ${String(params['limit'])} item(s)` };
    case 'minLength':
      return { ...at(path), message: `${where} must not be empty` };
    case 'minProperties':
      return { ...at(path), message: `${where} must have at least ${String(params['limit'])} key(s)` };
    case 'uniqueItems':
      return {
        ...at(path),
        message: `${where} lists the same value twice (items ${String(params['j'])} and ${String(params['i'])})`,
      };
    case 'format':
      return {
        ...at(path),
        message: `${where} must be an RFC 3339 time with an offset, such as 2026-11-23T15:00:00Z (got ${typeName(data)})`,
      };
    case 'propertyNames':
      // Reported through the nested `pattern` error, which names the offending key.
      return undefined;
    case 'pattern': {
      if (params['propertyName'] !== undefined || error.propertyName !== undefined) {
        const key = String(error.propertyName ?? params['propertyName']);
        return {
          ...at([...path, key], true),
          message: `${where} has the key '${key}', which is not a valid name (letters, digits, '.', '_' and '-', starting with a letter or digit)`,
        };
      }
      const description =
        (error.parentSchema?.['description'] as string | undefined) ?? `a value matching ${String(params['pattern'])}`;
      return { ...at(path), message: `${where} is ${typeName(data)}, which is not ${lowerFirst(description)}` };
    }
    default:
      return { ...at(path), message: `${where} ${error.message ?? 'is not valid'}` };
  }
}

function lowerFirst(text: string): string {
  const trimmed = text.replace(/\.$/, '');
  return trimmed.charAt(0).toLowerCase() + trimmed.slice(1);
}
