// Hostile-input guards for the gateway: lookups keyed by what a client sent, header values built
// from it, body nesting, and strings on their way to the store. Each is small and iterative, so no
// request can reach a prototype property, a header setter's ERR_INVALID_CHAR, or a stack overflow.
import { errors } from '../core/errors.js';

/** `rec[key]` only when `key` is the record's own property: `constructor`, `__proto__` are not models. */
export function own<T>(rec: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(rec, key) ? rec[key] : undefined;
}

// Printable ASCII except '%': such a value is sent as it is; anything else is percent-encoded.
const HEADER_SAFE = /^[\x20-\x24\x26-\x7e]*$/;

/**
 * A header value that Node will accept, whatever the string: unchanged when it is printable ASCII
 * without '%', otherwise percent-encoded as UTF-8 (RFC 3986 style, `decodeURIComponent` reverses
 * it), with lone surrogates as U+FFFD. CR, LF and NUL can therefore never reach a header.
 */
export function headerValue(v: string): string {
  if (HEADER_SAFE.test(v)) return v;
  let out = '';
  for (const ch of cleanString(v)) {
    out += HEADER_SAFE.test(ch) ? ch : encodeURIComponent(ch);
  }
  return out;
}

/** Every value of a header bag through `headerValue`: the one way gateway headers reach the wire. */
export function safeHeaders(h: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) out[k] = headerValue(String(v));
  return out;
}

/** Deepest nesting a gateway body may have: far beyond any real chat request, far below the stack. */
export const MAX_BODY_DEPTH = 64;

/** Refuse a body nested deeper than `max` levels, walking it without recursion (before anything else does). */
export function checkDepth(body: unknown, max = MAX_BODY_DEPTH): void {
  const stack: Array<[unknown, number]> = [[body, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > max) throw errors.badRequest(`Body is nested deeper than the limit of ${max} levels`, 'too_deep');
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
}

// NUL, and surrogates that are not half of a pair: the store takes neither.
// eslint-disable-next-line no-control-regex -- matching NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** `s` with NUL and lone surrogates replaced by U+FFFD (same length, so limits still hold). */
export function cleanString(s: string): string {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(s) ? s.replace(UNSTORABLE, '\ufffd') : s;
}

const dirty = (s: string) => {
  UNSTORABLE.lastIndex = 0;
  return UNSTORABLE.test(s);
};

/** Whether any string (or key) in a JSON-like value holds what `cleanString` replaces (a walk, no copy). */
function needsCleaning(value: unknown): boolean {
  if (typeof value === 'string') return dirty(value);
  const work: unknown[] = [value];
  while (work.length) {
    const v = work.pop();
    if (v === null || typeof v !== 'object') continue;
    if (Array.isArray(v)) {
      for (const x of v) {
        if (typeof x === 'string' && dirty(x)) return true;
        if (x !== null && typeof x === 'object') work.push(x);
      }
      continue;
    }
    for (const k in v) {
      if (!Object.hasOwn(v, k)) continue;
      const x = (v as Record<string, unknown>)[k];
      if (dirty(k) || (typeof x === 'string' && dirty(x))) return true;
      if (x !== null && typeof x === 'object') work.push(x);
    }
  }
  return false;
}

/**
 * A JSON-like value with every string (keys too) cleaned by `cleanString`: the value itself when
 * nothing needs cleaning (most traces: a copy of every request and response body cost ~25 µs per
 * call), else a copy. Iterative, and keys are defined, not assigned, so a `__proto__` key stays
 * data instead of becoming a prototype.
 */
export function cleanStrings<T>(value: T): T {
  if (!needsCleaning(value)) return value;
  const copy = (v: unknown): unknown => (typeof v === 'string' ? cleanString(v) : v === null || typeof v !== 'object' ? v : Array.isArray(v) ? [] : {});
  const root = copy(value);
  const work: Array<[Record<string, unknown> | unknown[], Record<string, unknown> | unknown[]]> = [];
  if (root !== null && typeof root === 'object') work.push([value as Record<string, unknown>, root as Record<string, unknown>]);
  while (work.length) {
    const [from, to] = work.pop()!;
    for (const [k, v] of Object.entries(from)) {
      const c = copy(v);
      if (Array.isArray(to)) to.push(c);
      else Object.defineProperty(to, cleanString(k), { value: c, enumerable: true, writable: true, configurable: true });
      if (c !== null && typeof c === 'object') work.push([v as Record<string, unknown>, c as Record<string, unknown>]);
    }
  }
  return root as T;
}
