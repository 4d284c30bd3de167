// Reading OpenTelemetry attributes: first-present lookups and OpenInference's flattened lists
// (`retrieval.documents.0.document.content`, `llm.input_messages.1.message.role`).
import { VALUE_LIMITS } from '../../core/schemas/safe.js';
import type { AttrValue, Attributes } from './model.js';

/** The first attribute among `keys` that is a non-empty string (numbers are stringified). */
export function str(a: Attributes, ...keys: string[]): string | undefined {
  for (const k of keys) {
    const v = a[k];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return undefined;
}

/** The first attribute among `keys` that is a finite number (numeric strings count: int64 may arrive as one). */
export function num(a: Attributes, ...keys: string[]): number | undefined {
  for (const k of keys) {
    const v = a[k];
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
    if (Number.isFinite(n)) return n;
  }
  return undefined;
}

/** Token counts in the stored range; anything else is ignored rather than rejecting the span. */
export function count(a: Attributes, ...keys: string[]): number | undefined {
  const n = num(a, ...keys);
  return n !== undefined && n >= 0 && n <= VALUE_LIMITS.tokens ? Math.round(n) : undefined;
}

/**
 * A list attribute: OpenInference flattens `prefix.N.key` into separate attributes; some SDKs send
 * the structured form (an array, or a JSON string of one). Returns one object per index, in order.
 */
export function indexed(a: Attributes, prefix: string): Array<Record<string, AttrValue>> {
  const whole = a[prefix];
  if (Array.isArray(whole)) return whole.map((x) => (x && typeof x === 'object' && !Array.isArray(x) ? x : { value: x }));
  if (typeof whole === 'string' && whole.startsWith('[')) {
    try {
      const parsed = parseAttrJson(whole);
      if (Array.isArray(parsed)) return parsed.map((x: AttrValue) => (x && typeof x === 'object' && !Array.isArray(x) ? x : { value: x }));
    } catch {
      // not JSON after all: fall through to the flattened form
    }
  }
  const dot = `${prefix}.`;
  const rows = new Map<number, Record<string, AttrValue>>();
  for (const k in a) {
    if (!k.startsWith(dot)) continue;
    const rest = k.slice(dot.length);
    const i = rest.indexOf('.');
    const n = Number(i < 0 ? rest : rest.slice(0, i));
    if (!Number.isInteger(n) || n < 0 || i < 0) continue;
    let row = rows.get(n);
    if (!row) rows.set(n, (row = {}));
    const field = rest.slice(i + 1);
    if (field !== '__proto__') row[field] = a[k]!;
  }
  return [...rows.entries()].sort((x, y) => x[0] - y[0]).map((e) => e[1]);
}

/** JSON inside an attribute string, without `__proto__` keys (they would be refused when stored). */
export const parseAttrJson = (text: string): unknown => JSON.parse(text, (k, v: unknown) => (k === '__proto__' ? undefined : v));

/** A value that may be a JSON string: parsed when it looks like JSON, otherwise as is. */
export function maybeJson(v: AttrValue | undefined): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trimStart();
  if (!(t.startsWith('{') || t.startsWith('['))) return v;
  try {
    return parseAttrJson(v);
  } catch {
    return v;
  }
}
