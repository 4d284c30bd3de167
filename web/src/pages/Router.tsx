// Router: what the router learned per model and task type (a cost × quality scatter with the Pareto
// frontier per task type), and each model's share of routed traffic per day (traces whose
// metadata records `aether.route`).
import { useMemo, useState } from 'react';
import { api } from '../api';
import { Card, Empty, ErrorBanner, numCol, PageHeader, Spinner, TableHead } from '../components/ui';
import { int, pct } from '../lib/format';
import { useApp, useAsync } from '../state';

interface CatalogRow {
  model: string;
  task_type: string;
  calls: number;
  errorRate: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  quality: { mean: number | null; sd: number | null; count: number };
  price: { input: number; output: number } | null;
}
interface TrafficRow {
  day: string;
  model: string;
  policy: string;
  task_type: string;
  traces: number;
}

// A reference request for the cost axis: 1,000 tokens in, 250 out.
const costOf = (p: { input: number; output: number }) => 1000 * p.input + 250 * p.output;

interface Point {
  model: string;
  cost: number;
  quality: number;
  sd: number;
  count: number;
  frontier: boolean;
}

function frontierPoints(rows: CatalogRow[]): Point[] {
  const pts = rows
    .filter((r) => r.price && r.quality.mean !== null)
    .map((r) => ({ model: r.model, cost: costOf(r.price!), quality: r.quality.mean!, sd: r.quality.sd ?? 0, count: r.quality.count, frontier: false }));
  for (const p of pts) p.frontier = !pts.some((q) => q !== p && q.cost <= p.cost && q.quality >= p.quality && (q.cost < p.cost || q.quality > p.quality));
  return pts;
}

function Scatter({ points }: { points: Point[] }) {
  const W = 560;
  const H = 260;
  const pad = 44;
  const logs = points.map((p) => Math.log10(Math.max(p.cost, 1e-9)));
  const lo = Math.min(...logs) - 0.2;
  const hi = Math.max(...logs) + 0.2;
  const x = (c: number) => pad + ((Math.log10(Math.max(c, 1e-9)) - lo) / (hi - lo || 1)) * (W - 2 * pad);
  const y = (q: number) => H - pad - q * (H - 2 * pad);
  const front = points.filter((p) => p.frontier).sort((a, b) => a.cost - b.cost);
  return (
    <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label="Cost versus quality per model; the Pareto frontier is the line">
      <line x1={pad} y1={H - pad} x2={W - pad} y2={H - pad} stroke="currentColor" opacity={0.4} />
      <line x1={pad} y1={pad} x2={pad} y2={H - pad} stroke="currentColor" opacity={0.4} />
      <text x={W / 2} y={H - 8} textAnchor="middle" fontSize="11">cost of a 1k-in/250-out call (log)</text>
      <text x={12} y={H / 2} fontSize="11" transform={`rotate(-90 12 ${H / 2})`} textAnchor="middle">quality</text>
      {[0, 0.5, 1].map((q) => (
        <text key={q} x={pad - 6} y={y(q) + 4} fontSize="10" textAnchor="end">{q}</text>
      ))}
      <polyline fill="none" stroke="var(--c2, #2a9d8f)" strokeWidth={2} points={front.map((p) => `${x(p.cost)},${y(p.quality)}`).join(' ')} />
      {points.map((p) => (
        <g key={p.model}>
          <line x1={x(p.cost)} x2={x(p.cost)} y1={y(Math.max(0, p.quality - p.sd))} y2={y(Math.min(1, p.quality + p.sd))} stroke="currentColor" opacity={0.3} />
          <circle cx={x(p.cost)} cy={y(p.quality)} r={5} fill={p.frontier ? 'var(--c2, #2a9d8f)' : 'var(--c1, #888)'}>
            <title>{`${p.model}: quality ${p.quality.toFixed(3)} ± ${p.sd.toFixed(3)} (${p.count} scores), $${p.cost.toPrecision(3)}`}</title>
          </circle>
          <text x={x(p.cost) + 7} y={y(p.quality) - 6} fontSize="10">{p.model}</text>
        </g>
      ))}
    </svg>
  );
}

