// Routes are written with the OpenAPI path templates, so the contract test can look each one up in
// GitHub's description and fail when the fake serves a path GitHub does not have.
import { notFound } from './errors.js';
import type { FakeRepo, FakeState, FakeToken } from './state.js';
import type { View } from './shapes.js';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface RateLimit {
  limit: number;
  remaining: number;
  used: number;
  /** Epoch seconds when the window refills. */
  reset: number;
}

export interface RouteContext extends View {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
  viewer: FakeToken;
  rateLimit: RateLimit;
  /** The absolute URL, without query, that this list's `Link` header points at. */
  linkBase: string;
  docs: string;
  repo(): FakeRepo;
}

export interface Reply {
  status?: number;
  body: unknown;
  link?: string | undefined;
  headers?: Record<string, string>;
  /** A non-JSON body (the raw media type of the contents API). */
  raw?: { contentType: string; text: string };
}

export interface Route {
  method: Method;
  /** The OpenAPI path template, e.g. `/repos/{owner}/{repo}/issues/{issue_number}`. */
  path: string;
  /** The documentation page GitHub names in this operation's error bodies. */
  docs: string;
  handle(ctx: RouteContext): Reply;
}

/** Parameters that may hold slashes: a file path, and `BASE...HEAD` with branch names like `feature/x`. */
const GREEDY = new Set(['path', 'basehead']);

interface Compiled {
  route: Route;
  pattern: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: Compiled[];

  constructor(readonly routes: readonly Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path
        .split(/(\{\w+\})/)
        .map((part) => {
          const name = /^\{(\w+)\}$/.exec(part)?.[1];
          if (name === undefined) return part.replace(/[.*+?^$()|[\]\\{}]/g, '\\$&');
          names.push(name);
          return GREEDY.has(name) ? '(.+)' : '([^/]+)';
        })
        .join('');
      return { route, pattern: new RegExp(`^${source}$`), names };
    });
  }

  match(method: string, pathname: string): { route: Route; params: Record<string, string> } | undefined {
    for (const { route, pattern, names } of this.compiled) {
      if (route.method !== method) continue;
      const m = pattern.exec(pathname);
      if (!m) continue;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decode(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return undefined;
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Owner and name are case-insensitive on GitHub. */
export function findRepo(state: FakeState, owner: string, name: string): FakeRepo | undefined {
  const exact = state.repos[`${owner}/${name}`];
  if (exact) return exact;
  const wanted = `${owner}/${name}`.toLowerCase();
  return Object.entries(state.repos).find(([full]) => full.toLowerCase() === wanted)?.[1];
}

export function requireRepo(ctx: Pick<RouteContext, 'state' | 'params' | 'docs'>): FakeRepo {
  const repo = findRepo(ctx.state, ctx.params['owner'] ?? '', ctx.params['repo'] ?? '');
  if (!repo) throw notFound(ctx.docs);
  return repo;
}

export function intParam(ctx: Pick<RouteContext, 'params' | 'docs'>, name: string): number {
  const value = ctx.params[name] ?? '';
  if (!/^\d+$/.test(value)) throw notFound(ctx.docs);
  return Number(value);
}
