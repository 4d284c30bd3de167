import http from 'node:http';
import autocannon from 'autocannon';
import { onCleanup } from '../lib/cleanup.js';
import { round, summarize, type LatencySummary } from '../lib/stats.js';

/** How to call one target: base URL, path, headers and a body for plain and streamed requests. */
export interface Endpoint {
  url: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  streamBody: string;
}

/** One request on a keep-alive agent; resolves with ms to the first byte and to the end, and the status. */
function once(agent: http.Agent, e: Endpoint, body: string): Promise<{ status: number; ttfb: number; total: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;
    const req = http.request(e.url + e.path, { method: 'POST', agent, headers: { ...e.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let ttfb = -1;
      res.on('data', () => {
        if (ttfb < 0) ttfb = ms();
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ttfb, total: ms() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** One request, for a preflight check: the status and the start of the body. */
export async function probe(e: Endpoint, stream: boolean): Promise<{ status: number; body: string }> {
  const res = await fetch(e.url + e.path, { method: 'POST', headers: { ...e.headers, 'content-type': 'application/json' }, body: stream ? e.streamBody : e.body });
  return { status: res.status, body: (await res.text()).slice(0, 300) };
}

export interface Sequential {
  requests: number;
  non_2xx: number;
  latency_ms: LatencySummary;
  /** Streams only: time to the first byte of the body. */
  ttfb_ms?: LatencySummary;
}

/** `n` requests one after another on one connection (after `warmup` discarded ones). */
export async function sequential(e: Endpoint, n: number, warmup: number, stream = false): Promise<Sequential> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const body = stream ? e.streamBody : e.body;
  try {
    for (let i = 0; i < warmup; i++) await once(agent, e, body);
    const totals: number[] = [];
    const ttfbs: number[] = [];
    let bad = 0;
    for (let i = 0; i < n; i++) {
      const r = await once(agent, e, body);
      if (r.status < 200 || r.status >= 300) bad++;
      totals.push(r.total);
      ttfbs.push(r.ttfb);
    }
    return { requests: n, non_2xx: bad, latency_ms: summarize(totals), ...(stream ? { ttfb_ms: summarize(ttfbs) } : {}) };
  } finally {
    agent.destroy();
  }
}

export interface Concurrent {
  connections: number;
  duration_s: number;
  requests: number;
  ok_2xx: number;
  non_2xx: number;
  errors: number;
  requests_per_s: number;
  latency_ms: LatencySummary;
}

function fire(e: Endpoint, opts: { connections: number; duration?: number; amount?: number }): Promise<{ result: autocannon.Result; latencies: number[] }> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: e.url + e.path, method: 'POST', headers: { ...e.headers, 'content-type': 'application/json' }, body: e.body, connections: opts.connections, timeout: 30, ...(opts.amount ? { amount: opts.amount } : { duration: opts.duration ?? 10 }) },
      (err, result) => {
        void stop();
        if (err) reject(err);
        else resolve({ result, latencies });
      },
    );
    const stop = onCleanup('stop autocannon', () => instance.stop());
    instance.on('response', (_c, _s, _b, t) => latencies.push(t));
  });
}

/** A warm-up, then `connections` clients as fast as they can for `durationS` (or `amount` requests). */
export async function concurrent(e: Endpoint, connections: number, durationS: number, warmupS: number, amount?: number): Promise<Concurrent> {
  if (warmupS > 0) await fire(e, { connections, duration: warmupS });
  const { result: r, latencies } = await fire(e, { connections, ...(amount ? { amount } : { duration: durationS }) });
  return {
    connections,
    duration_s: r.duration,
    requests: latencies.length,
    ok_2xx: r['2xx'],
    non_2xx: r.non2xx,
    errors: r.errors,
    requests_per_s: round(r['2xx'] / r.duration, 1),
    latency_ms: summarize(latencies),
  };
}

export { rssMiB } from '../lib/proc.js';
