// Experiments: the list with lifecycle actions, and per experiment a per-variant table with
// always-valid intervals against the control and the running decision.
import { useState } from 'react';
import { api, errorMessage } from '../api';
import { Badge, Card, Empty, ErrorBanner, Notice, PageHeader, Spinner, TableHead, numCol } from '../components/ui';
import { ago, ms, pct, usd } from '../lib/format';
import { Link } from '../router';
import { useApp, useAsync } from '../state';

interface Experiment {
  id: string;
  name: string;
  status: string;
  prompt_name: string | null;
  unit: string;
  variants: Array<{ name: string; weight: number; prompt_version?: number; model?: string }>;
  winner: string | null;
  created_at: string;
}
interface Cmp {
  diff: number;
  ci: [number, number];
  significant: boolean;
}
interface Results {
  experiment: Experiment;
  control: string;
  method: { name: string; alpha: number };
  variants: Array<{
    name: string;
    n: number;
    success_rate: number | null;
    error_rate: number | null;
    hallucination_rate: number | null;
    latency_p50_ms: number | null;
    latency_p95_ms: number | null;
    cost_per_request_usd: number | null;
    vs_control: { success: Cmp; errors: Cmp; hallucinations: Cmp } | null;
  }>;
  decision: { state: string; winner: string | null; stopped: string[]; reason: string };
}

const TONE: Record<string, 'good' | 'warn' | 'neutral' | 'info'> = { running: 'info', paused: 'warn', completed: 'good', draft: 'neutral' };
const pts = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}`;
const interval = (c: Cmp) => (Number.isFinite(c.ci[0]) ? `${pts(c.diff)} [${pts(c.ci[0])}, ${pts(c.ci[1])}] pts` : '—');

export function Experiments() {
  const { tick } = useApp();
  const list = useAsync((signal) => api.get<{ data: Experiment[] }>('/api/v1/experiments', undefined, signal), [tick]);
  const items = list.data?.data ?? [];
  return (
    <div className="page">
      <PageHeader title="Experiments" subtitle={<>A/B tests between prompt versions, models and parameters. <Link to="/prompts">Prompts</Link></>} />
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.data && !list.error ? <Spinner /> : null}
      {list.data && !items.length ? <Empty title="No experiments yet">Create one with POST /api/v1/experiments.</Empty> : null}
      {items.length ? (
        <Card>
          <table className="table">
            <TableHead columns={['Name', 'Status', 'Prompt', 'Variants', 'Winner', 'Created']} />
            <tbody>
              {items.map((e) => (
                <tr key={e.id}>
                  <th scope="row" className="cell-text">
                    <Link to={`/experiments/${encodeURIComponent(e.id)}`}>{e.name}</Link>
                  </th>
                  <td>
                    <Badge tone={TONE[e.status] ?? 'neutral'}>{e.status}</Badge>
                  </td>
                  <td>{e.prompt_name ?? '—'}</td>
                  <td>{e.variants.map((v) => v.name).join(', ')}</td>
                  <td>{e.winner ?? '—'}</td>
                  <td>{ago(e.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}
    </div>
  );
}

export function ExperimentDetail({ id }: { id: string }) {
  const { tick, canEdit } = useApp();
  const [n, setN] = useState(0);
  const [msg, setMsg] = useState<string | null>(null);
  const r = useAsync((signal) => api.get<Results>(`/api/v1/experiments/${encodeURIComponent(id)}/results`, undefined, signal), [tick, n, id]);
  const act = async (action: 'start' | 'pause' | 'complete') => {
    try {
      await api.post(`/api/v1/experiments/${encodeURIComponent(id)}/${action}`);
      setN(n + 1);
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  const e = r.data?.experiment;
  return (
    <div className="page">
      <PageHeader
        title={e?.name ?? 'Experiment'}
        subtitle={<Link to="/experiments">← all experiments</Link>}
        actions={
          e && canEdit ? (
            <div className="row">
              {e.status === 'draft' || e.status === 'paused' ? <button type="button" className="btn btn-primary" onClick={() => void act('start')}>Start</button> : null}
              {e.status === 'running' ? <button type="button" className="btn" onClick={() => void act('pause')}>Pause</button> : null}
              {e.status === 'running' || e.status === 'paused' ? <button type="button" className="btn" onClick={() => void act('complete')}>Complete</button> : null}
            </div>
          ) : null
        }
      />
      {msg ? <Notice tone="warn">{msg}</Notice> : null}
      <ErrorBanner error={r.error} onRetry={r.reload} />
      {!r.data && !r.error ? <Spinner /> : null}
      {r.data ? (
        <>
          <Notice tone={r.data.decision.state === 'winner' ? 'success' : r.data.decision.state === 'guardrail' ? 'warn' : 'info'}>
            <strong>{r.data.decision.state}</strong>: {r.data.decision.reason}
            {r.data.decision.stopped.length ? ` · stopped: ${r.data.decision.stopped.join(', ')}` : ''}
          </Notice>
          <Card title="Variants" actions={<span className="muted small">{`${r.data.method.name}, α = ${r.data.method.alpha}; differences vs ${r.data.control}`}</span>}>
            <div className="table-scroll">
              <table className="table compact">
                <TableHead columns={['Variant', numCol('Requests'), numCol('Success'), 'Δ success vs control', numCol('Errors'), numCol('Hallucinations'), numCol('p50'), numCol('p95'), numCol('Cost / request')]} />
                <tbody>
                  {r.data.variants.map((v) => (
                    <tr key={v.name}>
                      <th scope="row">
                        {v.name} {v.name === r.data!.control ? <Badge>control</Badge> : null} {r.data!.decision.winner === v.name ? <Badge tone="good">winner</Badge> : null}
                      </th>
                      <td className="num">{v.n}</td>
                      <td className="num">{pct(v.success_rate)}</td>
                      <td>{v.vs_control ? <span className={v.vs_control.success.significant ? 'strong' : undefined}>{interval(v.vs_control.success)}</span> : '—'}</td>
                      <td className="num">{pct(v.error_rate)}</td>
                      <td className="num">{pct(v.hallucination_rate)}</td>
                      <td className="num">{ms(v.latency_p50_ms)}</td>
                      <td className="num">{ms(v.latency_p95_ms)}</td>
                      <td className="num">{usd(v.cost_per_request_usd)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      ) : null}
    </div>
  );
}
