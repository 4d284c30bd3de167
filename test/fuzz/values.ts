// Hostile and valid-shaped values for the fuzz suite. Hostile values are the ones that have broken
// servers like this one before (issue 17): NUL, lone surrogates, characters above U+00FF, CR/LF,
// integers beyond int4, 1e308, -0, far-future timestamps, prototype keys, deep nesting, long text.
import fc from 'fast-check';

/** A value nested `depth` levels deep, serialized without recursion (see `toJson`). */
export class Deep {
  constructor(
    readonly depth: number,
    readonly kind: 'object' | 'array',
    readonly key = 'a',
  ) {}
  /** The JSON text, built iteratively so 10,000 levels never overflow our own stack. */
  text(): string {
    const k = JSON.stringify(this.key);
    return this.kind === 'object' ? `{${k}:`.repeat(this.depth) + '1' + '}'.repeat(this.depth) : '['.repeat(this.depth) + '1' + ']'.repeat(this.depth);
  }
  [fc.toStringMethod](): string {
    return `Deep(${this.depth}, ${this.kind}${this.key === 'a' ? '' : `, ${JSON.stringify(this.key)}`})`;
  }
}

/** JSON text of a body that may hold `Deep` values (spliced in as raw text). */
export function toJson(body: unknown): string {
  const deep: Deep[] = [];
  const text = JSON.stringify(body, (_k, v: unknown) => {
    if (v instanceof Deep) {
      deep.push(v);
      return `\u0001DEEP${deep.length - 1}\u0001`;
    }
    return v;
  });
  if (text === undefined) return 'null';
  return deep.length ? text.replace(/"\\u0001DEEP(\d+)\\u0001"/g, (_m, i: string) => deep[Number(i)]!.text()) : text;
}

/** An object whose own keys are exactly these, `__proto__` included (object literals would set the prototype). */
export const objectOf = (entries: Array<[string, unknown]>): Record<string, unknown> => Object.fromEntries(entries) as Record<string, unknown>;

const NASTY_CHARS = ['\u0000', '\ud800', '\udfff', '\r', '\n', '\r\n', '\t', 'ⲱ', '\u0100', '\u00ff', '😀', '\u2028', '\ufeff', '\u202e', '\\', '"', "'", '%', '\u0001', '\u007f'];
/** One UTF-16 unit anywhere in the BMP (lone surrogates included) or a known troublemaker. */
const nastyUnit = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_CHARS) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) },
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
);

export const PROTO_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype', '__defineGetter__'];

/** Strings that are valid everywhere a string is allowed: printable, any script, no NUL or lone surrogate. */
export const cleanString = (maxLength = 24): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 5, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength }).filter((s) => s.trim().length > 0) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((s) => s.trim().length > 0 && ![...s].some((c) => c.charCodeAt(0) < 0x20)) },
  );

/** An identifier-like string ([A-Za-z0-9._:-]). */
export const cleanId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,30}$/);

/** A string built to break storage, headers, logs or parsers. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: nastyUnit, minLength: 1, maxLength: 12 }) },
  { weight: 3, arbitrary: fc.tuple(cleanString(8), fc.constantFrom(...NASTY_CHARS), cleanString(8)).map(([a, b, c]) => a + b + c) },
  { weight: 2, arbitrary: fc.constantFrom(...PROTO_KEYS, 'NaN', 'Infinity', '-0', '1e308', '9000000000000000', '', ' ', '%00', '..%2f', '../../etc/passwd', "'; drop table traces; --", '${jndi:x}', '<script>alert(1)</script>', 'null', 'true') },
  { weight: 1, arbitrary: fc.constantFrom(257, 1025, 4097, 70_000, 1_000_001).map((n) => 'x'.repeat(n)) },
);

/** Numbers beyond what columns and JSON consumers tend to expect. */
export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(3_000_000_000, 2 ** 31, 2 ** 31 - 1, -1, -0, 1e308, -1e308, 9_000_000_000_000_000, Number.MAX_SAFE_INTEGER, 2 ** 53 + 2, 5e-324, 0.5, 1e21, -(2 ** 63), 8.64e15 + 1) },
  { weight: 2, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer() },
);

/** Nesting from a few levels to 2,000 (deeper cases are in the regression table). */
export const deepValue: fc.Arbitrary<Deep> = fc
  .tuple(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 2, max: 64 }) }, { weight: 1, arbitrary: fc.constantFrom(200, 1000, 2000) }), fc.constantFrom<'object' | 'array'>('object', 'array'), fc.constantFrom('a', '__proto__', 'constructor', '\u0000'))
  .map(([d, k, key]) => new Deep(d, k, key));

