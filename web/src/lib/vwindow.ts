// Windowed rendering math for fixed-height rows: which rows to put in the DOM for a scroll offset,
// and how tall the spacers above and below them are. Pure, tested with node:test.

export interface WindowInput {
  /** number of rows */
  count: number;
  /** height of one row, px */
  rowHeight: number;
  /** scrollTop of the viewport, px */
  scrollTop: number;
  /** visible height of the viewport, px */
  viewport: number;
  /** extra rows rendered above and below the visible ones */
  overscan?: number;
}

export interface WindowOutput {
  /** first row index rendered (inclusive) */
  start: number;
  /** last row index rendered (exclusive) */
  end: number;
  /** padding above the first rendered row, px */
  before: number;
  /** padding below the last rendered row, px */
  after: number;
  /** total scroll height, px */
  total: number;
}

export function visibleWindow({ count, rowHeight, scrollTop, viewport, overscan = 8 }: WindowInput): WindowOutput {
  const total = Math.max(0, count) * rowHeight;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0, before: 0, after: 0, total: 0 };
  const maxTop = Math.max(0, total - Math.max(0, viewport));
  const top = Math.min(Math.max(0, scrollTop), maxTop);
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, before: start * rowHeight, after: (count - end) * rowHeight, total };
}

/** scrollTop that brings row `index` into view (keeping the current one when already visible). */
export function scrollToRow(index: number, rowHeight: number, scrollTop: number, viewport: number): number {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewport) return bottom - viewport;
  return scrollTop;
}

/** True when the viewport is within `threshold` px of the end: time to fetch the next page. */
export function nearEnd(scrollTop: number, viewport: number, total: number, threshold = 600): boolean {
  return total - (scrollTop + viewport) <= threshold;
}
