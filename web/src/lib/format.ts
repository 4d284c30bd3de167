// Number, money, duration and time formatting used across the pages. Pure.

export const RANGES = ['15m', '1h', '6h', '24h', '7d', '30d'] as const;
export type Range = (typeof RANGES)[number];
export const RANGE_MS: Record<Range, number> = { '15m': 900_000, '1h': 3_600_000, '6h': 21_600_000, '24h': 86_400_000, '7d': 604_800_000, '30d': 2_592_000_000 };
export const RANGE_LABEL: Record<Range, string> = { '15m': 'Last 15 minutes', '1h': 'Last hour', '6h': 'Last 6 hours', '24h': 'Last 24 hours', '7d': 'Last 7 days', '30d': 'Last 30 days' };

/** Time-series bucket for a range: at most a few hundred points. */
export function bucketFor(r: Range): 'minute' | 'hour' | 'day' {
  if (r === '15m' || r === '1h' || r === '6h') return 'minute';
  if (r === '24h' || r === '7d') return 'hour';
  return 'day';
}

export const isRange = (s: unknown): s is Range => typeof s === 'string' && (RANGES as readonly string[]).includes(s);

// Intl formatters are costly to build: one per option set, reused (the traces table formats
// hundreds of cells per second while scrolling).
const nfCache = new Map<number, Intl.NumberFormat>();
const nf = (d: number) => {
  let f = nfCache.get(d);
  if (!f) nfCache.set(d, (f = new Intl.NumberFormat('en-US', { maximumFractionDigits: d })));
  return f;
};
const INT = new Intl.NumberFormat('en-US');
const MONEY = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const DATE_TIME = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });

export function num(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a >= 1e9) return `${nf(digits).format(n / 1e9)}B`;
  if (a >= 1e6) return `${nf(digits).format(n / 1e6)}M`;
  if (a >= 1e4) return `${nf(digits).format(n / 1e3)}k`;
  return nf(a < 10 && !Number.isInteger(n) ? 2 : digits).format(n);
}

export function int(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return INT.format(Math.round(n));
}

export function usd(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const a = Math.abs(n);
  if (a === 0) return '$0.00';
  if (a < 0.01) return `$${n.toPrecision(2)}`;
  if (a < 1) return `$${n.toFixed(4).replace(/0{1,2}$/, '')}`;
  return `$${MONEY.format(n)}`;
}

export function pct(n: number | null | undefined, digits = 1): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return `${(n * 100).toFixed(digits)}%`;
}

export function ms(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n >= 60_000) return `${(n / 60_000).toFixed(1)} min`;
  if (n >= 1000) return `${(n / 1000).toFixed(n >= 10_000 ? 1 : 2)} s`;
  if (n >= 10) return `${Math.round(n)} ms`;
  return `${n.toFixed(1)} ms`;
}

/** "3 min ago", "2 h ago", or a date for older times. */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '—';
  const s = Math.round((now - t) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return dateTime(iso);
}

export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return DATE_TIME.format(d);
}

export function timeOnly(iso: string): string {
  return TIME.format(new Date(iso));
}

export function truncate(s: string | null | undefined, n: number): string {
  if (!s) return '';
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}
