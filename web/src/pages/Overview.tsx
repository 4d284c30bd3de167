// Overview: summary tiles and charts of volume, latency, errors, cost and hallucinations over the
// selected range, what needs attention, and a first-trace guide for a project with no data.
import { useMemo } from 'react';
import { api } from '../api';
import { Chart, type ChartSeries } from '../components/Chart';
import { Badge, Card, CodeBlock, Empty, ErrorBanner, PageHeader, Spinner, Tile } from '../components/ui';
import { ago, bucketFor, int, ms, num, pct, RANGE_LABEL, truncate, usd } from '../lib/format';
import { firstTraceCurl } from '../lib/first-trace';
import { Link } from '../router';
import { useApp, useAsync } from '../state';
import type { Alert, Evaluation, Page, Summary, TimeSeries, Trace } from '../types';

export function FirstTrace({ projectId }: { projectId: string }) {
  return (
    <Empty title="No traces yet: send your first one" icon="✦">
      <ol className="steps">
        <li>
          Create an API key for this project in <Link to="/settings#keys">Settings → API keys</Link> and export it: <code>export AETHER_API_KEY=ae_…</code>
        </li>
        <li>Send a trace (from your app, an SDK, the gateway at <code>/v1/chat/completions</code>, or this curl):</li>
      </ol>
      <CodeBlock label="curl command to send a first trace" code={firstTraceCurl(window.location.origin, projectId)} />
      <p className="muted">
        Within a second it shows up here and under <Link to="/traces">Traces</Link>, scored for faithfulness and hallucinations.
      </p>
    </Empty>
  );
}

const secs = (iso: string) => Date.parse(iso) / 1000;

