// Monitors: each monitor's status, its last runs (seen, sampled, scored, duplicates, cost) and each
// metric's trend over runs. Monitors are defined in YAML (docs/monitors.md) and stored via the API
// or run from files by `aether monitor run`.
import { useState } from 'react';
import { api } from '../api';
import { Chart } from '../components/Chart';
import { Badge, Card, Empty, ErrorBanner, PageHeader, Spinner, TableHead, numCol } from '../components/ui';
import { ago, dateTime, int, ms, num, usd } from '../lib/format';
import { useApp, useAsync } from '../state';

interface MonitorRow {
  id: string;
  name: string;
  origin: 'api' | 'file';
  enabled: boolean;
  status: string;
  metric_status: Record<string, string>;
  last_run_at: string | null;
  next_run_at: string | null;
  spec: { source: { type: string }; sampling: { strategy: string }; metrics: Array<{ name: string }> };
}

interface RunRow {
  id: string;
  trigger: string;
  status: string;
  items_seen: number;
  sampled: number;
  scored: number;
  skipped_duplicates: number;
  failed: number;
  cost_usd: number;
  duration_ms: number | null;
  errors: string[];
  aggregates: Record<string, { value: number | null; n: number }>;
  metric_status: Record<string, string>;
  started_at: string;
}

const tone = (s: string) => (s === 'ALERT' ? 'bad' : s === 'WARNING' ? 'warn' : s === 'OK' ? 'good' : 'neutral');
const COLORS = ['--c1', '--c2', '--c3', '--c4', '--c5'];

export function Monitors() {
  const { tick } = useApp();
  const list = useAsync((signal) => api.get<{ data: MonitorRow[] }>('/api/v1/monitors', undefined, signal), [tick]);
  const [selected, setSelected] = useState<string | null>(null);
  const rows = list.data?.data ?? [];
  const current = rows.find((m) => m.id === selected) ?? rows[0];
  return (
    <div className="page">
      <PageHeader title="Monitors" subtitle="Scheduled evaluations over a slice of your data; status changes go to the alert channels." />
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {list.loading && !list.data ? (
        <Spinner />
      ) : rows.length === 0 ? (
        <Empty title="No monitors yet">Write a monitor file and run it with <code>aether monitor run FILE</code>, or POST it to <code>/api/v1/monitors</code> (see docs/monitors.md).</Empty>
      ) : (
        <>
          <Card title="Monitors">
            <table className="table">
              <TableHead columns={['Status', 'Monitor', 'Source', 'Metrics', 'Last run', 'Next run']} />
              <tbody>
                {rows.map((m) => (
                  <tr key={m.id} className={current?.id === m.id ? 'selected' : ''}>
                    <td><Badge tone={tone(m.status)}>{m.status}</Badge></td>
                    <td>
                      <button type="button" className="btn-link" onClick={() => setSelected(m.id)} aria-pressed={current?.id === m.id}>{m.name}</button>
                      {m.origin === 'file' ? <span className="muted"> (file)</span> : null}
                    </td>
                    <td>{m.spec.source.type} · {m.spec.sampling.strategy}</td>
                    <td>{m.spec.metrics.map((x) => `${x.name}${m.metric_status[x.name] ? ` ${m.metric_status[x.name]}` : ''}`).join(', ')}</td>
                    <td title={dateTime(m.last_run_at)}>{m.last_run_at ? ago(m.last_run_at) : 'never'}</td>
                    <td>{m.next_run_at ? dateTime(m.next_run_at) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
          {current ? <MonitorRuns key={current.id} monitor={current} /> : null}
        </>
      )}
    </div>
  );
}

function MonitorRuns({ monitor }: { monitor: MonitorRow }) {
  const { tick } = useApp();
  const runs = useAsync((signal) => api.get<{ data: RunRow[] }>(`/api/v1/monitors/${encodeURIComponent(monitor.id)}/runs`, { limit: 100 }, signal), [monitor.id, tick]);
  const data = runs.data?.data ?? [];
  const chrono = [...data].reverse().filter((r) => r.scored > 0);
  const metrics = monitor.spec.metrics.map((m) => m.name);
  return (
    <>
      <ErrorBanner error={runs.error} onRetry={runs.reload} />
      {chrono.length > 1 ? (
        <Card title={`${monitor.name}: metric trend`}>
          <Chart
            title={`${monitor.name} metric aggregates per run`}
            x={chrono.reduce<number[]>((xs, r) => [...xs, Math.max(new Date(r.started_at).getTime() / 1000, (xs[xs.length - 1] ?? 0) + 0.001)], [])}
            series={metrics.map((m, i) => ({ label: m, values: chrono.map((r) => r.aggregates[m]?.value ?? null), color: COLORS[i % COLORS.length]!, kind: 'line' as const }))}
            format={(v) => num(v, 3)}
            summary={metrics.map((m) => `${m}: latest ${num(chrono[chrono.length - 1]?.aggregates[m]?.value ?? null, 3)}`).join('; ')}
          />
        </Card>
      ) : null}
      <Card title={`${monitor.name}: last runs`}>
        {runs.loading && !runs.data ? (
          <Spinner />
        ) : data.length === 0 ? (
          <Empty title="No runs yet" />
        ) : (
          <table className="table">
            <TableHead columns={['Started', 'Trigger', 'Run', numCol('Seen'), numCol('Sampled'), numCol('Scored'), numCol('Duplicates'), numCol('Failed'), numCol('Cost'), numCol('Duration'), 'Metrics']} />
            <tbody>
              {data.slice(0, 20).map((r) => (
                <tr key={r.id}>
                  <td title={dateTime(r.started_at)}>{ago(r.started_at)}</td>
                  <td>{r.trigger}</td>
                  <td><Badge tone={r.status === 'ok' ? 'good' : r.status === 'failed' ? 'bad' : 'warn'} title={r.errors.slice(0, 5).join('\n')}>{r.status}</Badge></td>
                  <td className="num">{int(r.items_seen)}</td>
                  <td className="num">{int(r.sampled)}</td>
                  <td className="num">{int(r.scored)}</td>
                  <td className="num">{int(r.skipped_duplicates)}</td>
                  <td className="num">{int(r.failed)}</td>
                  <td className="num">{usd(r.cost_usd)}</td>
                  <td className="num">{ms(r.duration_ms)}</td>
                  <td>
                    {Object.entries(r.aggregates).map(([m, a]) => (
                      <span key={m} className="muted">
                        {m} {num(a.value, 3)} (n={a.n}){r.metric_status[m] ? <> <Badge tone={tone(r.metric_status[m]!)}>{r.metric_status[m]}</Badge></> : null}{' '}
                      </span>
                    ))}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </>
  );
}
