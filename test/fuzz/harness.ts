// The server under fuzz: Aether on embedded PGlite, in this process, listening on loopback so
// requests go through Node's real HTTP stack (where an invalid response header throws, as in
// production). Uncaught exceptions and unhandled rejections are recorded as crashes: in
// `aether serve` they would end the process.
import { request } from 'node:http';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { storeCases } from '../helpers/stores.js';
import { createUser } from '../../src/server/session/index.js';

export interface Req {
  method: string;
  /** Raw path and query string, sent byte for byte. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export interface Res {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
  /** Set when no HTTP answer came (reset, timeout). */
  error?: string;
}

/** A broken invariant: what was sent, what came back, and why that is wrong. */
export class Violation extends Error {
  constructor(
    readonly kind: 'status' | 'crash' | 'no-answer' | 'health' | 'lost-write' | 'rejected-valid' | 'leak',
    message: string,
    readonly req?: Req,
    readonly res?: Res,
  ) {
    super(`${kind}: ${message}${req ? `\n  request: ${render(req)}` : ''}${res ? `\n  answer: ${res.status} ${res.body.toString('utf8').slice(0, 600)}` : ''}`);
  }
}

/** A request as one readable line (bodies clipped), for failure messages and the bench report. */
export function render(req: Req, max = 1500): string {
  const body = req.body === undefined ? '' : typeof req.body === 'string' ? req.body : `<${req.body.length} bytes: ${req.body.subarray(0, 48).toString('hex')}…>`;
  const clipped = body.length > max ? `${body.slice(0, max)}…(${body.length} chars)` : body;
  const headers = Object.entries(req.headers)
    .filter(([k]) => k !== 'x-api-key' || !/^ak_/.test(req.headers[k] ?? ''))
    .map(([k, v]) => `${k}: ${JSON.stringify(v.length > 200 ? `${v.slice(0, 200)}…(${v.length})` : v)}`);
  return `${req.method} ${req.path.length > 400 ? `${req.path.slice(0, 400)}…(${req.path.length})` : req.path}${headers.length ? ` [${headers.join('; ')}]` : ''}${clipped ? ` ${JSON.stringify(clipped)}` : ''}`;
}

export interface FuzzServer {
  t: TestApp;
  base: URL;
  slug: string;
  session: { cookie: string; csrf: string };
  /** Trace ids stored before fuzzing starts, for paths that need an existing trace. */
  seededTraces: string[];
  crashes: Error[];
  /** The error behind a 5xx, by the answer's x-request-id (captured in an onError hook). */
  errorFor(res: Res): string | undefined;
  send(req: Req, timeoutMs?: number, signal?: AbortSignal): Promise<Res>;
  /** Wait (up to `ms`) until no request is in flight: fast-check leaves interrupted runs going. */
  settle(ms?: number): Promise<void>;
  close(): Promise<void>;
}

/** Send one request over loopback; a reset or timeout is an answer with status 0 and `error`. */
function sendTo(base: URL, req: Req, timeoutMs: number, signal?: AbortSignal): Promise<Res> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Omit<Res, 'ms'>) => {
      if (done) return;
      done = true;
      resolve({ ...r, ms: performance.now() - t0 });
    };
    const body = req.body === undefined ? undefined : typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
    const headers: Record<string, string> = { ...req.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
    let r: ReturnType<typeof request>;
    try {
      r = request({ host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent: false, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (e) => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), error: `response: ${e.message}` }));
      });
    } catch (e) {
      // The client refused to send it (e.g. a header value Node will not put on the wire): not the server's fault.
      return finish({ status: -1, headers: {}, body: Buffer.from((e as Error).message), error: `client: ${(e as Error).message}` });
    }
    r.on('timeout', () => {
      finish({ status: 0, headers: {}, body: Buffer.alloc(0), error: `no answer within ${timeoutMs} ms` });
      r.destroy();
    });
    r.on('error', (e) => finish({ status: 0, headers: {}, body: Buffer.alloc(0), error: e.message }));
    signal?.addEventListener('abort', () => {
      finish({ status: 0, headers: {}, body: Buffer.alloc(0), error: 'abandoned: the server threw instead of answering' });
      r.destroy();
    });
    r.end(body);
  });
}

/** Start Aether (PGlite, worker on) with two projects, a session, and a few stored traces. */
export async function startFuzzServer(env: Record<string, string> = {}): Promise<FuzzServer> {
  const crashes: Error[] = [];
  const onCrash = (e: unknown) => crashes.push(e instanceof Error ? e : new Error(String(e)));
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const t = await startTestApp(storeCases[0]!, { AETHER_LOGIN_MAX_FAILURES: '1000', ...env });
  // Bodies of 500s are opaque by design; the hook keeps the server-side cause for the report.
  const causes = new Map<string, string>();
  t.aether.server.addHook('onError', async (req, _reply, err) => {
    if (causes.size > 5000) causes.clear();
    causes.set(String(req.id), `${err.name}: ${err.message}`.slice(0, 300) + ` @ ${(err.stack ?? '').split('\n').slice(1, 3).map((l) => l.trim()).join(' < ')}`);
  });
  await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.aether.server.addresses().find((a) => a.family === 'IPv4')!;
  const base = new URL(`http://127.0.0.1:${addr.port}`);
  let inflight = 0;
  const send = async (req: Req, timeoutMs = 20_000, signal?: AbortSignal) => {
    inflight++;
    try {
      return await sendTo(base, req, timeoutMs, signal);
    } finally {
      inflight--;
    }
  };
  const project = (await t.aether.store.projects.get(t.projectId))!;
  await createUser(t.aether.store, { orgId: project.orgId, email: 'fuzz-owner@example.com', password: 'fuzz-password-1', role: 'owner' });
  const login = await send({ method: 'POST', path: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'fuzz-owner@example.com', password: 'fuzz-password-1' }) });
  const cookie = String([login.headers['set-cookie']].flat()[0] ?? '').split(';')[0]!;
  const csrf = (JSON.parse(login.body.toString('utf8')) as { csrf_token: string }).csrf_token;
  const seededTraces: string[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await send({ method: 'POST', path: '/api/v1/traces', headers: { 'content-type': 'application/json', 'x-api-key': t.key }, body: JSON.stringify({ id: `fuzz-seed-${i}`, query: 'What is the capital of France?', response: 'Paris.', contexts: [{ text: 'Paris is the capital of France.' }] }) });
    if (r.status !== 201) throw new Error(`seeding trace ${i}: ${r.status} ${r.body.toString('utf8')}`);
    seededTraces.push(`fuzz-seed-${i}`);
  }
  return {
    t,
    base,
    slug: project.slug,
    session: { cookie, csrf },
    seededTraces,
    crashes,
    errorFor: (res) => causes.get(String([res.headers['x-request-id']].flat()[0] ?? '')),
    send,
    async settle(ms = 5000) {
      const deadline = Date.now() + ms;
      while (inflight > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    },
    async close() {
      // Requests whose handler threw after the headers hang; do not wait for their sockets.
      t.aether.server.server.closeAllConnections();
      await t.close();
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    },
  };
}
