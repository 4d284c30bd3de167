import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
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

function wrap(res: IncomingMessage): HttpResponse {
  return {
    status: res.statusCode ?? 0,
    header: (name) => {
      const v = res.headers[name];
      return Array.isArray(v) ? v[0] : v;
    },
    body: res,
    // Events, not for-await: an async iterator per response costs more than the body it reads.
    text: () =>
      new Promise<string>((resolve, reject) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
        res.once('error', reject);
        res.once('aborted', () => reject(new Error('aborted')));
      }),
  };
}

/** Why a request stopped: the attempt's signal carries a TimeoutError or the client's abort. */
export function abortReason(signal: AbortSignal, target: string): UpstreamError {
  const r = signal.reason as { name?: string; message?: string } | undefined;
  if (r?.name === 'TimeoutError') {
    return new UpstreamError(`${target} did not answer in time (${r.message ?? 'timeout'})`, { kind: 'timeout', status: 504, retryable: true, code: 'upstream_timeout' });
  }
  return new UpstreamError(`request to ${target} was cancelled: the client went away`, { kind: 'network', status: 499, retryable: false, fallback: false, code: 'client_closed' });
}

/**
 * node:http with keep-alive pools: measured faster than fetch for many small upstream calls, and
 * destroying the request on abort closes the upstream connection at once.
 */
export function createHttpClient(opts: { maxSockets?: number } = {}): HttpClient {
  const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 256, maxFreeSockets: 64, scheduling: 'lifo' as const };
  const agents = { http: new http.Agent(agentOpts), https: new https.Agent(agentOpts) };
  // The same few upstream URLs are called over and over: parse each once.
  const parsed = new Map<string, { secure: boolean; hostname: string; port: string; path: string }>();
  const parse = (url: string) => {
    let p = parsed.get(url);
    if (!p) {
      const u = new URL(url);
      p = { secure: u.protocol === 'https:', hostname: u.hostname.replace(/^\[|\]$/g, ''), port: u.port, path: u.pathname + u.search };
      if (parsed.size > 1000) parsed.clear();
      parsed.set(url, p);
    }
    return p;
  };
  return {
    post(url, headers, body, signal, target) {
      return new Promise<HttpResponse>((resolve, reject) => {
        if (signal.aborted) return reject(abortReason(signal, target));
        const u = parse(url);
        const req = (u.secure ? https : http).request({
          method: 'POST',
          hostname: u.hostname,
          port: u.port || (u.secure ? 443 : 80),
          path: u.path,
          agent: u.secure ? agents.https : agents.http,
          headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        });
        const onAbort = () => req.destroy(abortReason(signal, target));
        signal.addEventListener('abort', onAbort, { once: true });
        req.on('response', (res) => {
          res.on('close', () => signal.removeEventListener('abort', onAbort));
          resolve(wrap(res));
        });
        req.on('error', (e: Error) => {
          signal.removeEventListener('abort', onAbort);
          if (e instanceof UpstreamError) return reject(e);
          reject(new UpstreamError(`${target} unreachable: ${e.message}`, { kind: 'network', status: 502, retryable: true, code: 'upstream_unreachable', cause: e }));
        });
        req.end(body);
      });
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
