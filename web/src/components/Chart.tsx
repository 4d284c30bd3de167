// A time-series chart on uPlot: axes, grid, legend with values under the cursor, colours from the
// theme, resizes with its container. The figure has a text summary for screen readers.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { isolatedPoints } from '../lib/series';
import { useApp } from '../state';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  /** CSS variable name or colour */
  color: string;
  kind?: 'line' | 'bars' | 'area';
  dash?: number[];
  /** hide from the legend (band edges) */
  hidden?: boolean;
}

export interface ChartProps {
  title: string;
  /** x values, epoch seconds */
  x: number[];
  series: ChartSeries[];
  format: (v: number | null) => string;
  height?: number;
  /** shade between two series (indexes into `series`), e.g. a forecast interval */
  band?: { upper: number; lower: number; color: string };
  /** y axis starts at zero */
  zero?: boolean;
  yMax?: number;
  summary?: string;
}

const cssVar = (name: string): string => {
  if (!name.startsWith('--')) return name;
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
};

function withAlpha(color: string, a: number): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1]!, 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${a})`;
}

export function Chart({ title, x, series, format, height = 200, band, zero = true, yMax, summary }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { resolvedTheme } = useApp();
  const shape = `${series.map((s) => `${s.label}|${s.kind}|${s.color}`).join(',')}|${band ? 'band' : ''}|${resolvedTheme}|${height}|${yMax}`;

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axisColor = cssVar('--text-muted');
    const gridColor = cssVar('--grid');
    const fmtAxis = (_u: uPlot, vals: number[]) => vals.map((v) => format(v));
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      padding: [8, 18, 0, 0],
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      legend: { live: true },
      scales: {
        // Bars are centred on their time: keep half a bucket free at both ends so none is cut.
        x: {
          time: true,
          range: (u, min, max) => {
            const xs = u.data[0];
            if (!series.some((s) => s.kind === 'bars') || !xs || xs.length < 2) return [min, max];
            const half = (xs[1]! - xs[0]!) / 2;
            return [min - half, max + half];
          },
        },
        y: {
          range: (_u, min, max) => {
            const lo = zero ? Math.min(0, min ?? 0) : (min ?? 0);
            let hi = yMax ?? (max ?? 0);
            if (!(hi > lo)) hi = lo + 1;
            return [lo, yMax ?? hi * 1.1];
          },
        },
      },
      axes: [
        { stroke: axisColor, space: 80, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 }, font: '11px system-ui, sans-serif' },
        { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { show: false }, values: fmtAxis, size: 60, font: '11px system-ui, sans-serif' },
      ],
      series: [
        { label: 'Time', value: (_u, v) => (v == null ? '—' : new Date(v * 1000).toLocaleString('en-GB', { month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit' })) },
        ...series.map((s): uPlot.Series => {
          const c = cssVar(s.color);
          const base: uPlot.Series = {
            label: s.label,
            stroke: c,
            width: 2,
            value: (_u, v) => format(v),
            spanGaps: false,
            // A value between two gaps cannot be drawn as a line: show it as a point.
            points: { show: false, size: 6, fill: c, filter: (u, si) => { const idx = isolatedPoints(u.data[si] as Array<number | null>); return idx.length ? idx : null; } },
            show: true,
          };
          if (s.hidden) return { ...base, width: 0, stroke: 'transparent', points: { show: false } };
          if (s.kind === 'bars') return { ...base, fill: withAlpha(c, 0.55), width: 0, paths: uPlot.paths.bars!({ size: [0.7, 24] }) };
          if (s.kind === 'area') return { ...base, fill: withAlpha(c, 0.12) };
          if (s.dash) return { ...base, dash: s.dash };
          return base;
        }),
      ],
      bands: band ? [{ series: [band.upper + 1, band.lower + 1], fill: withAlpha(cssVar(band.color), 0.18) }] : undefined,
    };
    const data = [x, ...series.map((s) => s.values)] as uPlot.AlignedData;
    const u = new uPlot(opts, data, el);
    plot.current = u;
    // Hide band edges from the legend.
    series.forEach((s, i) => {
      if (s.hidden) {
        const row = u.root.querySelectorAll('.u-legend .u-series')[i + 1] as HTMLElement | undefined;
        if (row) row.style.display = 'none';
      }
    });
    const ro = new ResizeObserver(() => {
      const w = el.clientWidth;
      if (w > 0 && Math.abs(w - u.width) > 1) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
    // Rebuilt when the shape changes; data changes go through setData below.
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  const visible = series.filter((s) => !s.hidden);
  const auto =
    summary ??
    visible
      .map((s) => {
        const vals = s.values.filter((v): v is number => typeof v === 'number');
        return vals.length ? `${s.label}: latest ${format(vals[vals.length - 1]!)}, max ${format(Math.max(...vals))}` : `${s.label}: no data`;
      })
      .join('. ');
  return (
    <figure className="chart" aria-label={title}>
      <figcaption className="chart-title">{title}</figcaption>
      <div ref={box} className="chart-canvas" data-chart={title} aria-hidden="true" />
      <p className="sr-only">{auto}</p>
    </figure>
  );
}
