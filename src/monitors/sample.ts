import { createHash } from 'node:crypto';
import { getPath } from './paths.js';
import type { Sampling } from './spec.js';

/** What sampling needs of an item: its id, time, and the fields a stratum may be read from. */
export interface Sampleable {
  id: string;
  ts: Date | null;
  fields: Record<string, unknown>;
}

/** A uniform number in [0,1) fixed by (monitor, item): the same item gets the same draw every run. */
export function draw(monitorKey: string, itemId: string): number {
  const h = createHash('sha1').update(monitorKey).update('\u0000').update(itemId).digest();
  return h.readUInt32BE(0) / 0x1_0000_0000;
}

const byTime = (dir: 1 | -1) => <T extends Sampleable>(a: T, b: T) => {
  const d = ((a.ts?.getTime() ?? 0) - (b.ts?.getTime() ?? 0)) * dir;
  return d !== 0 ? d : a.id < b.id ? -dir : a.id > b.id ? dir : 0;
};

/** Pick the items a monitor scores. Deterministic for a given monitor and item set. */
export function sample<T extends Sampleable>(items: T[], s: Sampling, monitorKey: string): T[] {
  const drawn = () => items.map((it) => ({ it, r: draw(monitorKey, it.id) })).sort((a, b) => a.r - b.r || (a.it.id < b.it.id ? -1 : 1));
  switch (s.strategy) {
    case 'all':
      return items;
    case 'random_rate':
      return items.filter((it) => draw(monitorKey, it.id) < s.rate);
    case 'random_n':
      return drawn().slice(0, s.n).map((x) => x.it);
    case 'most_recent':
      return [...items].sort(byTime(-1)).slice(0, s.n);
    case 'oldest':
      return [...items].sort(byTime(1)).slice(0, s.n);
    case 'stratified': {
      const groups = new Map<string, T[]>();
      for (const { it } of drawn()) {
        const v = getPath(it.fields, s.field);
        const k = v === undefined || v === null ? '\u0000none' : typeof v === 'string' ? v : JSON.stringify(v);
        const g = groups.get(k) ?? [];
        if (g.length < s.n_per_stratum) g.push(it);
        groups.set(k, g);
      }
      return [...groups.values()].flat();
    }
  }
}
