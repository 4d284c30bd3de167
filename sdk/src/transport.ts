// Sends serialized traces to POST /api/v1/traces/batch. Failures are data, never exceptions:
// network errors, 408, 429 and 5xx are retried with backoff (the client ids make a resend
// idempotent); other 4xx and per-item rejections in a 207 are permanent and only counted.
import { AetherError, type FetchLike, type FetchResponseLike } from './types.js';

export interface TransportOptions {
  url: string;
  apiKey: string;
  fetch: FetchLike;
  timeoutMs: number;
  maxRetries: number;
  retryBaseMs: number;
  /** Waits between retries; the client makes it keep the process alive only while a flush waits. */
  sleep: (ms: number) => Promise<void>;
}

/** What became of one batch. */
export interface Outcome {
  sent: number;
  failed: number;
  errors: AetherError[];
}

const MAX_BACKOFF_MS = 30_000;
const MAX_RETRY_AFTER_MS = 60_000;

/** Delay before retry `attempt` (0-based): exponential with full jitter, or what Retry-After asks. */
export function backoffMs(attempt: number, baseMs: number, retryAfter: string | null, now = Date.now()): number {
  if (retryAfter) {
    const secs = Number(retryAfter);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(retryAfter) - now;
    if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, MAX_RETRY_AFTER_MS);
  }
  return Math.random() * Math.min(MAX_BACKOFF_MS, baseMs * 2 ** attempt);
}

function timeoutSignal(ms: number): { signal: AbortSignal | undefined; done: () => void } {
  if (typeof AbortController === 'undefined') return { signal: undefined, done: () => {} };
  const ac = new AbortController();
  const t = setTimeout(() => ac.abort(new Error(`no answer within ${ms} ms`)), ms);
  (t as { unref?: () => void }).unref?.();
  return { signal: ac.signal, done: () => clearTimeout(t) };
}

interface ItemResult {
  status?: unknown;
  error?: { message?: unknown };
}

/** Count a 207's per-item results; a body that is not one counts the whole batch as sent. */
function read207(text: string, n: number): Outcome {
  let results: ItemResult[] | undefined;
  try {
    const body = JSON.parse(text) as { results?: unknown };
    if (Array.isArray(body.results)) results = body.results as ItemResult[];
  } catch {
    // A 2xx means the server committed the batch; an unreadable body does not change that.
  }
  if (!results) return { sent: n, failed: 0, errors: [] };
  let sent = 0;
  let failed = 0;
  let firstMessage: string | undefined;
  for (const r of results) {
    if (r.status === 200 || r.status === 201) sent++;
    else {
      failed++;
      firstMessage ??= typeof r.error?.message === 'string' ? r.error.message : `status ${String(r.status)}`;
    }
  }
  const errors = failed
    ? [new AetherError(`server rejected ${failed} of ${n} traces, e.g.: ${firstMessage ?? 'unknown reason'}`, failed, 400)]
    : [];
  return { sent, failed, errors };
}

function errorMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof body.error?.message === 'string') return body.error.message;
  } catch {
    // not JSON: use the text itself
  }
  return text.slice(0, 300);
}

/** Create the batch sender. */
export function createTransport(o: TransportOptions): (items: string[]) => Promise<Outcome> {
  const headers = { 'content-type': 'application/json', 'x-api-key': o.apiKey, 'user-agent': 'aether-sdk-js/0.1.0' };

  async function post(body: string): Promise<{ res?: FetchResponseLike; text: string; err?: unknown }> {
    const t = timeoutSignal(o.timeoutMs);
    try {
      const res = await o.fetch(o.url, { method: 'POST', headers, body, signal: t.signal });
      // Reading the body releases the connection for reuse.
      const text = await res.text();
      return { res, text };
    } catch (err) {
      return { text: '', err };
    } finally {
      t.done();
    }
  }

  async function send(items: string[]): Promise<Outcome> {
    const body = `{"traces":[${items.join(',')}]}`;
    const n = items.length;
    for (let attempt = 0; ; attempt++) {
      const { res, text, err } = await post(body);
      let why: AetherError;
      if (res && res.status >= 200 && res.status < 300) {
        return res.status === 207 ? read207(text, n) : { sent: n, failed: 0, errors: [] };
      }
      if (res?.status === 413 && n > 1) {
        // Too large for the server's body limit: halves go separately.
        const half = Math.ceil(n / 2);
        const [a, b] = [await send(items.slice(0, half)), await send(items.slice(half))];
        return { sent: a.sent + b.sent, failed: a.failed + b.failed, errors: [...a.errors, ...b.errors] };
      }
      if (res) {
        const retryable = res.status === 408 || res.status === 429 || res.status >= 500;
        why = new AetherError(`HTTP ${res.status} from ${o.url}: ${errorMessage(text)}`, n, res.status, retryable);
      } else {
        // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, …) is its cause.
        const inner = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
        const cause = err instanceof Error ? err.message + inner : String(err);
        why = new AetherError(`cannot reach ${o.url}: ${cause}`, n, undefined, true);
      }
      if (!why.retryable || attempt >= o.maxRetries) {
        if (why.retryable) why.message = `${why.message} (gave up after ${attempt + 1} attempts)`;
        return { sent: 0, failed: n, errors: [why] };
      }
      await o.sleep(backoffMs(attempt, o.retryBaseMs, res?.headers.get('retry-after') ?? null));
    }
  }

  return send;
}