/** A JSON value of the wrong type for almost any field. */
export const wrongType: fc.Arbitrary<unknown> = fc.oneof(fc.constant(null), fc.boolean(), fc.constant([]), fc.constant({}), fc.array(fc.integer(), { maxLength: 3 }), fc.constant([null]), fc.constant({ '': '' }));

/** An object with prototype-named or otherwise hostile keys. */
export const hostileObject: fc.Arbitrary<Record<string, unknown>> = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...PROTO_KEYS), hostileString, cleanString(6)), fc.oneof(cleanString(6), hostileNumber, wrongType, fc.constant({ toString: 'x' }))), { minLength: 1, maxLength: 4 })
  .map(objectOf);

/** Any hostile JSON value. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 3, arbitrary: hostileNumber },
  { weight: 2, arbitrary: wrongType },
  { weight: 2, arbitrary: hostileObject },
  { weight: 1, arbitrary: deepValue },
);

/** A clean JSON value for free-form fields (metadata, attributes, span input). */
export const cleanJson: fc.Arbitrary<unknown> = fc.oneof(
  cleanString(),
  fc.integer({ min: -1000, max: 1_000_000 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(cleanString(8), { maxLength: 3 }),
  fc.dictionary(cleanId, cleanString(8), { maxKeys: 3 }),
);

/** A timestamp a client might send: epoch ms or ISO 8601 with a zone, from a week ago to a few minutes ahead. */
export const cleanTimestamp: fc.Arbitrary<number | string> = fc
  .tuple(fc.integer({ min: -7 * 86_400_000, max: 5 * 60_000 }), fc.boolean())
  .map(([dt, iso]) => (iso ? new Date(Date.now() + dt).toISOString() : Date.now() + dt));

type Path = Array<string | number>;

/** Every place in a JSON value a mutation can land: the root, each key and each element. */
function pathsOf(v: unknown, at: Path = [], out: Path[] = [], depth = 0): Path[] {
  out.push(at);
  if (depth > 6 || v === null || typeof v !== 'object' || v instanceof Deep) return out;
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out, depth + 1));
  else for (const k of Object.keys(v)) pathsOf((v as Record<string, unknown>)[k], [...at, k], out, depth + 1);
  return out;
}

function clone(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Deep) return v;
  if (Array.isArray(v)) return v.map(clone);
  return objectOf(Object.entries(v).map(([k, x]) => [k, clone(x)]));
}

/** Set `value` at `path` (a fresh copy); `addKey` adds a sibling key instead of replacing. */
function setAt(root: unknown, path: Path, value: unknown, addKey?: string): unknown {
  if (path.length === 0 && addKey === undefined) return value;
  const out = clone(root);
  let cur = out as Record<string | number, unknown>;
  for (const p of path.slice(0, addKey === undefined ? -1 : path.length)) cur = cur[p] as Record<string | number, unknown>;
  if (cur === null || typeof cur !== 'object') return out;
  if (addKey !== undefined) {
    if (!Array.isArray(cur)) Object.defineProperty(cur, addKey, { value, enumerable: true, writable: true, configurable: true });
    return out;
  }
  const last = path[path.length - 1]!;
  Object.defineProperty(cur, last, { value, enumerable: true, writable: true, configurable: true });
  return out;
}

export interface Mutated<T> {
  value: T | unknown;
  /** How many hostile mutations were applied (0: the valid-shaped value as generated). */
  mutations: number;
}

/** A valid-shaped value, or one with up to three hostile values put in at random places (roots and new keys included). */
export function mutate<T>(base: fc.Arbitrary<T>, cleanWeight = 1): fc.Arbitrary<Mutated<T>> {
  const mutation = fc.tuple(fc.nat(), hostileValue, fc.option(fc.oneof(fc.constantFrom(...PROTO_KEYS), hostileString, cleanId), { freq: 4 }));
  const muts = fc.oneof({ weight: cleanWeight, arbitrary: fc.constant([] as Array<[number, unknown, string | null]>) }, { weight: 3, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 3 }) });
  return fc.tuple(base, muts).map(([b, ms]) => {
    let v: unknown = b;
    for (const [pick, hostile, key] of ms) {
      const paths = pathsOf(v).filter((p) => p.length > 0 || key === null);
      const target = paths[pick % Math.max(1, paths.length)] ?? [];
      v = key === null ? setAt(v, target, hostile) : setAt(v, target.slice(0, -1), hostile, key);
    }
    return { value: v, mutations: ms.length };
  });
}
