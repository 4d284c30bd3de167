import { createHash, randomInt } from 'node:crypto';

export interface WeightedVariant {
  name: string;
  weight: number;
}

/** A point in [0, 1) from the experiment and the unit id: the same user gets the same variant, in every process, after restarts. */
export function bucket(experimentId: string, unitId: string): number {
  const h = createHash('sha256').update(`${experimentId}\u0000${unitId}`).digest();
  return h.readUInt32BE(0) / 2 ** 32;
}

/** The variant whose cumulative weight covers `u`. */
export function pick<V extends WeightedVariant>(variants: readonly V[], u: number): V {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  let acc = 0;
  for (const v of variants) {
    acc += v.weight / total;
    if (u < acc) return v;
  }
  return variants[variants.length - 1]!;
}

/** Sticky assignment by unit id, or a fresh random draw per request when there is none. */
export function assign<V extends WeightedVariant>(experimentId: string, variants: readonly V[], unitId: string | undefined): { variant: V; sticky: boolean } {
  if (unitId) return { variant: pick(variants, bucket(experimentId, unitId)), sticky: true };
  return { variant: pick(variants, randomInt(0, 2 ** 32) / 2 ** 32), sticky: false };
}
