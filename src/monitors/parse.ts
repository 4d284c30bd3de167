import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { AetherError } from '../core/index.js';
import { monitorSpecSchema, SAMPLING_STRATEGIES, SOURCE_TYPES, type MonitorSpec } from './spec.js';

/** One problem in a monitor file, located in the text. */
export interface SpecIssue {
  field: string;
  message: string;
  line: number;
  column: number;
}

/** A monitor file that failed validation: every issue with its line, column and field. */
export class MonitorSpecError extends AetherError {
  constructor(
    readonly file: string,
    readonly issues: SpecIssue[],
  ) {
    super(400, 'invalid_monitor', issues.map((i) => `${file}:${i.line}:${i.column}: ${i.field || '(file)'}: ${i.message}`).join('\n'), { details: { issues } });
  }
}

/** The node at `path`, or the deepest existing ancestor (a missing field points at its parent). */
function locate(doc: Document, path: ReadonlyArray<PropertyKey>, lc: LineCounter): { line: number; column: number } {
  for (let n = path.length; n >= 0; n--) {
    const keys = path.slice(0, n).map((k) => (typeof k === 'symbol' ? String(k) : k));
    // For a mapping entry, the key's position reads better than the value's.
    const parent = n > 0 ? doc.getIn(keys.slice(0, -1), true) : undefined;
    let node: unknown = n === 0 ? doc.contents : doc.getIn(keys, true);
    if (n > 0 && parent && typeof parent === 'object' && 'items' in parent) {
      const items = (parent as { items: unknown[] }).items;
      const pair = items.find((p) => p && typeof p === 'object' && 'key' in p && isNode((p as { key: unknown }).key) && String(((p as { key: { value?: unknown } }).key).value) === String(keys[n - 1]));
      if (pair) node = (pair as { key: unknown }).key;
    }
    if (isNode(node) && node.range) {
      const pos = lc.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
  }
  return { line: 1, column: 1 };
}

const fieldOf = (path: ReadonlyArray<PropertyKey>) =>
  path.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');

/** Parse and validate a monitor file; errors name line, column and field. */
export function parseMonitorYaml(text: string, file = 'monitor.yaml', opts: { knownMetrics?: ReadonlySet<string> } = {}): MonitorSpec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new MonitorSpecError(
      file,
      doc.errors.map((e) => {
        const pos = lc.linePos(e.pos[0]);
        return { field: '', message: e.message.split('\n')[0] ?? 'YAML syntax error', line: pos.line, column: pos.col };
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // An alias to no anchor, or one expanding past the limit (a "billion laughs" file).
    throw new MonitorSpecError(file, [{ field: '', message: (e as Error).message.split('\n')[0] ?? 'invalid YAML', line: 1, column: 1 }]);
  }
  const r = monitorSpecSchema.safeParse(raw);
  if (!r.success) throw new MonitorSpecError(file, issuesOf(r.error, doc, lc));
  const semantic = semanticIssues(r.data, opts.knownMetrics);
  if (semantic.length) throw new MonitorSpecError(file, semantic.map((i) => ({ field: fieldOf(i.path), message: i.message, ...locate(doc, i.path, lc) })));
  return r.data;
}

const CHOICES: Record<string, string> = {
  'source.type': SOURCE_TYPES.join(', '),
  'sampling.strategy': SAMPLING_STRATEGIES.join(', '),
};

/** Flatten zod issues: a union failure becomes its closest branch's issues, a missed discriminator names the choices. */
function flatten(issues: ReadonlyArray<z.core.$ZodIssue>, base: PropertyKey[] = []): Array<{ path: PropertyKey[]; message: string }> {
  const out: Array<{ path: PropertyKey[]; message: string }> = [];
  for (const i of issues) {
    const p = [...base, ...i.path];
    if (i.code === 'invalid_union') {
      const u = i as { errors: z.core.$ZodIssue[][]; note?: string };
      if (u.note === 'No matching discriminator' || u.errors.length === 0) {
        const f = fieldOf(p);
        out.push({ path: p, message: CHOICES[f] ? `must be one of: ${CHOICES[f]}` : 'has no valid value here' });
        continue;
      }
      // Prefer a branch that got past its discriminator, then the one with fewest problems.
      const real = u.errors.filter((b) => !b.every((x) => x.code === 'invalid_union' && (x as { note?: string }).note === 'No matching discriminator'));
      const best = [...(real.length ? real : u.errors)].sort((a, b) => a.length - b.length)[0] ?? [];
      out.push(...flatten(best, p));
      continue;
    }
    if (i.code === 'unrecognized_keys') for (const k of i.keys) out.push({ path: [...p, k], message: `unknown field "${k}"` });
    else out.push({ path: p, message: i.message });
  }
  return out;
}

function issuesOf(err: z.ZodError, doc: Document, lc: LineCounter): SpecIssue[] {
  return flatten(err.issues).map((i) => ({ field: fieldOf(i.path), message: i.message, ...locate(doc, i.path, lc) }));
}

/** Checks zod cannot make alone: metric names the registry knows, thresholds of metrics the monitor runs. */
export function semanticIssues(spec: MonitorSpec, known?: ReadonlySet<string>): Array<{ path: PropertyKey[]; message: string }> {
  const out: Array<{ path: PropertyKey[]; message: string }> = [];
  const names = new Set(spec.metrics.map((m) => m.name));
  if (known) {
    spec.metrics.forEach((m, i) => {
      if (!('type' in m) && !known.has(m.name)) out.push({ path: ['metrics', i, 'name'], message: `unknown metric "${m.name}"; known: ${[...known].sort().join(', ')}` });
    });
  }
  for (const k of Object.keys(spec.thresholds)) if (!names.has(k)) out.push({ path: ['thresholds', k], message: `"${k}" is not one of this monitor's metrics` });
  return out;
}

/** Validate an already-parsed spec (API bodies in JSON): field-named 400s. */
export function parseMonitorJson(raw: unknown, knownMetrics?: ReadonlySet<string>): MonitorSpec {
  const r = monitorSpecSchema.safeParse(raw);
  const found = r.success ? semanticIssues(r.data, knownMetrics) : flatten(r.error.issues);
  if (r.success && found.length === 0) return r.data;
  const issues = found.map((i) => ({ field: fieldOf(i.path), message: i.message }));
  throw new AetherError(400, 'invalid_monitor', issues.map((i) => `${i.field || '(body)'}: ${i.message}`).join('; '), { details: { issues } });
}
