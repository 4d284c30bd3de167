// Costs: spend by model, user and tag; budgets with progress; the forecast with its interval band;
// savings found in the data.
import { useMemo, useState, type FormEvent } from 'react';
import { api, ApiError, download, errorMessage } from '../api';
import { Chart, type ChartSeries } from '../components/Chart';
import { Badge, Bar, Card, Empty, ErrorBanner, Notice, numCol, PageHeader, Progress, Select, Spinner, TableHead, TextInput, Tile } from '../components/ui';
import { int, ms, pct, RANGE_LABEL, usd } from '../lib/format';
import { useApp, useAsync } from '../state';
import type { Breakdown, BudgetStatus, Forecast, Recommendation, Summary, TimeSeries } from '../types';
import { UnpricedModels } from './UnpricedModels';
import { forecastPending } from '../lib/forecast-note';

export function Costs() {
  const { range, tick } = useApp();
  const summary = useAsync((signal) => api.get<Summary>('/api/v1/metrics/summary', { window: range }, signal), [range, tick]);
  const s = summary.data;
  const [exportError, setExportError] = useState<string | null>(null);
  return (
    <div className="page">
      <PageHeader
        title="Costs"
        subtitle={RANGE_LABEL[range]}
        actions={
          <button type="button" className="btn btn-small" onClick={() => download('/api/v1/export/costs', { format: 'csv', by: 'day' }, 'costs-by-day.csv').catch((e: unknown) => setExportError(errorMessage(e)))}>
            Export CSV
          </button>
        }
      />
      <ErrorBanner error={summary.error ?? exportError} />
      {s ? (
        <div className="tiles">
          <Tile label="Total spend" value={usd(s.llm_cost_usd + s.evaluation_cost_usd)} hint={RANGE_LABEL[range]} />
          <Tile label="LLM spend" value={usd(s.llm_cost_usd)} hint={`${int(s.traces)} requests`} />
          <Tile label="Evaluation spend" value={usd(s.evaluation_cost_usd)} hint="LLM-judge calls" />
          <Tile label="Cost per request" value={usd(s.traces ? s.llm_cost_usd / s.traces : null)} hint={`${int(s.tokens)} tokens`} />
        </div>
      ) : null}
      <ForecastCard />
      <div className="breakdowns">
        <BreakdownCard by="model" title="By model" />
        <BreakdownCard by="user" title="By user" />
        <BreakdownCard by="tag" title="By tag" />
      </div>
      <UnpricedModels />
      <Budgets />
      <Recommendations />
    </div>
  );
}

