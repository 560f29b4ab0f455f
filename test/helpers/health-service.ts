// A real HTTP service on 127.0.0.1 whose health the tests control: it answers as told — wrong status,
// slow, dropping the connection, a wrong body, echoing the request back, or a flapping sequence — and
// counts every request. A cue file lets a child process (a rollback command) turn it healthy again
// without any network tool.
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Behaviour =
  | { kind: 'ok'; body?: string; delayMs?: number }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'slow'; delayMs: number; status?: number; body?: string }
  /** Destroys the socket without an answer: the client sees a reset / "other side closed". */
  | { kind: 'drop' }
  | { kind: 'body'; body: string; status?: number }
  /** Answers with the request itself (its Authorization header first, then the path with its query), as a leaky service might. */
  | { kind: 'echo'; status?: number };

export const HEALTHY_BODY = JSON.stringify({ status: 'ok', checks: [{ name: 'db', ok: true }] });

export const ok: Behaviour = { kind: 'ok' };
export const status = (code: number): Behaviour => ({ kind: 'status', status: code });
export const slow = (delayMs: number): Behaviour => ({ kind: 'slow', delayMs });
export const drop: Behaviour = { kind: 'drop' };
export const body = (text: string): Behaviour => ({ kind: 'body', body: text });
export const echo: Behaviour = { kind: 'echo' };

export interface Request {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
}

export interface HealthService {
  /** The health URL: http://127.0.0.1:PORT/health */
  url: string;
  origin: string;
  /** Requests answered or dropped so far. */
  readonly requests: number;
  readonly log: readonly Request[];
  /** Answer every request so from now on. */
  set(behaviour: Behaviour): void;
  /** Answer requests in this order, repeating it (a flapping service): [ok, status(503)] alternates. */
  cycle(pattern: readonly Behaviour[]): void;
  /** Once this file exists, answer `behaviour` instead (a rollback command creates it). */
  cue(file: string, behaviour: Behaviour): void;
  close(): Promise<void>;
}

export async function startHealthService(initial: Behaviour = ok): Promise<HealthService> {
  let pattern: readonly Behaviour[] = [initial];
  let position = 0;
  let cue: { file: string; behaviour: Behaviour } | null = null;
  let requests = 0;
  const log: Request[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const next = (): Behaviour => {
    if (cue !== null && existsSync(cue.file)) return cue.behaviour;
    const behaviour = pattern[position % pattern.length] as Behaviour;
    position++;
    return behaviour;
  };

  const answer = (res: ServerResponse, code: number, text: string) => {
    res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    requests++;
    log.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    const behaviour = next();
    switch (behaviour.kind) {
      case 'ok': {
        const send = () => answer(res, 200, behaviour.body ?? HEALTHY_BODY);
        if (behaviour.delayMs === undefined) send();
        else later(send, behaviour.delayMs);
        return;
      }
      case 'status':
        return answer(res, behaviour.status, behaviour.body ?? JSON.stringify({ status: 'down' }));
      case 'slow':
        return later(() => answer(res, behaviour.status ?? 200, behaviour.body ?? HEALTHY_BODY), behaviour.delayMs);
      case 'drop':
        req.socket.destroy();
        return;
      case 'body':
        return answer(res, behaviour.status ?? 200, behaviour.body);
      case 'echo':
        return answer(
          res,
          behaviour.status ?? 200,
          JSON.stringify({ authorization: req.headers['authorization'] ?? null, path: req.url ?? '' }),
        );
    }
  });
  const later = (fn: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/health`,
    origin,
    get requests() {
      return requests;
    },
    log,
    set(behaviour) {
      pattern = [behaviour];
      position = 0;
    },
    cycle(list) {
      if (list.length === 0) throw new Error('cycle needs at least one behaviour');
      pattern = list;
      position = 0;
    },
    cue(file, behaviour) {
      cue = { file, behaviour };
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
