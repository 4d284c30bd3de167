// The invariants every fuzzed request is held to: an answer below 500 (gateway routes may pass on an
// upstream's 502/503/504), no uncaught exception in the server, /health answering quickly while a
// slow request is in flight, and every 2xx write readable back.
import type fc from 'fast-check';
import { Violation, type FuzzServer, type Req, type Res } from './harness.js';

/** Status counts per endpoint, for the visible request count and the bench report. */
export class Stats {
  readonly byEndpoint = new Map<string, Map<number, number>>();
  total = 0;
  record(endpoint: string, status: number): void {
    this.total++;
    const m = this.byEndpoint.get(endpoint) ?? new Map<number, number>();
    m.set(status, (m.get(status) ?? 0) + 1);
    this.byEndpoint.set(endpoint, m);
  }
  /** `{endpoint: {status: count}}`, sorted. */
  toJSON(): Record<string, Record<string, number>> {
    return Object.fromEntries([...this.byEndpoint].sort(([a], [b]) => a.localeCompare(b)).map(([e, m]) => [e, Object.fromEntries([...m].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n]))]));
  }
}

export interface Ctx {
  s: FuzzServer;
  stats: Stats;
  /** /health must answer within this while another request is slow. */
  healthLimitMs: number;
  /** Called for every violation before it is thrown (the bench collects them instead of stopping). */
  onViolation?: (endpoint: string, v: Violation) => void;
}

export interface CallOptions {
  /** Gateway routes may answer an upstream failure with 502/503/504. */
  gateway?: boolean;
}

const UPSTREAM = new Set([502, 503, 504]);

export function fail(ctx: Ctx, endpoint: string, v: Violation): never {
  ctx.onViolation?.(endpoint, v);
  throw v;
}

/** Send `req`, counting it under `endpoint`, and throw a Violation when an invariant breaks. */
export async function call(ctx: Ctx, endpoint: string, req: Req, opts: CallOptions = {}): Promise<Res> {
  const crashesBefore = ctx.s.crashes.length;
  const abandon = new AbortController();
  const pending = ctx.s.send(req, 20_000, abandon.signal);
  let probe: Promise<Res | undefined> = Promise.resolve(undefined);
  const timer = setTimeout(() => {
    probe = ctx.s.send({ method: 'GET', path: '/health', headers: {} }, 30_000);
  }, 250);
  // After an uncaught exception the socket just hangs: stop waiting shortly after one is recorded.
  let poll: NodeJS.Timeout | undefined;
  const crashed = new Promise<void>((ok) => {
    poll = setInterval(() => {
      if (ctx.s.crashes.length > crashesBefore) setTimeout(ok, 300);
    }, 50);
  });
  const res = await Promise.race([pending, crashed.then(() => (abandon.abort(), pending))]);
  clearInterval(poll);
  clearTimeout(timer);
  const health = await probe;
  ctx.stats.record(endpoint, res.status);
  if (ctx.s.crashes.length > crashesBefore) {
    const e = ctx.s.crashes[ctx.s.crashes.length - 1]!;
    fail(ctx, endpoint, new Violation('crash', `uncaught in the server (would end the process): ${(e.stack ?? e.message).split('\n').slice(0, 4).join(' | ')}`, req, res));
  }
  if (res.status === -1) return res; // our client refused to send it; nothing reached the server
  if (res.status === 0) fail(ctx, endpoint, new Violation('no-answer', res.error ?? 'no answer', req, res));
  if (res.status >= 500 && !(opts.gateway && UPSTREAM.has(res.status))) fail(ctx, endpoint, new Violation('status', `answered ${res.status}${ctx.s.errorFor(res) ? ` (server: ${ctx.s.errorFor(res)})` : ''}`, req, res));
  if (health && (health.status !== 200 || health.ms > ctx.healthLimitMs)) {
    fail(ctx, endpoint, new Violation('health', `/health took ${Math.round(health.ms)} ms (status ${health.status}) while this request ran ${Math.round(res.ms)} ms: the event loop was blocked`, req, res));
  }
  return res;
}

/** Parsed JSON of an answer, or undefined. */
export function json<T = Record<string, unknown>>(res: Res): T | undefined {
  try {
    return JSON.parse(res.body.toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

/** GET the trace with the project key; polls for gateway traces, which are written after the answer. */
export async function readTrace(ctx: Ctx, id: string, waitMs = 0, as?: Req): Promise<Res> {
  const deadline = Date.now() + waitMs;
  // Read with the credentials that wrote it (the fuzz sends some writes with the other project's key).
  const creds = as ? Object.fromEntries(Object.entries(as.headers).filter(([k]) => k === 'x-api-key' || k === 'authorization')) : { 'x-api-key': ctx.s.t.key };
  for (;;) {
    const r = await ctx.s.send({ method: 'GET', path: `/api/v1/traces/${encodeURIComponent(id)}`, headers: creds });
    if (r.status === 200 || Date.now() >= deadline) return r;
    await new Promise((ok) => setTimeout(ok, 50));
  }
}

/** Throw a lost-write Violation unless the trace `id` acknowledged by `res` reads back (with `query` when known). */
export async function expectStored(ctx: Ctx, endpoint: string, id: string, req: Req, res: Res, expect: { query?: string; waitMs?: number } = {}): Promise<void> {
  const r = await readTrace(ctx, id, expect.waitMs, req);
  ctx.stats.record('GET /api/v1/traces/:id (read-back)', r.status);
  if (r.status !== 200) fail(ctx, endpoint, new Violation('lost-write', `acknowledged trace "${id}" reads back as ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`, req, res));
  const got = json<{ id: string; query: string }>(r);
  if (got?.id !== id) fail(ctx, endpoint, new Violation('lost-write', `GET /api/v1/traces/${id} returned id ${JSON.stringify(got?.id)}`, req, res));
  if (expect.query !== undefined && got.query !== expect.query) fail(ctx, endpoint, new Violation('lost-write', `trace "${id}" reads back with query ${JSON.stringify(got.query.slice(0, 80))}, sent ${JSON.stringify(expect.query.slice(0, 80))}`, req, res));
}

/** A clean (valid, authenticated) request must be accepted: a 4xx means good data was turned away. */
export function expectAccepted(ctx: Ctx, endpoint: string, req: Req, res: Res): void {
  if (res.status < 200 || res.status > 299) fail(ctx, endpoint, new Violation('rejected-valid', `a valid-shaped request answered ${res.status}`, req, res));
}

/** One fuzz target: how to generate its inputs and how to run and check one. */
export interface Endpoint<T = unknown> {
  name: string;
  /** Relative share of runs and time. */
  weight: number;
  arb: fc.Arbitrary<T>;
  run(ctx: Ctx, input: T): Promise<void>;
}

/** Erase the input type so endpoints of different inputs share one table. */
export const endpoint = <T>(e: Endpoint<T>): Endpoint<unknown> => e as unknown as Endpoint<unknown>;