export function Router() {
  const { tick } = useApp();
  const catalog = useAsync((signal) => api.get<{ data: CatalogRow[] }>('/api/v1/router/catalog', undefined, signal), [tick]);
  const traffic = useAsync((signal) => api.get<{ data: TrafficRow[] }>('/api/v1/router/traffic', { days: 14 }, signal), [tick]);
  const rows = catalog.data?.data ?? [];
  const tasks = useMemo(() => [...new Set(rows.map((r) => r.task_type))].sort((a, b) => (a === '*' ? -1 : b === '*' ? 1 : a.localeCompare(b))), [rows]);
  const [task, setTask] = useState('*');
  const points = useMemo(() => frontierPoints(rows.filter((r) => r.task_type === task)), [rows, task]);
  const shares = useMemo(() => {
    const byDay = new Map<string, Map<string, number>>();
    for (const t of traffic.data?.data ?? []) {
      const d = byDay.get(t.day) ?? new Map<string, number>();
      d.set(t.model, (d.get(t.model) ?? 0) + t.traces);
      byDay.set(t.day, d);
    }
    return [...byDay.entries()].map(([day, m]) => ({ day, total: [...m.values()].reduce((a, b) => a + b, 0), models: [...m.entries()].sort((a, b) => b[1] - a[1]) }));
  }, [traffic.data]);
  return (
    <div className="page">
      <PageHeader title="Router" subtitle="What `model: auto` learned from traces, evaluations and feedback, and where it sent traffic" />
      <Card title="Cost and quality per model">
        <ErrorBanner error={catalog.error} />
        {catalog.loading && !catalog.data ? <Spinner /> : null}
        {tasks.length > 0 ? (
          <label>
            Task type{' '}
            <select value={task} onChange={(e) => setTask(e.target.value)}>
              {tasks.map((t) => (
                <option key={t} value={t}>{t === '*' ? 'all task types' : t}</option>
              ))}
            </select>
          </label>
        ) : null}
        {points.length ? <Scatter points={points} /> : catalog.data ? <Empty title="Nothing learned yet">Send feedback (POST /api/v1/traces/{'{id}'}/feedback) or enable evaluations; priced models with quality scores appear here.</Empty> : null}
        {rows.length ? (
          <table className="table">
            <TableHead columns={[{ label: 'Model' }, numCol('Calls'), numCol('Error rate'), numCol('p50 ms'), numCol('p95 ms'), numCol('Quality'), numCol('± sd'), numCol('Scores'), { label: 'Frontier' }]} />
            <tbody>
              {rows
                .filter((r) => r.task_type === task)
                .map((r) => (
                  <tr key={r.model}>
                    <td>{r.model}</td>
                    <td className="num">{int(Math.round(r.calls))}</td>
                    <td className="num">{pct(r.errorRate)}</td>
                    <td className="num">{r.latencyP50Ms === null ? '—' : int(Math.round(r.latencyP50Ms))}</td>
                    <td className="num">{r.latencyP95Ms === null ? '—' : int(Math.round(r.latencyP95Ms))}</td>
                    <td className="num">{r.quality.mean === null ? '—' : r.quality.mean.toFixed(3)}</td>
                    <td className="num">{r.quality.sd === null ? '—' : r.quality.sd.toFixed(3)}</td>
                    <td className="num">{int(r.quality.count)}</td>
                    <td>{points.find((p) => p.model === r.model)?.frontier ? 'yes' : ''}</td>
                  </tr>
                ))}
            </tbody>
          </table>
        ) : null}
      </Card>
      <Card title="Routed traffic per day (share of traces by chosen model)">
        <ErrorBanner error={traffic.error} />
        {shares.length === 0 && traffic.data ? <Empty title="No routed traces yet">Traces whose metadata has aether.route appear here.</Empty> : null}
        {shares.map((d) => (
          <div key={d.day} className="router-share">
            <strong>{d.day}</strong> ({int(d.total)} traces):{' '}
            {d.models.map(([m, n]) => `${m} ${pct(n / d.total)}`).join(' · ')}
          </div>
        ))}
      </Card>
    </div>
  );
}
