// Span waterfall layout: spans (flat, with parent_id) become depth-first ordered rows with their
// offset and width as fractions of the trace's time range. Pure, tested with node:test.

export interface SpanLike {
  id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  start_time: string;
  end_time: string | null;
  duration_ms?: number | null;
  status?: string;
}

export interface WaterfallRow<S extends SpanLike = SpanLike> {
  span: S;
  depth: number;
  /** ms from the trace's first span start */
  startMs: number;
  durationMs: number;
  /** 0..1 of the whole range */
  offset: number;
  width: number;
}

export function layoutWaterfall<S extends SpanLike>(spans: S[]): { rows: WaterfallRow<S>[]; totalMs: number; start: number } {
  if (spans.length === 0) return { rows: [], totalMs: 0, start: 0 };
  const t = (s: string | null) => (s ? Date.parse(s) : NaN);
  const startOf = (s: S) => t(s.start_time);
  const endOf = (s: S) => {
    const e = t(s.end_time);
    if (!Number.isNaN(e)) return Math.max(e, startOf(s));
    if (typeof s.duration_ms === 'number') return startOf(s) + s.duration_ms;
    return startOf(s);
  };
  const ids = new Set(spans.map((s) => s.id));
  const children = new Map<string | null, S[]>();
  for (const s of spans) {
    // A parent that is not in the list makes the span a root (never drop it).
    const p = s.parent_id && ids.has(s.parent_id) && s.parent_id !== s.id ? s.parent_id : null;
    const list = children.get(p);
    if (list) list.push(s);
    else children.set(p, [s]);
  }
  for (const list of children.values()) list.sort((a, b) => startOf(a) - startOf(b) || a.name.localeCompare(b.name));
  const min = Math.min(...spans.map(startOf));
  const max = Math.max(...spans.map(endOf));
  const total = Math.max(max - min, 0);
  const rows: WaterfallRow<S>[] = [];
  const seen = new Set<string>();
  const walk = (parent: string | null, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      if (seen.has(s.id)) continue; // cycles
      seen.add(s.id);
      const startMs = startOf(s) - min;
      const durationMs = endOf(s) - startOf(s);
      rows.push({ span: s, depth, startMs, durationMs, offset: total ? startMs / total : 0, width: total ? durationMs / total : 1 });
      walk(s.id, depth + 1);
    }
  };
  walk(null, 0);
  // Anything unreachable (a cycle without a root) is still shown, at depth 0.
  for (const s of spans) if (!seen.has(s.id)) {
    seen.add(s.id);
    const startMs = startOf(s) - min;
    const durationMs = endOf(s) - startOf(s);
    rows.push({ span: s, depth: 0, startMs, durationMs, offset: total ? startMs / total : 0, width: total ? durationMs / total : 1 });
  }
  return { rows, totalMs: total, start: min };
}