export function Overview() {
  const { range, tick, projectId } = useApp();
  const bucket = bucketFor(range);
  const summary = useAsync((signal) => api.get<Summary>('/api/v1/metrics/summary', { window: range }, signal), [range, tick], projectId ?? '');
  const series = useAsync((signal) => api.get<TimeSeries>('/api/v1/metrics/timeseries', { window: range, bucket }, signal), [range, bucket, tick], projectId ?? '');
  const anyTrace = useAsync((signal) => api.get<Page<Trace>>('/api/v1/traces', { limit: 1 }, signal), [tick]);
  const alerts = useAsync((signal) => api.get<Page<Alert>>('/api/v1/alerts', { status: 'open', limit: 5 }, signal), [tick]);
  const hallucinated = useAsync((signal) => api.get<Page<Evaluation>>('/api/v1/evaluations', { metric: 'hallucination', label: 'hallucinated', limit: 6 }, signal), [tick]);

  const pts = useMemo(() => series.data?.points ?? [], [series.data]);
  const x = useMemo(() => pts.map((p) => secs(p.t)), [pts]);
  const charts = useMemo(() => {
    const s = (label: string, color: string, pick: (p: (typeof pts)[number]) => number | null, kind?: ChartSeries['kind']): ChartSeries => ({ label, color, values: pts.map(pick), kind });
    return {
      volume: [s('Traces', '--c1', (p) => p.traces, 'bars'), s('Errors', '--bad', (p) => p.errors, 'bars')],
      latency: [s('p95', '--c2', (p) => p.latency_p95_ms, 'area'), s('p50', '--c1', (p) => p.latency_p50_ms)],
      errors: [s('Error rate', '--bad', (p) => p.error_rate, 'area')],
      cost: [s('Cost', '--c3', (p) => p.cost_usd, 'area')],
      hallucination: [s('Hallucination rate', '--c4', (p) => p.hallucination_rate, 'area')],
    };
  }, [pts]);

  const sm = summary.data;
  const noTraceEver = anyTrace.data && anyTrace.data.data.length === 0;
  const loading = !sm && !summary.error;

  return (
    <div className="page">
      <PageHeader title="Overview" subtitle={`${RANGE_LABEL[range]} · ${bucket === 'minute' ? 'per minute' : bucket === 'hour' ? 'per hour' : 'per day'}`} />
      <ErrorBanner error={summary.error ?? series.error} onRetry={() => { summary.reload(); series.reload(); }} />
      {noTraceEver && projectId ? <FirstTrace projectId={projectId} /> : null}
      {loading ? <Spinner /> : null}
      {sm && !noTraceEver ? (
        <div className="tiles" aria-label="Summary">
          <Tile label="Traces" value={int(sm.traces)} hint={`${num(sm.throughput_per_min)} / min`} />
          <Tile label="p95 latency" value={ms(sm.latency_ms.p95)} hint={`p50 ${ms(sm.latency_ms.p50)} · p99 ${ms(sm.latency_ms.p99)}`} />
          <Tile label="Error rate" value={pct(sm.error_rate)} hint={`${int(sm.errors)} errors`} tone={sm.error_rate !== null && sm.error_rate > 0.05 ? 'bad' : undefined} />
          <Tile label="Cost" value={usd(sm.llm_cost_usd + sm.evaluation_cost_usd)} hint={`LLM ${usd(sm.llm_cost_usd)} · evals ${usd(sm.evaluation_cost_usd)}`} />
          <Tile
            label="Hallucination rate"
            value={pct(sm.hallucination_rate)}
            hint={sm.evaluated_traces ? `${int(sm.evaluated_traces)} evaluated · faithfulness ${num(sm.mean_faithfulness)}` : 'no evaluations yet'}
            tone={sm.hallucination_rate !== null && sm.hallucination_rate > 0.1 ? 'bad' : undefined}
          />
          <Tile label="Tokens" value={num(sm.tokens)} hint={`${num(sm.input_tokens)} in · ${num(sm.output_tokens)} out`} />
        </div>
      ) : null}
      {series.data && sm && sm.traces === 0 && !noTraceEver ? (
        <Empty title={`No traces in the ${RANGE_LABEL[range].toLowerCase()}`}>
          <p>Pick a longer time range above, or send traffic to this project.</p>
        </Empty>
      ) : null}
      {series.data && pts.length > 0 && sm && sm.traces > 0 ? (
        <div className="chart-grid">
          <Card title="Volume">
            <Chart title="Traces and errors over time" x={x} series={charts.volume} format={(v) => num(v)} />
          </Card>
          <Card title="Latency">
            <Chart title="Latency p50 and p95 over time" x={x} series={charts.latency} format={(v) => ms(v)} />
          </Card>
          <Card title="Error rate">
            <Chart title="Error rate over time" x={x} series={charts.errors} format={(v) => pct(v, 0)} />
          </Card>
          <Card title="Cost">
            <Chart title="LLM cost over time" x={x} series={charts.cost} format={(v) => usd(v)} />
          </Card>
          <Card title="Hallucination rate" className="span-2">
            <Chart title="Hallucination rate over time" x={x} series={charts.hallucination} format={(v) => pct(v, 0)} yMax={1} />
          </Card>
        </div>
      ) : null}
      {sm && sm.traces > 0 ? (
        <div className="two-col">
          <Card title="Open alerts" actions={<Link to="/alerts">All alerts →</Link>}>
            {alerts.data && alerts.data.data.length === 0 ? <p className="muted">No open alerts. Rules are set under Alerts.</p> : null}
            <ul className="list">
              {alerts.data?.data.map((a) => (
                <li key={a.id}>
                  <Link to={`/alerts/${a.id}`}>
                    <Badge tone={a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'info'}>{a.severity}</Badge> {a.title}
                  </Link>
                  <span className="muted"> · {ago(a.created_at)}</span>
                </li>
              ))}
            </ul>
          </Card>
          <Card title="Recent hallucinations" actions={<Link to="/traces">All traces →</Link>}>
            {hallucinated.data && hallucinated.data.data.length === 0 ? <p className="muted">No hallucinated answers found by the evaluator.</p> : null}
            <ul className="list">
              {hallucinated.data?.data.map((e) => (
                <li key={e.id}>
                  <Link to={`/traces/${encodeURIComponent(e.trace_id)}`}>
                    <Badge tone="bad">hallucinated</Badge> {truncate(e.reason ?? e.trace_id, 80)}
                  </Link>
                  <span className="muted"> · {ago(e.created_at)}</span>
                </li>
              ))}
            </ul>
          </Card>
        </div>
      ) : null}
    </div>
  );
}
