// A table that renders only the rows in view, so 10,000+ rows scroll smoothly. Rows have a fixed
// height and are absolutely positioned grid rows with layout containment: each frame lays out a few
// dozen independent boxes, never a whole table. ARIA table semantics (aria-rowcount/rowindex); the
// arrow keys, Page Up/Down, Home and End move between rows, Enter opens one.
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode, type UIEvent } from 'react';
import { nearEnd, scrollToRow, visibleWindow } from '../lib/vwindow';

export interface Column<T> {
  key: string;
  header: string;
  /** a length in px, or 'auto' for the flexible column */
  width: string;
  /** the flexible column's narrowest width in px; below the sum of widths the table scrolls sideways */
  minWidth?: number;
  align?: 'left' | 'right';
  render: (row: T) => ReactNode;
}

interface Props<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  rowHeight?: number;
  label: string;
  onOpen: (row: T) => void;
  rowHref: (row: T) => string;
  onNearEnd?: () => void;
  /** restored on mount; reported on scroll */
  initialScrollTop?: number;
  onScrollTop?: (top: number) => void;
  rowClass?: (row: T) => string | undefined;
  height?: string;
  footer?: ReactNode;
  /** called with the scrolling element, e.g. to keep the position when rows are prepended */
  scrollRef?: (el: HTMLDivElement | null) => void;
}

interface RowProps<T> {
  row: T;
  index: number;
  columns: Column<T>[];
  onOpen: (row: T) => void;
  href: string;
  tabbable: boolean;
  className: string | undefined;
  height: number;
  grid: string;
}

function RowView<T>({ row, index, columns, onOpen, href, tabbable, className, height, grid }: RowProps<T>) {
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      className={`vrow${className ? ` ${className}` : ''}`}
      style={{ height, transform: `translateY(${index * height}px)`, gridTemplateColumns: grid }}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a')) return;
        onOpen(row);
      }}
      data-index={index}
    >
      {columns.map((c, ci) => (
        <div role="cell" key={c.key} className={`vcell${c.align === 'right' ? ' num' : ''}`}>
          {ci === 0 ? (
            <a
              href={href}
              className="row-link"
              tabIndex={tabbable ? 0 : -1}
              data-row-link={index}
              onClick={(e) => {
                if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey) return;
                e.preventDefault();
                onOpen(row);
              }}
            >
              {c.render(row)}
            </a>
          ) : (
            c.render(row)
          )}
        </div>
      ))}
    </div>
  );
}
const Row = memo(RowView) as typeof RowView;

export function VirtualTable<T>({ rows, columns, rowKey, rowHeight = 40, label, onOpen, rowHref, onNearEnd, initialScrollTop = 0, onScrollTop, rowClass, height = 'calc(100vh - 300px)', footer, scrollRef }: Props<T>) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(initialScrollTop);
  const [viewport, setViewport] = useState(600);
  const [focus, setFocus] = useState(0);
  const wantFocus = useRef(false);
  const grid = columns.map((c) => (c.width === 'auto' ? `minmax(${c.minWidth ?? 0}px, 1fr)` : c.width)).join(' ');
  // Narrower than its columns, the table scrolls inside its card instead of squeezing or cutting them.
  const minWidth = columns.reduce((a, c) => a + (c.width === 'auto' ? (c.minWidth ?? 0) : parseFloat(c.width) || 0), 0);
  const header = rowHeight; // the sticky header row is as tall as a row

  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    if (initialScrollTop) el.scrollTop = initialScrollTop;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
    // Mount only: initialScrollTop is read once.
  }, []);

  const setRef = useCallback(
    (el: HTMLDivElement | null) => {
      box.current = el;
      scrollRef?.(el);
    },
    [scrollRef],
  );

  const win = visibleWindow({ count: rows.length, rowHeight, scrollTop: Math.max(0, scrollTop - header), viewport: Math.max(0, viewport - header), overscan: 10 });

  const onScroll = (e: UIEvent<HTMLDivElement>) => {
    const top = e.currentTarget.scrollTop;
    setScrollTop(top);
    onScrollTop?.(top);
    // The viewport height comes from the ResizeObserver: reading clientHeight here would cost a layout.
    if (onNearEnd && nearEnd(top, viewport, win.total + header, rowHeight * 15)) onNearEnd();
  };

  // Few rows, no scrollbar: ask for more right away.
  useEffect(() => {
    if (onNearEnd && rows.length > 0 && win.total + header <= viewport) onNearEnd();
  }, [rows.length, viewport, onNearEnd, win.total, header]);

  useEffect(() => {
    if (focus >= rows.length && rows.length > 0) setFocus(rows.length - 1);
  }, [rows.length, focus]);

  useEffect(() => {
    if (!wantFocus.current) return;
    wantFocus.current = false;
    (box.current?.querySelector(`[data-row-link="${focus}"]`) as HTMLElement | null)?.focus({ preventScroll: true });
  }, [focus, win.start, win.end]);

  const move = (to: number) => {
    const el = box.current;
    if (!el || rows.length === 0) return;
    const i = Math.max(0, Math.min(rows.length - 1, to));
    const top = scrollToRow(i, rowHeight, el.scrollTop, el.clientHeight - header);
    if (top !== el.scrollTop) el.scrollTop = top;
    setScrollTop(el.scrollTop);
    wantFocus.current = true;
    setFocus(i);
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const page = Math.max(1, Math.floor((viewport - header) / rowHeight) - 1);
    const keys: Record<string, () => number> = {
      ArrowDown: () => focus + 1,
      ArrowUp: () => focus - 1,
      PageDown: () => focus + page,
      PageUp: () => focus - page,
      Home: () => 0,
      End: () => rows.length - 1,
    };
    const k = keys[e.key];
    if (k && (e.target as HTMLElement).closest('[data-row-link]')) {
      e.preventDefault();
      move(k());
    }
  };

  const visible = rows.slice(win.start, win.end);
  // The row reachable with Tab: the focused one when rendered, else the first one in view.
  const tabRow = focus >= win.start && focus < win.end ? focus : win.start;
  const bodyStyle: CSSProperties = { height: win.total };
  return (
    <div className="vtable-wrap">
      <div className="vtable-scroll" ref={setRef} onScroll={onScroll} style={{ height: `min(${height}, ${win.total + header + 2}px)` }} onKeyDown={onKeyDown} data-testid="vtable">
        <div className="vtable" role="table" aria-label={label} aria-rowcount={rows.length + 1} style={{ minWidth }}>
          <div role="rowgroup" className="vhead">
            <div role="row" aria-rowindex={1} className="vhead-row" style={{ height: rowHeight, gridTemplateColumns: grid }}>
              {columns.map((c) => (
                <div key={c.key} role="columnheader" className={`vcell${c.align === 'right' ? ' num' : ''}`}>
                  {c.header}
                </div>
              ))}
            </div>
          </div>
          <div role="rowgroup" className="vbody" style={bodyStyle}>
            {visible.map((r, i) => {
              const idx = win.start + i;
              return <Row key={rowKey(r)} row={r} index={idx} columns={columns} onOpen={onOpen} href={rowHref(r)} tabbable={idx === tabRow} className={rowClass?.(r)} height={rowHeight} grid={grid} />;
            })}
          </div>
        </div>
      </div>
      {footer ? <div className="vtable-foot">{footer}</div> : null}
    </div>
  );
}
