// Hybrid fusion of ranked lists: reciprocal-rank fusion, and a convex combination of min-max
// normalised scores. Both take per-list weights (a collection's settings).
export interface Ranked {
  id: string;
  score: number;
}

/** Reciprocal-rank fusion: score = Σ weight / (k + rank), rank from 1. */
export function rrf(lists: Ranked[][], weights: number[], k = 60): Ranked[] {
  const out = new Map<string, number>();
  lists.forEach((list, li) => {
    const w = weights[li] ?? 1;
    list.forEach((r, i) => out.set(r.id, (out.get(r.id) ?? 0) + w / (k + i + 1)));
  });
  return sorted(out);
}

/** Convex combination of min-max normalised scores (a missing id scores 0 in that list). */
export function convex(lists: Ranked[][], weights: number[]): Ranked[] {
  const out = new Map<string, number>();
  lists.forEach((list, li) => {
    const w = weights[li] ?? 1;
    if (list.length === 0) return;
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of list) {
      lo = Math.min(lo, r.score);
      hi = Math.max(hi, r.score);
    }
    for (const r of list) {
      const n = hi > lo ? (r.score - lo) / (hi - lo) : 1;
      out.set(r.id, (out.get(r.id) ?? 0) + w * n);
    }
  });
  return sorted(out);
}

function sorted(m: Map<string, number>): Ranked[] {
  return [...m].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
