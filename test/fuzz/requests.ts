// Building blocks of generated requests: path segments, query strings, auth and content headers,
// and bodies (valid-shaped JSON with hostile mutations, or raw garbage).
import fc from 'fast-check';
import type { Req } from './harness.js';
import { cleanId, cleanString, hostileString, mutate, toJson } from './values.js';

/** Percent-encode every UTF-16 unit; a lone surrogate becomes its (invalid) 3-byte UTF-8 form, as a hostile client would send it. */
export function pct(s: string): string {
  let out = '';
  for (const ch of s) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
    }
  }
  return out;
}

const RAW_SEGMENTS = ['%00', 'a%00b', '%ff', '%fe%ff', '..%2f', '..%2f..%2fpackage.json', '%2e%2e', '%2e%2e%2f%2e%2e%2fpackage.json', '%C0%80', '%ED%A0%80', '%E2%B2%B1', '%F0%9F%98%80', '%25', '%', '%zz', '%0d%0a', '%0aX-Injected:%201', '%20', '+', '~', '__proto__', 'constructor', 'toString', '-1', '0', '9999999999999999999', 'x'.repeat(129), 'x'.repeat(3000)];

/** A path segment: one of the valid values given, or something hostile (already encoded). */
export function segment(valid: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: valid.length ? fc.constantFrom(...valid.map(pct)) : cleanId },
    { weight: 3, arbitrary: fc.constantFrom(...RAW_SEGMENTS) },
    { weight: 2, arbitrary: hostileString.filter((s) => s.length < 400).map(pct) },
    { weight: 1, arbitrary: cleanId },
  );
}

export type QuerySpec = Record<string, fc.Arbitrary<string>>;

const RAW_QUERY_PARTS = ['%00', 'q=%00', 'q=%ff', 'q=%', '&&', '=', '==', 'a[]=1', 'a[b]=1', 'limit=1&limit=2', '__proto__=1', 'constructor=x', 'toString=1', 'from=9000000000000000', 'to=-1', 'cursor=%00', 'cursor=eyJ0IjoxfQ', 'limit=1e308', 'limit=-0', 'limit=NaN', 'q=' + 'x'.repeat(600)];

/** A query string over the endpoint's own keys (valid or hostile values), unknown keys and raw garbage. */
export function query(spec: QuerySpec): fc.Arbitrary<string> {
  const keys = Object.keys(spec);
  const known = keys.length
    ? fc.constantFrom(...keys).chain((k) => fc.tuple(fc.constant(k), fc.oneof({ weight: 3, arbitrary: spec[k]! }, { weight: 2, arbitrary: hostileString.filter((s) => s.length < 2000) })))
    : fc.tuple(cleanId, cleanString(8));
  const part = fc.oneof(
    { weight: 6, arbitrary: known.map(([k, v]) => `${pct(k)}=${pct(v)}`) },
    { weight: 1, arbitrary: fc.tuple(cleanId, cleanString(8)).map(([k, v]) => `${pct(k)}=${pct(v)}`) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_QUERY_PARTS) },
  );
  return fc.array(part, { maxLength: 4 }).map((ps) => (ps.length ? `?${ps.join('&')}` : ''));
}

/** Header values Node's client will send (latin-1 without controls), including bytes above 0x7f and long ones. */
export const headerValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f).map((c) => String.fromCharCode(c)), maxLength: 40 }),
  fc.constantFrom('', ' ', '\xff\xfe', 'Ã¢Â²Â±', 'x'.repeat(5000), 'x'.repeat(20_000), '__proto__', 'null', '-1', '1e308', '9007199254740993'),
);

export interface Keys {
  key: string;
  otherKey: string;
}

/** Credentials: mostly the project's key (as x-api-key or Bearer), sometimes none, the other project's, or junk. */
export function auth(k: Keys): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ 'x-api-key': k.key }) },
    { weight: 3, arbitrary: fc.constant({ authorization: `Bearer ${k.key}` }) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constant({ 'x-api-key': k.otherKey }) },
    { weight: 1, arbitrary: headerValue.map((v) => ({ 'x-api-key': v })) },
    { weight: 1, arbitrary: headerValue.map((v) => ({ authorization: `Bearer ${v}` })) },
    { weight: 1, arbitrary: fc.constant({ 'x-api-key': k.key, authorization: 'Basic Zm9vOmJhcg==', cookie: 'aether_session=%00' }) },
  );
}

const CONTENT_TYPES = ['application/json; charset=utf-8', 'application/json;charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'application/xml', 'multipart/form-data; boundary=x', 'application/json, text/plain', '*/*', 'application/x-protobuf'];

/** Content-Type for a JSON body: almost always JSON, sometimes another type or none. */
export const contentType: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ 'content-type': 'application/json' }) },
  { weight: 1, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES).map((v) => ({ 'content-type': v })) },
);

const GARBAGE = ['', '{', '}', '{"a":}', '[', 'nul', 'null', '[]', '"text"', '1e999', '-0', 'true', '\ufeff{}', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '{"query":"a","query":"b"}', '{"query":"\\ud800"}', '{"query":"\\u0000"}', '\u0000', '\xff\xfe\xfd', '{"a":1}garbage', '{"a":1}{"a":2}'];

/** A body: the arbitrary's (mutated) JSON most of the time, raw garbage otherwise. Reports whether it is the clean original. */
export function jsonBody<T>(base: fc.Arbitrary<T>, cleanWeight = 1): fc.Arbitrary<{ text: string; clean: boolean; value: unknown }> {
  return fc.oneof(
    { weight: 9, arbitrary: mutate(base, cleanWeight).map((m) => ({ text: toJson(m.value), clean: m.mutations === 0, value: m.value })) },
    { weight: 1, arbitrary: fc.constantFrom(...GARBAGE).map((g) => ({ text: g, clean: false, value: undefined as unknown })) },
  );
}

/** A JSON request with generated credentials and content type; `clean` when nothing hostile went in. */
export function jsonRequest<T>(method: string, path: fc.Arbitrary<string>, k: Keys, base: fc.Arbitrary<T>, extraHeaders: fc.Arbitrary<Record<string, string>> = fc.constant({}), cleanWeight = 1): fc.Arbitrary<{ req: Req; clean: boolean; value: unknown }> {
  return fc.tuple(path, auth(k), contentType, jsonBody(base, cleanWeight), extraHeaders).map(([p, a, ct, b, extra]) => ({
    req: { method, path: p, headers: { ...a, ...ct, ...extra }, body: b.text },
    clean: b.clean && ct['content-type'] === 'application/json' && (a['x-api-key'] === k.key || a.authorization === `Bearer ${k.key}`) && !a.cookie,
    value: b.value,
  }));
}

/** A GET with generated credentials and query string. */
export function getRequest(path: fc.Arbitrary<string>, k: Keys, spec: QuerySpec = {}): fc.Arbitrary<Req> {
  return fc.tuple(path, query(spec), auth(k)).map(([p, q, a]) => ({ method: 'GET', path: p + q, headers: a }));
}
