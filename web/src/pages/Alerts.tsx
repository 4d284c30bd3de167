// Alerts: history with status/type filters, resolve, one alert's deliveries; and the rule and
// channel configuration with client-side validation mirroring the server's.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage } from '../api';
import { ACTIONS, Badge, Card, Checkbox, Empty, ErrorBanner, Field, Notice, PageHeader, Spinner, TableHead } from '../components/ui';
import { ALERT_FIELDS, ALERT_RULES, SEVERITIES, serverFieldErrors, toForm, validateAlertForm, type AlertForm, type FieldSpec } from '../lib/alert-config';
import { ago, dateTime, int, ms, num, pct, usd } from '../lib/format';
import { Link, navigate, setSearch, useLocation } from '../router';
import { useApp, useAsync } from '../state';
import type { Alert, Delivery, Page } from '../types';

const TYPE_LABEL: Record<string, string> = {
  hallucination_rate: 'Hallucination rate',
  hallucination: 'Hallucinated trace',
  cost_budget: 'Cost budget',
  cost_spike: 'Cost spike',
  latency_p95: 'p95 latency',
  error_rate: 'Error rate',
};
const sevTone = (s: string) => (s === 'critical' ? 'bad' : s === 'warning' ? 'warn' : 'info');

export function Alerts({ selected }: { selected?: string }) {
  const { search } = useLocation();
  const tab = search.get('tab') === 'config' ? 'config' : 'history';
  const tabs = [
    { id: 'history', label: 'History' },
    { id: 'config', label: 'Rules and channels' },
  ] as const;
  return (
    <div className="page">
      <PageHeader title="Alerts" subtitle="Hallucinations, spend, latency and errors; one message per incident and one when it resolves." />
      <div className="tabs" role="tablist" aria-label="Alerts sections">
        {tabs.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className={tab === t.id ? 'active' : ''}
            onClick={() => (selected ? navigate(`/alerts${t.id === 'config' ? '?tab=config' : ''}`) : setSearch({ tab: t.id === 'config' ? 'config' : null }))}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                const other = t.id === 'history' ? 'config' : 'history';
                setSearch({ tab: other === 'config' ? 'config' : null });
                (document.getElementById(`tab-${other}`) as HTMLButtonElement | null)?.focus();
              }
            }}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'history' ? <History selected={selected} /> : <AlertConfigForm />}
      </div>
    </div>
  );
}

