// Request headers that steer the gateway (x-aether-*): trace identity and grouping, RAG contexts
// for evaluation, fallbacks, cache bypass, retry and timeout overrides.
import { z } from 'zod';
import { errors } from '../core/errors.js';
import { contextSchema, TRACE_LIMITS, type Context } from '../core/schemas/trace.js';
import { fieldIssues } from '../core/validate.js';

export type HeaderBag = Record<string, string | string[] | undefined>;

export interface RequestOptions {
  traceId: string | undefined;
  userId: string | undefined;
  sessionId: string | undefined;
  tags: string[];
  contexts: Context[];
  fallbacks: string[] | undefined;
  cacheBypass: boolean;
  maxRetries: number | undefined;
  timeoutMs: number | undefined;
}

/** One header's first value, trimmed; undefined when absent or empty. */
export const one = (h: HeaderBag, name: string): string | undefined => {
  const v = h[name];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined || s.trim() === '' ? undefined : s.trim();
};

const bad = (header: string, message: string) => errors.badRequest(`Header ${header} ${message}`, 'invalid_header');

const contextsSchema = z.array(contextSchema).max(TRACE_LIMITS.contexts);

function contexts(raw: string | undefined): Context[] {
  if (!raw) return [];
  let text = raw;
  if (!raw.startsWith('[')) text = Buffer.from(raw, 'base64').toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad('x-aether-contexts', 'must be a JSON array of {text, source?, score?}, or base64 of one');
  }
  const r = contextsSchema.safeParse(json);
  if (!r.success) throw bad('x-aether-contexts', fieldIssues(r.error).map((i) => `${i.field || 'value'}: ${i.message}`).join('; '));
  return r.data;
}

function int(h: HeaderBag, name: string, min: number, max: number): number | undefined {
  const v = one(h, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw bad(name, `must be an integer from ${min} to ${max}`);
  return n;
}

function text(h: HeaderBag, name: string, max = 256): string | undefined {
  const v = one(h, name);
  if (v !== undefined && v.length > max) throw bad(name, `is longer than ${max} characters`);
  return v;
}

const list = (v: string | undefined) => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

/** Read the x-aether-* headers; a malformed one is a 400 naming the header. */
export function requestOptions(h: HeaderBag): RequestOptions {
  const traceId = text(h, 'x-aether-trace-id', TRACE_LIMITS.idLength);
  if (traceId !== undefined && !/^[A-Za-z0-9._:-]+$/.test(traceId)) throw bad('x-aether-trace-id', 'may contain only letters, digits and . _ : -');
  const tags = [...new Set(list(one(h, 'x-aether-tags')))];
  if (tags.length > TRACE_LIMITS.tags || tags.some((t) => t.length > TRACE_LIMITS.tagLength)) {
    throw bad('x-aether-tags', `takes at most ${TRACE_LIMITS.tags} comma-separated tags of at most ${TRACE_LIMITS.tagLength} characters`);
  }
  const fallback = one(h, 'x-aether-fallback');
  const fallbacks = fallback === undefined ? undefined : list(fallback).slice(0, 10);
  const cache = one(h, 'x-aether-cache')?.toLowerCase();
  const cacheControl = one(h, 'cache-control')?.toLowerCase() ?? '';
  return {
    traceId,
    userId: text(h, 'x-aether-user-id'),
    sessionId: text(h, 'x-aether-session-id'),
    tags,
    contexts: contexts(one(h, 'x-aether-contexts')),
    fallbacks,
    cacheBypass: cache === 'bypass' || cache === 'no-cache' || cache === 'off' || /no-cache|no-store/.test(cacheControl),
    maxRetries: int(h, 'x-aether-max-retries', 0, 10),
    timeoutMs: int(h, 'x-aether-timeout-ms', 100, 600_000),
  };
}
