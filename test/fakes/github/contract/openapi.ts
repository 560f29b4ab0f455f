// GitHub's published OpenAPI description (@octokit/openapi), turned into response validators that are
// strict enough to catch a fake drifting from the real API:
// - OpenAPI 3.0 `nullable` becomes a JSON Schema type union, so `null` is allowed only where GitHub says;
// - every described object is closed (`unevaluatedProperties: false`), so the fake cannot invent fields
//   that a client might then come to rely on;
// - formats (uri, date-time, email, int64) are checked.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';

type Node = Record<string, unknown>;

export interface Operation {
  operationId: string;
  responses: Record<string, unknown>;
}

export interface Validation {
  valid: boolean;
  errors: string[];
  /** Failures forgiven by KNOWN_GAPS, kept so a test can show them. */
  forgiven: string[];
}

/**
 * Where GitHub's description and GitHub's answers disagree, and the fake follows the answers. Each gap
 * is as narrow as it can be: one schema, one field, one exact value.
 */
export const KNOWN_GAPS: ReadonlyArray<{ schema: string; field: RegExp; value: unknown; why: string }> = [
  {
    schema: 'deployment-status',
    field: /^(\/\d+)?\/(target_url|environment_url|log_url)$/,
    value: '',
    why: 'typed `format: uri`, but GitHub sends "" for a URL that was never set',
  },
];

const DOC_ID = 'https://api.github.com/openapi.json';
const OPENAPI_FILE = 'generated/api.github.com.json';

export class OpenApiContract {
  readonly file: string;
  readonly version: string;
  readonly openapi: string;
  private readonly paths: Record<string, Record<string, Operation>>;
  private readonly components: Node;
  private readonly ajv: Ajv2019;
  private readonly cache = new Map<string, ValidateFunction>();
  private readonly matchers: Array<{ template: string; strict: RegExp; greedy: RegExp; literals: number }>;

  constructor() {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('@octokit/openapi/package.json'));
    this.file = `@octokit/openapi/${OPENAPI_FILE}`;
    const doc = JSON.parse(readFileSync(join(root, OPENAPI_FILE), 'utf8')) as Node;
    const info = doc['info'] as { version: string };
    this.version = info.version;
    this.openapi = String(doc['openapi']);
    this.paths = doc['paths'] as Record<string, Record<string, Operation>>;
    this.components = doc['components'] as Node;

    const schemas = this.components['schemas'] as Record<string, Node>;
    for (const schema of Object.values(schemas)) prepare(schema);
    for (const response of Object.values(this.components['responses'] as Record<string, Node>)) {
      for (const media of Object.values((response['content'] ?? {}) as Record<string, Node>)) {
        if (media['schema']) prepare(media['schema'] as Node);
      }
    }
    openAllOfMembers(schemas, Object.values(schemas));

    this.ajv = new Ajv2019({ strict: false, allErrors: true, validateSchema: false, logger: false });
    const addFormats = addFormatsModule as unknown as (ajv: Ajv2019) => Ajv2019;
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOC_ID, components: this.components });

    this.matchers = Object.keys(this.paths).map((template) => {
      const parts = template.split(/(\{\w+\})/);
      const build = (greedyLast: boolean) => {
        const params = parts.filter((p) => /^\{\w+\}$/.test(p)).length;
        let seen = 0;
        const source = parts
          .map((p) => {
            if (!/^\{\w+\}$/.test(p)) return p.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
            seen += 1;
            return greedyLast && seen === params ? '(.+)' : '([^/]+)';
          })
          .join('');
        return new RegExp(`^${source}$`);
      };
      const literals = template.split('/').filter((s) => s !== '' && !s.startsWith('{')).length;
      return { template, strict: build(false), greedy: build(true), literals };
    });
  }

  operation(method: string, template: string): Operation | undefined {
    return this.paths[template]?.[method.toLowerCase()];
  }

  /**
   * The OpenAPI path template for a concrete path, worked out from GitHub's description alone (not
   * from the fake's router): exact segments first, then a last parameter that may hold slashes.
   */
  templateFor(method: string, pathname: string): string | undefined {
    const m = method.toLowerCase();
    for (const mode of ['strict', 'greedy'] as const) {
      const hits = this.matchers
        .filter((x) => this.paths[x.template]?.[m] !== undefined && x[mode].test(pathname))
        .sort((a, b) => b.literals - a.literals);
      if (hits[0]) return hits[0].template;
    }
    return undefined;
  }

  /** Statuses the operation documents. */
  statuses(method: string, template: string): string[] {
    return Object.keys(this.operation(method, template)?.responses ?? {});
  }

  /**
   * The JSON schema of one documented response, or undefined when GitHub documents that status with no
   * body (304) or does not document it at all.
   */
  responseSchema(method: string, template: string, status: number): Node | undefined {
    let response = this.operation(method, template)?.responses[String(status)] as Node | undefined;
    const ref = response?.['$ref'];
    if (typeof ref === 'string') {
      response = (this.components['responses'] as Record<string, Node>)[ref.split('/').pop() ?? ''];
    }
    const content = response?.['content'] as Record<string, Node> | undefined;
    return content?.['application/json']?.['schema'] as Node | undefined;
  }

  /** Validates against the operation's documented schema for `status`; a missing schema is an error. */
  validate(method: string, template: string, status: number, body: unknown): Validation {
    const key = `${method.toLowerCase()} ${template} ${status}`;
    const schema = this.responseSchema(method, template, status);
    if (!schema)
      return { valid: false, errors: [`${key}: GitHub documents no JSON body for this status`], forgiven: [] };
    let validator = this.cache.get(key);
    if (!validator) {
      validator = this.compile(schema);
      this.cache.set(key, validator);
    }
    return result(validator, body, topSchemas(schema));
  }

  /** Validates against one named component schema, e.g. `basic-error`. */
  validateComponent(name: string, body: unknown): Validation {
    const key = `component ${name}`;
    let validator = this.cache.get(key);
    if (!validator) {
      validator = this.ajv.compile({ $ref: `${DOC_ID}#/components/schemas/${name}` });
      this.cache.set(key, validator);
    }
    return result(validator, body, [name]);
  }

  private compile(schema: Node): ValidateFunction {
    // Inline operation schemas get the same treatment as components, and their local
    // `#/components/...` references are pointed at the registered document.
    const copy = structuredClone(schema);
    prepare(copy);
    openAllOfMembers(this.components['schemas'] as Record<string, Node>, [copy]);
    rebaseRefs(copy);
    return this.ajv.compile(copy);
  }
}

