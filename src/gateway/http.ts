import { Pool } from 'undici';
import { UpstreamError } from './errors.js';

/** An upstream answer whose body has not been read yet. */
export interface HttpResponse {
  status: number;
  header(name: string): string | undefined;
  body: AsyncIterable<Buffer>;
  text(): Promise<string>;
}

/** The transport providers use; tests and the mock provider can replace it. */
export interface HttpClient {
  /** POST a JSON body. Rejects with a retryable UpstreamError on network failure; aborts with `signal`. */
  post(url: string, headers: Record<string, string>, body: string, signal: AbortSignal, target: string): Promise<HttpResponse>;
  close(): void;
}

/** Why a request stopped: the attempt's signal carries a TimeoutError or the client's abort. */
export function abortReason(signal: AbortSignal, target: string): UpstreamError {
  const r = signal.reason as { name?: string; message?: string } | undefined;
  if (r?.name === 'TimeoutError') {
    return new UpstreamError(`${target} did not answer in time (${r.message ?? 'timeout'})`, { kind: 'timeout', status: 504, retryable: true, code: 'upstream_timeout' });
  }
  return new UpstreamError(`request to ${target} was cancelled: the client went away`, { kind: 'network', status: 499, retryable: false, fallback: false, code: 'client_closed' });
}

// Hop-by-hop headers mean nothing on a fresh upstream call (and undici refuses them).
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'host', 'content-length']);

/**
 * undici pools, one per upstream origin, kept alive: per request they cost well under half of
 * node:http's ClientRequest and agent bookkeeping, which the gateway's profile under load showed
 * as its largest own cost. No pipelining: a slow stream must never hold up another request.
 * Timeouts are the attempt's deadline (its signal), not undici's; an abort (deadline, client
 * gone) destroys the request and closes its connection at once.
 */
export function createHttpClient(opts: { maxSockets?: number } = {}): HttpClient {
  const pools = new Map<string, Pool>();
  const pool = (origin: string) => {
    let p = pools.get(origin);
    if (!p) pools.set(origin, (p = new Pool(origin, { connections: opts.maxSockets ?? 256, keepAliveTimeout: 30_000, headersTimeout: 0, bodyTimeout: 0 })));
    return p;
  };
  // The same few upstream URLs are called over and over: split each once.
  const parsed = new Map<string, { origin: string; path: string }>();
  const parse = (url: string) => {
    let p = parsed.get(url);
    if (!p) {
      const u = new URL(url);
      p = { origin: u.origin, path: u.pathname + u.search };
      if (parsed.size > 1000) parsed.clear();
      parsed.set(url, p);
    }
    return p;
  };
  return {
    async post(url, headers, body, signal, target) {
      if (signal.aborted) throw abortReason(signal, target);
      const u = parse(url);
      const h: Record<string, string> = {};
      for (const k in headers) if (!HOP_BY_HOP.has(k.toLowerCase())) h[k] = headers[k]!;
      h['content-type'] = 'application/json';
      try {
        const res = await pool(u.origin).request({ method: 'POST', path: u.path, headers: h, body, signal });
        return {
          status: res.statusCode,
          header: (name) => {
            const v = res.headers[name];
            return Array.isArray(v) ? v[0] : v;
          },
          body: res.body,
          text: () => res.body.text(),
        };
      } catch (e) {
        if (signal.aborted) throw abortReason(signal, target);
        if (e instanceof UpstreamError) throw e;
        throw new UpstreamError(`${target} unreachable: ${(e as Error).message}`, { kind: 'network', status: 502, retryable: true, code: 'upstream_unreachable', cause: e });
      }
    },
    close() {
      for (const p of pools.values()) void p.destroy();
      pools.clear();
    },
  };
}
