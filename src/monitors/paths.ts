// A small path syntax over JSON items: `a.b`, `a[0]`, `a[-1]` (last), `a["key.with.dots"]`, `a[*].text`
// (every element, giving a list). Own keys only: `__proto__` and inherited members never resolve.
const TOKEN = /\.?([A-Za-z_$][\w$-]*)|\[(-?\d+)\]|\[\*\]|\["((?:[^"\\]|\\.)*)"\]|\['((?:[^'\\]|\\.)*)'\]/y;

type Step = { key: string } | { index: number } | { all: true };

const cache = new Map<string, Step[]>();

/** Parse a path once; throws on a malformed one with the offset. */
export function compilePath(path: string): Step[] {
  const hit = cache.get(path);
  if (hit) return hit;
  const steps: Step[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < path.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(path);
    if (!m) throw new Error(`bad path "${path}" at offset ${at}`);
    if (m[1] !== undefined) steps.push({ key: m[1] });
    else if (m[2] !== undefined) steps.push({ index: Number(m[2]) });
    else if (m[3] !== undefined || m[4] !== undefined) steps.push({ key: JSON.parse(`"${(m[3] ?? m[4])!.replace(/\\'/g, "'")}"`) as string });
    else steps.push({ all: true });
  }
  if (cache.size > 1000) cache.clear();
  cache.set(path, steps);
  return steps;
}

function step(v: unknown, s: Step): unknown {
  if (v === null || typeof v !== 'object') return undefined;
  if ('key' in s) return Array.isArray(v) || !Object.prototype.hasOwnProperty.call(v, s.key) || s.key === '__proto__' ? undefined : (v as Record<string, unknown>)[s.key];
  if (!Array.isArray(v)) return undefined;
  if ('index' in s) return v[s.index < 0 ? v.length + s.index : s.index];
  return v;
}

/** The value at `path` in `item`, or undefined. A `[*]` maps the rest of the path over a list. */
export function getPath(item: unknown, path: string): unknown {
  const steps = compilePath(path);
  const walk = (v: unknown, i: number): unknown => {
    for (; i < steps.length; i++) {
      const s = steps[i]!;
      if ('all' in s) {
        if (!Array.isArray(v)) return undefined;
        return v.map((x) => walk(x, i + 1)).filter((x) => x !== undefined);
      }
      v = step(v, s);
      if (v === undefined) return undefined;
    }
    return v;
  };
  return walk(item, 0);
}