function result(validator: ValidateFunction, body: unknown, gapSchemas: readonly string[] = []): Validation {
  if (validator(body)) return { valid: true, errors: [], forgiven: [] };
  const errors: string[] = [];
  const forgiven: string[] = [];
  for (const e of validator.errors ?? []) {
    const text = `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`;
    const gap = KNOWN_GAPS.find(
      (g) =>
        gapSchemas.includes(g.schema) &&
        e.keyword === 'format' &&
        g.field.test(e.instancePath) &&
        valueAt(body, e.instancePath) === g.value,
    );
    (gap ? forgiven : errors).push(text);
  }
  return { valid: errors.length === 0, errors, forgiven };
}

function valueAt(body: unknown, pointer: string): unknown {
  let node = body;
  for (const token of pointer.split('/').slice(1)) {
    const key = token.replace(/~1/g, '/').replace(/~0/g, '~');
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  }
  return node;
}

/** Component names a response schema is built from at its top (itself, or its array items). */
function topSchemas(schema: Node): string[] {
  const names: string[] = [];
  for (const s of [schema, schema['items']]) {
    const ref = isNode(s) ? s['$ref'] : undefined;
    if (typeof ref === 'string') names.push(ref.split('/').pop() ?? '');
  }
  return names;
}

const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;

function isNode(x: unknown): x is Node {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Visits every subschema (not every object: a property may well be called "properties"). */
function eachSubschema(schema: Node, visit: (child: Node) => void): void {
  const props = schema['properties'];
  if (isNode(props)) for (const child of Object.values(props)) if (isNode(child)) visit(child);
  for (const key of ['items', 'additionalProperties', 'not'] as const) {
    const child = schema[key];
    if (isNode(child)) visit(child);
  }
  for (const key of SUBSCHEMA_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) for (const child of list) if (isNode(child)) visit(child);
  }
}

const prepared = new WeakSet<Node>();

/** OpenAPI 3.0 → JSON Schema 2019-09, in place: nullable as type unions, described objects closed. */
function prepare(schema: Node): void {
  if (prepared.has(schema)) return;
  prepared.add(schema);
  eachSubschema(schema, prepare);
  const describesObject = schema['properties'] !== undefined || schema['allOf'] !== undefined;
  if (
    describesObject &&
    schema['additionalProperties'] === undefined &&
    schema['unevaluatedProperties'] === undefined
  ) {
    schema['unevaluatedProperties'] = false;
  }
  if (schema['nullable'] === true) {
    delete schema['nullable'];
    const composite = SUBSCHEMA_LISTS.some((k) => schema[k] !== undefined) || schema['$ref'] !== undefined;
    if (typeof schema['type'] === 'string' && !composite) {
      schema['type'] = [schema['type'], 'null'];
      const values = schema['enum'];
      if (Array.isArray(values) && !values.includes(null)) schema['enum'] = [...(values as unknown[]), null];
    } else {
      const inner: Node = { ...schema };
      for (const key of Object.keys(schema)) delete schema[key];
      schema['anyOf'] = [inner, { type: 'null' }];
      prepared.add(inner);
    }
  } else if (schema['nullable'] === false) {
    delete schema['nullable'];
  }
}

/**
 * An `allOf` member sees only its own properties, so a closed member would reject its siblings'. The
 * composite itself stays closed; members become open copies (`<name>--open` for referenced components).
 */
function openAllOfMembers(schemas: Record<string, Node>, roots: Node[]): void {
  const seen = new WeakSet<Node>();
  const walk = (schema: Node) => {
    if (seen.has(schema)) return;
    seen.add(schema);
    eachSubschema(schema, walk);
    const members = schema['allOf'];
    if (!Array.isArray(members)) return;
    for (const member of members) {
      if (!isNode(member)) continue;
      const ref = member['$ref'];
      if (typeof ref === 'string' && ref.startsWith('#/components/schemas/')) {
        const name = ref.slice('#/components/schemas/'.length);
        const openName = `${name}--open`;
        const target = schemas[name];
        if (target && !schemas[openName]) {
          const open: Node = { ...target };
          delete open['unevaluatedProperties'];
          schemas[openName] = open;
        }
        if (target) member['$ref'] = `#/components/schemas/${openName}`;
      } else {
        delete member['unevaluatedProperties'];
      }
    }
  };
  for (const root of roots) walk(root);
}

function rebaseRefs(schema: Node): void {
  const ref = schema['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/')) schema['$ref'] = `${DOC_ID}${ref}`;
  eachSubschema(schema, rebaseRefs);
}
