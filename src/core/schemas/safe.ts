// The one rule for what may reach the store. PostgreSQL cannot hold a NUL in text or jsonb, jsonb
// refuses a lone UTF-16 surrogate, integer columns are int4 and sums of doubles overflow to an
// error, so every string, number, time and JSON value a route accepts is checked here, with a 400
// that names the field, instead of failing in the database as a 500.
import { z } from 'zod';

/** Bounds on values stored; documented in the README ("What is rejected"). */
export const VALUE_LIMITS = {
  /** Token counts: per field, so input + output still fits an int4 column. */
  tokens: 1_000_000_000,
  /** Any int4 column. */
  int4: 2_147_483_647,
  /** USD amounts: rollups sum them, and a sum must stay finite. */
  usd: 1_000_000_000,
  /** Latencies and durations in ms (about 11.5 days). */
  latencyMs: 1_000_000_000,
  /** Nesting of JSON values (metadata, attributes, span input/output). */
  jsonDepth: 32,
  /** Length of a JSON object key. */
  keyLength: 1024,
  /** Earliest trace timestamp: 2000-01-01T00:00:00Z. */
  minTimestampMs: Date.UTC(2000, 0, 1),
  /** Latest timestamp: this far past the server's clock (clock skew). */
  futureSkewMs: 86_400_000,
} as const;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a string cannot be stored, or undefined when it can. */
export function textProblem(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored; remove it';
  if (LONE_SURROGATE.test(s)) return 'contains a lone UTF-16 surrogate (invalid Unicode); send well-formed text';
  return undefined;
}

/** A key that would change an object's prototype when assigned: accepted nowhere. */
export const isReservedKey = (k: string) => k === '__proto__';

/** A string the store can hold, optionally with length bounds. */
export function dbText(opts: { min?: number; max?: number } = {}) {
  let s = z.string();
  if (opts.min !== undefined) s = s.min(opts.min);
  if (opts.max !== undefined) s = s.max(opts.max);
  return s.superRefine((v, ctx) => {
    const p = textProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
  });
}

/** A non-negative integer that fits its int4 column (`max` lower for fields that are summed). */
export const int4 = (max: number = VALUE_LIMITS.int4) => z.number().int().nonnegative().max(max);

/** A finite non-negative number up to `max` (USD amounts, latencies). */
export const boundedNumber = (max: number) => z.number().finite().nonnegative().max(max);

/**
 * Why a JSON value cannot be stored (with the relative path of the offender), or undefined.
 * `text: false` checks only the shape (depth, reserved keys), for whole bodies: key lengths and
 * text are checked per field, so one bad item of a batch fails alone.
 */
export function jsonProblem(
  value: unknown,
  maxDepth: number = VALUE_LIMITS.jsonDepth,
  opts: { text?: boolean } = {},
): { path: Array<string | number>; message: string } | undefined {
  const checkText = opts.text ?? true;
  // Iterative, so a 10,000-deep value costs a loop, not the stack.
  const stack: Array<{ v: unknown; path: Array<string | number> }> = [{ v: value, path: [] }];
  while (stack.length) {
    const { v, path } = stack.pop()!;
    if (typeof v === 'string') {
      const p = checkText ? textProblem(v) : undefined;
      if (p) return { path, message: p };
      continue;
    }
    if (typeof v === 'number' && !Number.isFinite(v)) return { path, message: 'must be a finite number' };
    if (v === null || typeof v !== 'object') continue;
    if (path.length >= maxDepth) return { path, message: `nests deeper than ${maxDepth} levels` };
    if (Array.isArray(v)) {
      v.forEach((x, i) => stack.push({ v: x, path: [...path, i] }));
      continue;
    }
    for (const k of Object.keys(v)) {
      const p = isReservedKey(k)
        ? 'is a reserved key name; rename it'
        : !checkText
          ? undefined
          : k.length > VALUE_LIMITS.keyLength
            ? `key is longer than ${VALUE_LIMITS.keyLength} characters`
            : textProblem(k);
      if (p) return { path: [...path, k], message: p };
      stack.push({ v: (v as Record<string, unknown>)[k], path: [...path, k] });
    }
  }
  return undefined;
}

const refineJson = (maxDepth: number) => (v: unknown, ctx: z.RefinementCtx) => {
  const p = jsonProblem(v, maxDepth);
  if (p) ctx.addIssue({ code: 'custom', message: p.message, path: p.path });
};

/** Any JSON value the store can hold: strings clean, depth and keys bounded. */
export const boundedJson = (maxDepth: number = VALUE_LIMITS.jsonDepth) => z.unknown().superRefine(refineJson(maxDepth));

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A JSON object kept as sent (not rebuilt key by key, so no key can reach a prototype), checked
 * like `boundedJson`.
 */
export const jsonObject = (maxDepth: number = VALUE_LIMITS.jsonDepth) =>
  z
    .custom<Record<string, unknown>>(isPlainObject, { message: 'must be a JSON object' })
    .superRefine(refineJson(maxDepth))
    .meta({ type: 'object', additionalProperties: {} }); // what OpenAPI shows for the custom type

/**
 * A time as epoch milliseconds or ISO 8601 with a zone, inside [minMs, now + futureSkewMs]: a
 * timestamp outside it is a client bug (seconds sent as ms, a 0 default) and would poison rollups.
 */
export function boundedTime(minMs: number = VALUE_LIMITS.minTimestampMs) {
  return z
    .union([
      z.number().int().nonnegative().describe('epoch milliseconds'),
      z.iso.datetime({ offset: true, local: false }).describe('ISO 8601 with a time zone'),
    ])
    .transform((v, ctx) => {
      const d = new Date(v);
      const max = Date.now() + VALUE_LIMITS.futureSkewMs;
      if (Number.isNaN(d.getTime()) || d.getTime() < minMs || d.getTime() > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${new Date(minMs).toISOString()} and one day from now (${new Date(max).toISOString()})` });
        return z.NEVER;
      }
      return d;
    });
}

/**
 * An http(s) URL Aether will call. Credentials in the URL are refused here: fetch refuses them
 * at every call, so accepting them would only turn a config mistake into endless retries.
 */
export const httpUrl = () =>
  z.url({ protocol: /^https?$/ }).superRefine((v, ctx) => {
    const p = textProblem(v);
    if (p) ctx.addIssue({ code: 'custom', message: p });
    else if (URL.canParse(v) && (new URL(v).username || new URL(v).password)) {
      ctx.addIssue({ code: 'custom', message: 'must not carry credentials (user:password@); use the secret field or put a token in the path' });
    }
  });

/** A path parameter naming a stored row (an id or slug). */
export const idParam = () => dbText({ min: 1, max: 256 });

/** An ISO 8601 query time with a zone, between 1970 and 9999 (both databases hold that range). */
export const isoQueryTime = () =>
  z.iso.datetime({ offset: true }).refine((v) => {
    const y = new Date(v).getUTCFullYear();
    return y >= 1970 && y <= 9999;
  }, 'must be between 1970 and 9999');

const QUERY_MIN_MS = Date.UTC(1970, 0, 1);
const QUERY_MAX_MS = Date.UTC(9999, 11, 31);

/** A parsed query time the databases can compare against (valid, 1970 .. 9999). */
export const inQueryRange = (d: Date) => !Number.isNaN(d.getTime()) && d.getTime() >= QUERY_MIN_MS && d.getTime() <= QUERY_MAX_MS;
