import type { Segment } from '../storage/index.js';
import { errors } from '../core/errors.js';
import { inQueryRange } from '../core/schemas/safe.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const SIZE = { minute: MINUTE, hour: HOUR, day: 24 * HOUR } as const;
export type Grain = keyof typeof SIZE;

/** Named windows accepted as `window=` (and their length in ms). */
export const WINDOWS: Record<string, number> = { '15m': 15 * MINUTE, '1h': HOUR, '6h': 6 * HOUR, '24h': 24 * HOUR, '7d': 7 * 24 * HOUR, '30d': 30 * 24 * HOUR };

/** Resolve `window` or `from`/`to` into a minute-aligned [from, to). */
export function resolveRange(q: { window?: string; from?: string; to?: string }, now = new Date()): { from: Date; to: Date } {
  const parse = (s: string, field: string) => {
    const d = new Date(s);
    if (!inQueryRange(d)) throw errors.validation([{ field, message: 'must be an ISO 8601 time between 1970 and 9999' }]);
    return d;
  };
  const to = ceil(q.to ? parse(q.to, 'to') : now, 'minute');
  let from: Date;
  if (q.from) from = floor(parse(q.from, 'from'), 'minute');
  else {
    const w = q.window ?? '24h';
    // Own keys only: `__proto__` or `constructor` must be refused, not read off Object.prototype.
    const len = Object.hasOwn(WINDOWS, w) ? WINDOWS[w] : undefined;
    if (len === undefined) throw errors.validation([{ field: 'window', message: `must be one of ${Object.keys(WINDOWS).join(', ')}` }]);
    from = new Date(to.getTime() - len);
  }
  if (from >= to) throw errors.validation([{ field: 'from', message: 'must be before to' }]);
  return { from, to };
}

const floor = (d: Date, g: Grain) => new Date(Math.floor(d.getTime() / SIZE[g]) * SIZE[g]);
const ceil = (d: Date, g: Grain) => new Date(Math.ceil(d.getTime() / SIZE[g]) * SIZE[g]);

/**
 * Cover [from, to) with the coarsest rollup rows that fit and finer ones at the ragged edges: a
 * 30-day range reads ~30 day rows, ≤ 46 hour rows and ≤ 118 minute rows. `grains` are the grains
 * kept for the dimension, finest first; a range finer than the finest grain widens to it.
 */
export function segments(from: Date, to: Date, grains: readonly Grain[] = ['minute', 'hour', 'day']): Segment[] {
  const cover = (f: Date, t: Date, gs: readonly Grain[]): Segment[] => {
    if (f >= t) return [];
    const g = gs[gs.length - 1]!;
    if (gs.length === 1) return [{ grain: g, from: f, to: t }];
    const a = ceil(f, g);
    const b = floor(t, g);
    if (a >= b) return cover(f, t, gs.slice(0, -1));
    return [...cover(f, a, gs.slice(0, -1)), { grain: g, from: a, to: b }, ...cover(b, t, gs.slice(0, -1))];
  };
  return cover(floor(from, grains[0]!), ceil(to, grains[0]!), grains);
}

/** Rollup grains kept per dimension (users only per day: they are many). */
export const GRAINS: Record<string, readonly Grain[]> = {
  all: ['minute', 'hour', 'day'],
  model: ['hour', 'day'],
  provider: ['hour', 'day'],
  tag: ['hour', 'day'],
  user: ['day'],
};
