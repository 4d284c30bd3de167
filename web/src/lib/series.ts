// Helpers for chart series. Pure.

/** Indexes of values with no non-null neighbour: a line cannot show them, so they are drawn as points. */
export function isolatedPoints(values: ArrayLike<number | null | undefined>): number[] {
  const out: number[] = [];
  const ok = (i: number) => i >= 0 && i < values.length && values[i] !== null && values[i] !== undefined && Number.isFinite(values[i] as number);
  for (let i = 0; i < values.length; i++) if (ok(i) && !ok(i - 1) && !ok(i + 1)) out.push(i);
  return out;
}
