// Programmable failures, so reliability tests meet what GitHub really does under load: transient 5xx,
// rate limits with their headers, dropped connections and slow answers. Random faults come from a
// seeded generator, so a failing run can be replayed with the same seed.

export type FaultKind =
  | 'server-error' // 500
  | 'bad-gateway' // 502
  | 'service-unavailable' // 503
  | 'secondary-rate-limit' // 403 (or 429) + retry-after + GitHub's "secondary rate limit" message
  | 'primary-rate-limit' // 403 (or 429) + x-ratelimit-remaining: 0 + x-ratelimit-reset
  | 'too-many-requests' // 429 + retry-after
  | 'connection-reset' // the socket is destroyed before any answer
  | 'slow'; // the real answer, after a delay

export const FAULT_KINDS: readonly FaultKind[] = [
  'server-error',
  'bad-gateway',
  'service-unavailable',
  'secondary-rate-limit',
  'primary-rate-limit',
  'too-many-requests',
  'connection-reset',
  'slow',
];

/** What a client should survive by retrying alone; the default for random faults. */
export const TRANSIENT_FAULT_KINDS: readonly FaultKind[] = [
  'server-error',
  'bad-gateway',
  'service-unavailable',
  'secondary-rate-limit',
  'too-many-requests',
  'connection-reset',
];

export interface FaultOptions {
  /** 403 (GitHub's usual) or 429, for the rate-limit kinds. */
  status?: 403 | 429;
  /** Seconds in `retry-after`, or until `x-ratelimit-reset` for the primary limit. */
  retryAfter?: number;
  /** Milliseconds for `slow`. */
  delayMs?: number;
  /** Only requests whose path (with query) matches; otherwise the plan's `only` scope. */
  path?: RegExp;
  method?: string;
}

export interface Fault extends FaultOptions {
  kind: FaultKind;
}

export interface InjectedFault {
  kind: FaultKind;
  method: string;
  path: string;
}

export class FaultPlan {
  /** Probability, 0..1, that a request in scope gets a random fault from `kinds`. */
  rate = 0;
  kinds: FaultKind[] = [...TRANSIENT_FAULT_KINDS];
  retryAfterSeconds = 1;
  slowMs = 1000;
  /**
   * Whether random and unscoped faults also reach the artefact service (Twirp and blob URLs). Off by
   * default: its clients wait seconds between retries. A fault whose own `path`, or the `only` scope,
   * names such a URL reaches it regardless.
   */
  artifactService = false;
  /** Every fault handed out, in order. */
  readonly injected: InjectedFault[] = [];

  private queue: Fault[] = [];
  private scope: { path?: RegExp; method?: string } = {};
  private random: () => number;

  constructor(seed = 1) {
    this.random = mulberry32(seed);
  }

  reseed(seed: number): this {
    this.random = mulberry32(seed);
    return this;
  }

  /** Queues a fault for the next request that matches its `path`/`method`, or the `only` scope. */
  next(kind: FaultKind, options: FaultOptions = {}): this {
    this.queue.push({ kind, ...options });
    return this;
  }

  /** Limits random and queued faults to matching requests; call with no pattern to lift the limit. */
  only(path?: RegExp | string, method?: string): this {
    const scope: { path?: RegExp; method?: string } = {};
    if (path !== undefined) scope.path = typeof path === 'string' ? new RegExp(path) : path;
    if (method !== undefined) scope.method = method.toUpperCase();
    this.scope = scope;
    return this;
  }

  /** Back to no faults at all. */
  clear(): this {
    this.rate = 0;
    this.artifactService = false;
    this.kinds = [...TRANSIENT_FAULT_KINDS];
    this.queue = [];
    this.scope = {};
    return this;
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Decides the fault, if any, for one request. The server calls this once per request, saying whether
   * the request is for the artefact service.
   */
  take(method: string, path: string, options: { artifactService?: boolean } = {}): Fault | undefined {
    const optedIn = (pattern: RegExp | undefined) =>
      !options.artifactService || this.artifactService || pattern !== undefined;
    const index = this.queue.findIndex((f) => {
      const pattern = f.path ?? this.scope.path;
      return optedIn(pattern) && matches(pattern, f.method ?? this.scope.method);
    });
    if (index >= 0) {
      const [fault] = this.queue.splice(index, 1);
      if (fault) return this.note(fault, method, path);
    }
    if (this.rate <= 0 || this.kinds.length === 0 || !optedIn(this.scope.path)) return undefined;
    if (!matches(this.scope.path, this.scope.method)) return undefined;
    if (this.random() >= this.rate) return undefined;
    const kind = this.kinds[Math.floor(this.random() * this.kinds.length)];
    return kind === undefined ? undefined : this.note({ kind }, method, path);

    function matches(pattern: RegExp | undefined, wanted: string | undefined): boolean {
      if (wanted !== undefined && wanted.toUpperCase() !== method) return false;
      if (pattern === undefined) return true;
      pattern.lastIndex = 0;
      return pattern.test(path);
    }
  }

  private note(fault: Fault, method: string, path: string): Fault {
    this.injected.push({ kind: fault.kind, method, path });
    return fault;
  }
}

/** A small, well-mixed 32-bit generator; enough for reproducible fault schedules. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
