import type { CallContext } from '../contract.js';
import { parseRetryAfter, upstreamHttpError, UpstreamError } from '../errors.js';
import { abortReason, type HttpResponse } from '../http.js';

/** Why a body read stopped: our abort (timeout, client gone), or the upstream breaking off. */
export function streamFailure(e: unknown, ctx: CallContext): UpstreamError {
  if (e instanceof UpstreamError) return e;
  if (ctx.signal.aborted) return abortReason(ctx.signal, ctx.target.label);
  const why = e instanceof Error ? e.message : String(e);
  return new UpstreamError(`${ctx.target.label} broke off the response: ${why}`, { kind: 'stream', status: 502, retryable: true, code: 'upstream_stream_error', cause: e });
}

/** The whole body as text, with failures classified. */
export async function readText(res: HttpResponse, ctx: CallContext): Promise<string> {
  try {
    return await res.text();
  } catch (e) {
    throw streamFailure(e, ctx);
  }
}

/** Throw the classified error for a non-2xx answer (reading its body for the message). */
export async function throwIfFailed(res: HttpResponse, ctx: CallContext): Promise<void> {
  if (res.status >= 200 && res.status < 300) return;
  const text = await readText(res, ctx);
  throw upstreamHttpError(ctx.target.label, res.status, text, parseRetryAfter(res.header('retry-after'), res.header('retry-after-ms')));
}

/** JSON.parse, with a body that is not JSON treated as a transient upstream fault. */
export function parseJson<T>(text: string, ctx: CallContext): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new UpstreamError(`${ctx.target.label} answered with a body that is not JSON: ${text.slice(0, 200)}`, { kind: 'http', status: 502, retryable: true, code: 'upstream_bad_body' });
  }
}

/** `base` + `path` without doubled slashes. */
export function joinUrl(base: string, path: string): string {
  return base.endsWith('/') ? base.slice(0, -1) + path : base + path;
}