function History({ selected }: { selected?: string }) {
  const { tick, canEdit } = useApp();
  const { search } = useLocation();
  const status = search.get('status') ?? '';
  const type = search.get('type') ?? '';
  const [more, setMore] = useState<Alert[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const list = useAsync((signal) => api.get<Page<Alert>>('/api/v1/alerts', { status, type, limit: 50 }, signal), [status, type, tick]);
  useEffect(() => {
    setMore([]);
    setCursor(list.data?.next_cursor ?? null);
  }, [list.data]);
  const rows = useMemo(() => [...(list.data?.data ?? []), ...more], [list.data, more]);
  const keep = search.toString() ? `?${search.toString()}` : '';

  const loadMore = async () => {
    if (!cursor) return;
    try {
      const p = await api.get<Page<Alert>>('/api/v1/alerts', { status, type, limit: 50, cursor });
      setMore((m) => m.concat(p.data));
      setCursor(p.next_cursor);
    } catch (e) {
      setErr(errorMessage(e));
    }
  };
  const resolve = async (a: Alert) => {
    setErr(null);
    try {
      await api.post(`/api/v1/alerts/${encodeURIComponent(a.id)}/resolve`, {});
      setMsg(`Resolved “${a.title}”.`);
      list.reload();
    } catch (e) {
      setErr(errorMessage(e));
    }
  };

  return (
    <div className="alerts-layout">
      <Card
        title="History"
        actions={
          <div className="inline-filters">
            <label htmlFor="a-status">Status</label>
            <select id="a-status" className="input input-small" value={status} onChange={(e) => setSearch({ status: e.target.value || null })}>
              <option value="">all</option>
              <option value="open">open</option>
              <option value="resolved">resolved</option>
            </select>
            <label htmlFor="a-type">Type</label>
            <select id="a-type" className="input input-small" value={type} onChange={(e) => setSearch({ type: e.target.value || null })}>
              <option value="">all</option>
              {ALERT_RULES.map((r) => (
                <option key={r} value={r}>
                  {TYPE_LABEL[r] ?? r}
                </option>
              ))}
            </select>
          </div>
        }
      >
        {msg ? <Notice tone="success">{msg}</Notice> : null}
        <ErrorBanner error={err ?? list.error} />
        {!list.data && !list.error ? <Spinner /> : null}
        {list.data && rows.length === 0 ? (
          <Empty title={status || type ? 'No alert matches these filters' : 'No alerts yet'} icon="◬">
            {status || type ? null : (
              <p>
                Alerts fire when a rule&apos;s condition holds over its window: hallucination rate, p95 latency, error rate, daily budgets and cost spikes. Tune them under{' '}
                <Link to="/alerts?tab=config">Rules and channels</Link> and add a Slack or webhook channel to be notified.
              </p>
            )}
          </Empty>
        ) : null}
        {rows.length ? (
          <div className="table-scroll">
            <table className="table alerts-table">
              <TableHead columns={['Alert', 'Type', 'Severity', 'Status', 'Opened', ACTIONS]} />
              <tbody>
                {rows.map((a) => (
                  <tr key={a.id} className={a.id === selected ? 'selected' : undefined} data-alert-id={a.id}>
                    <td>
                      <Link to={`/alerts/${encodeURIComponent(a.id)}${keep}`} className="alert-title">
                        {a.title}
                      </Link>
                      <div className="muted small">{a.message}</div>
                    </td>
                    <td>{TYPE_LABEL[a.type] ?? a.type}</td>
                    <td>
                      <Badge tone={sevTone(a.severity)}>{a.severity}</Badge>
                    </td>
                    <td>{a.status === 'open' ? <Badge tone="bad">open</Badge> : <Badge tone="good">resolved{a.resolved_by ? ` (${a.resolved_by})` : ''}</Badge>}</td>
                    <td title={dateTime(a.created_at)}>{ago(a.created_at)}</td>
                    <td className="actions">
                      {a.status === 'open' && canEdit ? (
                        <button type="button" className="btn btn-small" onClick={() => resolve(a)} aria-label={`Resolve ${a.title}`}>
                          Resolve
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {cursor ? (
          <button type="button" className="btn btn-small" onClick={loadMore}>
            Load more
          </button>
        ) : null}
      </Card>
      {selected ? <AlertDetail id={selected} onResolved={list.reload} back={`/alerts${keep}`} /> : null}
    </div>
  );
}

/** An alert's value or threshold in its rule's unit. */
export function alertValue(type: string, v: unknown): string {
  if (typeof v !== 'number') return '—';
  if (type === 'hallucination_rate' || type === 'error_rate') return pct(v);
  if (type === 'latency_p95') return ms(v);
  if (type === 'cost_budget' || type === 'cost_spike') return usd(v);
  return num(v);
}

function AlertDetail({ id, onResolved, back }: { id: string; onResolved: () => void; back: string }) {
  const { canEdit, tick } = useApp();
  const a = useAsync((signal) => api.get<Alert & { deliveries: Delivery[] }>(`/api/v1/alerts/${encodeURIComponent(id)}`, undefined, signal), [id, tick]);
  const [err, setErr] = useState<string | null>(null);
  const resolve = async () => {
    try {
      await api.post(`/api/v1/alerts/${encodeURIComponent(id)}/resolve`, {});
      a.reload();
      onResolved();
    } catch (e) {
      setErr(errorMessage(e));
    }
  };
  const d = a.data;
  return (
    <Card title="Alert" className="alert-detail" actions={<Link to={back}>Close</Link>}>
      <ErrorBanner error={err ?? a.error} />
      {!d ? (
        a.error ? null : <Spinner />
      ) : (
        <>
          <h3 className="alert-detail-title">
            <Badge tone={sevTone(d.severity)}>{d.severity}</Badge> {d.title}
          </h3>
          <p>{d.message}</p>
          <dl className="facts small">
            <div><dt>Status</dt><dd>{d.status}{d.resolved_by ? ` (${d.resolved_by})` : ''}</dd></div>
            <div><dt>Opened</dt><dd>{dateTime(d.created_at)}</dd></div>
            <div><dt>Updated</dt><dd>{dateTime(d.updated_at)}</dd></div>
            {d.resolved_at ? <div><dt>Resolved</dt><dd>{dateTime(d.resolved_at)}</dd></div> : null}
            {typeof d.details.value === 'number' ? <div><dt>Value</dt><dd>{alertValue(d.type, d.details.value)}</dd></div> : null}
            {typeof d.details.threshold === 'number' ? <div><dt>Threshold</dt><dd>{alertValue(d.type, d.details.threshold)}</dd></div> : null}
            {typeof d.details.samples === 'number' ? <div><dt>Samples</dt><dd>{int(d.details.samples as number)}</dd></div> : null}
          </dl>
          {d.trace_id ? (
            <p>
              <Link to={`/traces/${encodeURIComponent(d.trace_id)}`}>Open the trace →</Link>
            </p>
          ) : null}
          {d.status === 'open' && canEdit ? (
            <button type="button" className="btn btn-primary btn-small detail-resolve" onClick={resolve}>
              Resolve
            </button>
          ) : null}
          <h4>Notifications</h4>
          {d.deliveries.length === 0 ? <p className="muted small">No channel was enabled when this alert changed state.</p> : null}
          <ul className="list">
            {d.deliveries.map((x) => (
              <li key={x.id}>
                <Badge tone={x.status === 'delivered' ? 'good' : x.status === 'failed' ? 'bad' : 'warn'}>{x.status}</Badge> {x.channel} · {x.event} · {x.attempts} attempt{x.attempts === 1 ? '' : 's'}
                {x.last_error ? <div className="muted small">{x.last_error}</div> : null}
              </li>
            ))}
          </ul>
        </>
      )}
    </Card>
  );
}

function FieldInput({ spec, form, setValue, error }: { spec: FieldSpec; form: AlertForm; setValue: (name: string, v: string | boolean) => void; error?: string | undefined }) {
  const v = form.values[spec.name];
  if (spec.kind === 'bool') return <Checkbox label={spec.label} checked={v === true} onChange={(b) => setValue(spec.name, b)} help={spec.help} name={spec.name} />;
  return (
    <Field label={spec.label} error={error} help={spec.help} unit={spec.unit}>
      {({ id, describedBy, invalid }) => (
        <input
          id={id}
          name={spec.name}
          className="input"
          aria-describedby={describedBy}
          aria-invalid={invalid || undefined}
          type={spec.kind === 'url' ? 'url' : spec.kind === 'secret' ? 'password' : 'text'}
          inputMode={spec.kind === 'num' ? 'decimal' : spec.kind === 'int' ? 'numeric' : undefined}
          autoComplete="off"
          placeholder={spec.nullable ? 'not set' : undefined}
          value={typeof v === 'string' ? v : ''}
          onChange={(e) => setValue(spec.name, e.target.value)}
        />
      )}
    </Field>
  );
}

function AlertConfigForm() {
  const { projectId, canEdit } = useApp();
  const cfg = useAsync((signal) => api.get<Record<string, unknown>>(`/api/v1/alert-config/${projectId}`, undefined, signal), [projectId]);
  const [form, setForm] = useState<AlertForm | null>(null);
  const [loaded, setLoaded] = useState<Record<string, string | boolean>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ tone: 'success' | 'info' | 'warn'; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (cfg.data) {
      const f = toForm(cfg.data);
      setForm(f);
      setLoaded(f.values);
    }
  }, [cfg.data]);

  if (cfg.error) return <ErrorBanner error={cfg.error} onRetry={cfg.reload} />;
  if (!form) return <Spinner />;

  const setValue = (name: string, v: string | boolean) => {
    setForm((f) => (f ? { ...f, values: { ...f.values, [name]: v } } : f));
    if (errors[name]) setErrors((e) => ({ ...e, [name]: '' }));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    const r = validateAlertForm(form, loaded);
    setErrors(r.errors);
    if (!r.body) {
      setStatus({ tone: 'warn', text: 'Fix the highlighted fields.' });
      const first = ALERT_FIELDS.find((f) => r.errors[f.name]);
      if (first) (document.querySelector(`[name="${first.name}"]`) as HTMLElement | null)?.focus();
      return;
    }
    setSaving(true);
    try {
      const saved = await api.put<Record<string, unknown>>(`/api/v1/alert-config/${projectId}`, r.body);
      const f = toForm(saved);
      setForm(f);
      setLoaded(f.values);
      setStatus({ tone: 'success', text: 'Alert configuration saved.' });
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const fe = serverFieldErrors(err);
        setErrors(fe);
        setStatus({ tone: 'warn', text: fe._form ?? 'The server rejected some fields: see below.' });
      } else setStatus({ tone: 'warn', text: errorMessage(err) });
    } finally {
      setSaving(false);
    }
  };
  const test = async () => {
    setStatus(null);
    try {
      const r = await api.post<{ results: Array<{ channel: string; ok: boolean; error?: string }> }>(`/api/v1/alert-config/${projectId}/test`, {});
      setStatus({ tone: r.results.every((x) => x.ok) ? 'success' : 'warn', text: `Test message: ${r.results.map((x) => `${x.channel} ${x.ok ? 'ok' : `failed (${x.error ?? 'error'})`}`).join(', ')}` });
    } catch (err) {
      setStatus({ tone: 'warn', text: errorMessage(err) });
    }
  };
  const groups = [...new Set(ALERT_FIELDS.map((f) => f.group))];
  return (
    <form className="config-form" onSubmit={submit} noValidate aria-label="Alert configuration">
      {status ? <Notice tone={status.tone}>{status.text}</Notice> : null}
      {errors._form ? <ErrorBanner error={errors._form} /> : null}
      <div className="form-grid">
        {groups.map((g) => (
          <fieldset key={g} className="card form-group" disabled={!canEdit}>
            <legend>{g}</legend>
            {ALERT_FIELDS.filter((f) => f.group === g).map((f) => (
              <FieldInput key={f.name} spec={f} form={form} setValue={setValue} error={errors[f.name]} />
            ))}
          </fieldset>
        ))}
        <fieldset className="card form-group" disabled={!canEdit}>
          <legend>Severity per rule</legend>
          {ALERT_RULES.map((r) => (
            <Field key={r} label={TYPE_LABEL[r] ?? r} error={errors[`severity.${r}`]}>
              {({ id, describedBy }) => (
                <select id={id} className="input" aria-describedby={describedBy} value={form.severity[r] ?? ''} onChange={(e) => setForm({ ...form, severity: { ...form.severity, [r]: e.target.value } })}>
                  <option value="">default</option>
                  {SEVERITIES.map((s) => (
                    <option key={s} value={s}>
                      {s}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          ))}
        </fieldset>
      </div>
      {canEdit ? (
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save configuration'}
          </button>
          <button type="button" className="btn" onClick={test}>
            Send a test message
          </button>
        </div>
      ) : (
        <p className="muted">Viewers cannot change the alert configuration.</p>
      )}
    </form>
  );
}