function BreakdownCard({ by, title }: { by: 'model' | 'user' | 'tag'; title: string }) {
  const { range, tick } = useApp();
  const b = useAsync((signal) => api.get<Breakdown>('/api/v1/metrics/breakdown', { by, window: range, limit: 20 }, signal), [by, range, tick]);
  const items = b.data?.items ?? [];
  // A model without a price costs $0.00 in the rollups; say "unpriced" rather than show it as free.
  const unpriced = useAsync((signal) => (by === 'model' ? api.get<{ data: Array<{ model: string }> }>('/api/v1/costs/unpriced', { window: '30d' }, signal) : Promise.resolve({ data: [] })), [by, tick]);
  const noPrice = new Set((unpriced.data?.data ?? []).map((u) => u.model));
  const max = Math.max(0, ...items.map((i) => i.cost_usd));
  const total = items.reduce((a, i) => a + i.cost_usd, 0);
  return (
    <Card title={title} actions={b.data && b.data.total_keys > items.length ? <span className="muted small">top {items.length} of {b.data.total_keys}</span> : null}>
      <ErrorBanner error={b.error} />
      {!b.data && !b.error ? <Spinner /> : null}
      {b.data && items.length === 0 ? (
        <p className="muted small">
          No {by === 'user' ? 'user ids' : by === 'tag' ? 'tags' : 'models'} in this range. {by === 'user' ? 'Send user_id with traces (or x-aether-user-id through the gateway).' : by === 'tag' ? 'Send tags[] with traces.' : 'Send model with traces.'}
        </p>
      ) : null}
      {items.length ? (
        <div className="table-scroll">
        <table className="table compact">
          <TableHead columns={[by === 'model' ? 'Model' : by === 'user' ? 'User' : 'Tag', numCol('Requests'), numCol('Cost'), numCol('p95')]} />
          <tbody>
            {items.map((i) => (
              <tr key={i.key}>
                <th scope="row" className="cell-name" title={i.key}>
                  {i.key}
                  <Bar value={i.cost_usd} max={max} />
                </th>
                <td className="num">{int(i.traces)}</td>
                {i.cost_usd === 0 && noPrice.has(i.key) ? (
                  <td className="num muted" title="No price for this model: give it one under Unpriced models">
                    unpriced
                  </td>
                ) : (
                  <td className="num" title={total ? `${pct(i.cost_usd / total)} of the total` : undefined}>
                    {usd(i.cost_usd)}
                  </td>
                )}
                <td className="num">{ms(i.latency_ms.p95)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      ) : null}
    </Card>
  );
}

const day = (d: string) => Date.parse(`${d.slice(0, 10)}T00:00:00Z`) / 1000;

function ForecastCard() {
  const { tick } = useApp();
  const [days, setDays] = useState<7 | 30>(7);
  const f = useAsync((signal) => api.get<Forecast>('/api/v1/costs/forecast', { days }, signal), [days, tick]);
  const hist = useAsync((signal) => api.get<TimeSeries>('/api/v1/metrics/timeseries', { window: '30d', bucket: 'day' }, signal), [tick]);
  const chart = useMemo(() => {
    if (!f.data || !hist.data) return null;
    const h = hist.data.points.map((p) => ({ t: day(p.t), v: p.cost_usd }));
    // History starts at the first day with spend.
    const first = h.findIndex((p) => p.v > 0);
    const past = first < 0 ? [] : h.slice(first);
    const fut = f.data.days.map((d) => ({ t: day(d.date), f: d.forecast, lo: d.lower, hi: d.upper }));
    const x = [...past.map((p) => p.t), ...fut.filter((p) => !past.some((q) => q.t === p.t)).map((p) => p.t)];
    const at = (t: number) => fut.find((p) => p.t === t);
    const lastPast = past[past.length - 1];
    const series: ChartSeries[] = [
      { label: 'Actual', color: '--c1', values: x.map((t) => past.find((p) => p.t === t)?.v ?? null), kind: 'bars' },
      { label: 'Forecast', color: '--c3', values: x.map((t) => at(t)?.f ?? (lastPast && t === lastPast.t ? lastPast.v : null)), dash: [6, 4] },
      { label: 'Upper 95%', color: '--c3', values: x.map((t) => at(t)?.hi ?? (lastPast && t === lastPast.t ? lastPast.v : null)), hidden: true },
      { label: 'Lower 95%', color: '--c3', values: x.map((t) => at(t)?.lo ?? (lastPast && t === lastPast.t ? lastPast.v : null)), hidden: true },
    ];
    return { x, series };
  }, [f.data, hist.data]);
  return (
    <Card
      title="Spend forecast"
      actions={
        <div className="segmented small" role="radiogroup" aria-label="Forecast horizon">
          {([7, 30] as const).map((d) => (
            <button key={d} type="button" role="radio" aria-checked={days === d} className={days === d ? 'active' : ''} onClick={() => setDays(d)}>
              {d} days
            </button>
          ))}
        </div>
      }
    >
      <ErrorBanner error={f.error ?? hist.error} />
      {!chart && !f.error ? <Spinner /> : null}
      {f.data && f.data.history_days === 0 && hist.data ? (
        <p className="muted">{forecastPending(hist.data.points.reduce((s, p) => s + p.cost_usd, 0))}</p>
      ) : null}
      {chart && f.data && f.data.history_days > 0 ? (
        <>
          <p className="forecast-total">
            Next {days} days: <strong>{usd(f.data.total.forecast)}</strong> <span className="muted">(95% interval {usd(f.data.total.lower)} – {usd(f.data.total.upper)})</span>
          </p>
          <Chart title={`Daily spend, last 30 days and the next ${days} days forecast`} x={chart.x} series={chart.series} band={{ upper: 2, lower: 3, color: '--c3' }} format={(v) => usd(v)} height={240} />
          <p className="muted small">
            {f.data.method}; from {f.data.history_days} day{f.data.history_days === 1 ? '' : 's'} of history. The shaded band is the 95% interval.
          </p>
        </>
      ) : null}
    </Card>
  );
}

function Budgets() {
  const { tick, canEdit } = useApp();
  const b = useAsync((signal) => api.get<{ data: BudgetStatus[] }>('/api/v1/budgets', undefined, signal), [tick]);
  const blank = { name: '', scope: 'project', scope_value: '', period: 'monthly', amount_usd: '', action: 'alert', downgrade_model: '' };
  const [form, setForm] = useState(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    if (!form.name.trim()) v.name = 'is required';
    if (form.scope !== 'project' && !form.scope_value.trim()) v.scope_value = `is required for a ${form.scope} budget`;
    const amount = Number(form.amount_usd);
    if (!(amount > 0) || !Number.isFinite(amount)) v.amount_usd = 'must be a positive amount';
    if (form.action === 'downgrade' && !form.downgrade_model.trim()) v.downgrade_model = 'is required to downgrade';
    setErrors(v);
    if (Object.keys(v).length) return;
    try {
      await api.post('/api/v1/budgets', { name: form.name.trim(), scope: form.scope, ...(form.scope !== 'project' ? { scope_value: form.scope_value.trim() } : {}), period: form.period, amount_usd: amount, action: form.action, ...(form.action === 'downgrade' ? { downgrade_model: form.downgrade_model.trim() } : {}) });
      setMsg(`Budget “${form.name.trim()}” created.`);
      setForm(blank);
      setOpen(false);
      b.reload();
    } catch (err) {
      if (err instanceof ApiError && Array.isArray((err.details as { issues?: unknown } | undefined)?.issues)) {
        const fe: Record<string, string> = {};
        for (const i of (err.details as { issues: Array<{ field: string; message: string }> }).issues) fe[i.field] = i.message;
        setErrors(fe);
      }
      setMsg(errorMessage(err));
    }
  };
  const remove = async (id: string, name: string) => {
    if (!window.confirm(`Delete the budget “${name}”?`)) return;
    try {
      await api.del(`/api/v1/budgets/${encodeURIComponent(id)}`);
      b.reload();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  const items = b.data?.data ?? [];
  return (
    <Card
      title="Budgets"
      actions={
        canEdit ? (
          <button type="button" className="btn btn-small" aria-expanded={open} onClick={() => setOpen(!open)}>
            {open ? 'Cancel' : 'New budget'}
          </button>
        ) : null
      }
    >
      {msg ? <Notice>{msg}</Notice> : null}
      <ErrorBanner error={b.error} />
      {open ? (
        <form className="inline-form" onSubmit={submit} noValidate aria-label="New budget">
          <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} />
          <Select label="Scope" value={form.scope} onChange={(e) => setForm({ ...form, scope: e.target.value })}>
            <option value="project">whole project</option>
            <option value="model">one model</option>
            <option value="user">one user</option>
          </Select>
          {form.scope !== 'project' ? <TextInput label={form.scope === 'model' ? 'Model' : 'User id'} value={form.scope_value} onChange={(e) => setForm({ ...form, scope_value: e.target.value })} error={errors.scope_value} /> : null}
          <Select label="Period" value={form.period} onChange={(e) => setForm({ ...form, period: e.target.value })}>
            <option value="daily">daily</option>
            <option value="weekly">weekly</option>
            <option value="monthly">monthly</option>
          </Select>
          <TextInput label="Amount" unit="USD" inputMode="decimal" value={form.amount_usd} onChange={(e) => setForm({ ...form, amount_usd: e.target.value })} error={errors.amount_usd} />
          <Select label="When spent" value={form.action} onChange={(e) => setForm({ ...form, action: e.target.value })}>
            <option value="alert">alert only</option>
            <option value="downgrade">downgrade the model</option>
            <option value="block">block requests</option>
          </Select>
          {form.action === 'downgrade' ? <TextInput label="Cheaper model" value={form.downgrade_model} onChange={(e) => setForm({ ...form, downgrade_model: e.target.value })} error={errors.downgrade_model} /> : null}
          <button type="submit" className="btn btn-primary">
            Create budget
          </button>
        </form>
      ) : null}
      {!b.data && !b.error ? <Spinner /> : null}
      {b.data && items.length === 0 && !open ? (
        <Empty title="No budgets" icon="$">
          <p>Set a daily, weekly or monthly budget for the project, a model or a user to track spend against it here; the gateway can block or downgrade once it is spent.</p>
        </Empty>
      ) : null}
      <ul className="budgets">
        {items.map((s) => (
          <li key={s.budget.id} className="budget">
            <div className="budget-head">
              <strong>{s.budget.name}</strong>
              <span className="muted small">
                {s.budget.period} · {s.budget.scope === 'project' ? 'whole project' : `${s.budget.scope} ${s.budget.scope_value}`}
              </span>
              <Badge tone={s.budget.action === 'alert' ? 'neutral' : 'warn'}>{s.budget.action === 'downgrade' ? `downgrades to ${s.budget.downgrade_model}` : s.budget.action === 'block' ? 'blocks' : 'alerts'}</Badge>
              {s.projected_over ? <Badge tone="warn">projected over</Badge> : null}
              {canEdit ? (
                <button type="button" className="btn-link small budget-delete" onClick={() => remove(s.budget.id, s.budget.name)} aria-label={`Delete budget ${s.budget.name}`}>
                  Delete
                </button>
              ) : null}
            </div>
            <Progress value={s.percent_used ?? 0} label={`${s.budget.name}: ${pct(s.percent_used)} used`} />
            <div className="budget-nums small">
              <span>
                {usd(s.spent_usd)} of {usd(s.budget.amount_usd)} ({pct(s.percent_used)})
              </span>
              <span className="muted">projected {usd(s.projected_usd)} by period end</span>
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function Recommendations() {
  const { tick } = useApp();
  const r = useAsync((signal) => api.get<{ window_days: number; recommendations: Recommendation[] }>('/api/v1/costs/recommendations', undefined, signal), [tick]);
  const recs = r.data?.recommendations ?? [];
  return (
    <Card title="Savings found in your data">
      <ErrorBanner error={r.error} />
      {r.data && recs.length === 0 ? <p className="muted">Nothing to suggest from the last {r.data.window_days} days: no cheaper model of similar faithfulness, no repeated identical requests.</p> : null}
      <ul className="list">
        {recs.map((x, i) => (
          <li key={i}>
            <Badge tone="info">{x.kind.replace(/_/g, ' ')}</Badge> {x.message} <strong>save ≈ {usd(x.estimated_savings_usd)}</strong>
          </li>
        ))}
      </ul>
    </Card>
  );
}
