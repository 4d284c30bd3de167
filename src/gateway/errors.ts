import { AetherError } from '../core/errors.js';

/** A gateway failure with the headers its response needs (Retry-After) and an OpenAI error type. */
export class GatewayError extends AetherError {
  readonly headers: Record<string, string>;
  readonly type: string | undefined;
  constructor(status: number, code: string, message: string, opts: { headers?: Record<string, string>; type?: string; cause?: unknown } = {}) {
    super(status, code, message, { expose: true, cause: opts.cause });
    this.name = 'GatewayError';
    this.headers = opts.headers ?? {};
    this.type = opts.type;
  }
}

export type UpstreamKind = 'http' | 'network' | 'timeout' | 'stream' | 'config';

/**
 * A provider call that failed. `retryable`: the same target may succeed later (429, 5xx, network,
 * timeout). `fallback`: another target may succeed (also true for credentials and unknown models).
 */
export class UpstreamError extends GatewayError {
  readonly retryable: boolean;
  readonly fallback: boolean;
  readonly kind: UpstreamKind;
  readonly upstreamStatus: number | undefined;
  readonly retryAfterMs: number | undefined;
  constructor(
    message: string,
    opts: { kind: UpstreamKind; status: number; retryable: boolean; fallback?: boolean; upstreamStatus?: number; retryAfterMs?: number; code?: string; cause?: unknown },
  ) {
    const headers: Record<string, string> = opts.retryAfterMs !== undefined ? { 'retry-after': String(Math.max(1, Math.ceil(opts.retryAfterMs / 1000))) } : {};
    super(opts.status, opts.code ?? `upstream_${opts.kind}`, message, { headers, cause: opts.cause });
    this.name = 'UpstreamError';
    this.kind = opts.kind;
    this.retryable = opts.retryable;
    this.fallback = opts.fallback ?? opts.retryable;
    this.upstreamStatus = opts.upstreamStatus;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

/** Retry-After as milliseconds: seconds, an HTTP date, or OpenAI's `retry-after-ms`. */
export function parseRetryAfter(seconds: string | undefined, ms?: string | undefined): number | undefined {
  if (ms !== undefined && ms !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  if (seconds === undefined || seconds === '') return undefined;
  const s = Number(seconds);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(seconds);
  return Number.isNaN(d) ? undefined : Math.max(0, d - Date.now());
}

/** The message inside an upstream error body (OpenAI, Anthropic and OpenRouter all nest it in `error`). */
export function upstreamMessage(body: string): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    if (typeof j.error === 'string') return j.error;
    if (j.error && typeof j.error.message === 'string') return j.error.message;
    if (typeof j.message === 'string') return j.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.slice(0, 300) || 'no body';
}

/**
 * Classify an upstream HTTP error. 429/5xx are retried; 401/403/404 mean this target cannot serve
 * the request (bad credentials, unknown model), so another target is tried; other 4xx are the
 * request's fault and returned as they are.
 */
export function upstreamHttpError(target: string, status: number, body: string, retryAfterMs: number | undefined): UpstreamError {
  const message = `${target} answered ${status}: ${upstreamMessage(body)}`;
  const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
  const fallback = retryable || status === 401 || status === 403 || status === 404;
  // Our caller's key is fine: a provider refusing our credentials is a gateway fault, not a 401.
  const clientStatus = status === 429 ? 429 : status === 401 || status === 403 || status >= 500 ? 502 : status;
  return new UpstreamError(message, { kind: 'http', status: clientStatus, retryable, fallback, upstreamStatus: status, retryAfterMs, code: status === 429 ? 'upstream_rate_limited' : 'upstream_error' });
}

const OPENAI_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  402: 'insufficient_quota',
  403: 'permission_error',
  404: 'invalid_request_error',
  413: 'invalid_request_error',
  415: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'rate_limit_error',
};

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
};

const safeMessage = (e: AetherError) => (e.expose ? e.message : 'Internal error');

/** `{error: {message, type, param, code}}`, as the OpenAI API answers. */
export function openAIErrorBody(e: AetherError): { error: { message: string; type: string; param: null; code: string } } {
  const type = (e instanceof GatewayError && e.type) || OPENAI_TYPES[e.status] || (e.status >= 500 ? 'server_error' : 'invalid_request_error');
  const code = e.status === 401 ? 'invalid_api_key' : e.code;
  return { error: { message: safeMessage(e), type, param: null, code } };
}

/** `{type: 'error', error: {type, message}}`, as the Anthropic API answers. */
export function anthropicErrorBody(e: AetherError): { type: 'error'; error: { type: string; message: string } } {
  return { type: 'error', error: { type: ANTHROPIC_TYPES[e.status] ?? (e.status >= 500 ? 'api_error' : 'invalid_request_error'), message: safeMessage(e) } };
}

/** Any thrown value as an AetherError (unknown errors become a 500 that says only "Internal error"). */
export function asAetherError(e: unknown): AetherError {
  if (e instanceof AetherError) return e;
  return new AetherError(500, 'internal_error', 'Internal error', { cause: e });
}
