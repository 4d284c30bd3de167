// Settings: projects, API keys (shown once on creation; revoke), users, evaluation config and the
// gateway's provider credentials.
import { useEffect, useState, type FormEvent } from 'react';
import { api, ApiError, errorMessage, request } from '../api';
import { ACTIONS, Badge, Card, Checkbox, CodeBlock, Empty, ErrorBanner, Notice, PageHeader, Select, Spinner, TableHead, TextInput } from '../components/ui';
import { ago, dateTime } from '../lib/format';
import { useApp, useAsync } from '../state';
import type { ApiKey, EvaluationConfig, Project, ProviderCredential, User } from '../types';

const listOf = <T,>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : Array.isArray((v as { data?: unknown })?.data) ? ((v as { data: T[] }).data) : []);
const fieldErrors = (e: unknown): Record<string, string> => {
  const out: Record<string, string> = {};
  const issues = e instanceof ApiError ? (e.details as { issues?: Array<{ field: string; message: string }> } | undefined)?.issues : undefined;
  for (const i of issues ?? []) out[i.field.split('.')[0]!] = i.message;
  return out;
};

export function Settings() {
  const { projectId, isOwner } = useApp();
  const sections = [
    { id: 'projects', label: 'Projects' },
    { id: 'keys', label: 'API keys' },
    ...(isOwner ? [{ id: 'users', label: 'Users' }] : []),
    { id: 'evaluation', label: 'Evaluation' },
    { id: 'providers', label: 'Provider credentials' },
  ];
  useEffect(() => {
    const id = window.location.hash.slice(1);
    if (id) document.getElementById(id)?.scrollIntoView();
  }, []);
  return (
    <div className="page">
      <PageHeader title="Settings" />
      <nav className="subnav" aria-label="Settings sections">
        {sections.map((s) => (
          <a key={s.id} href={`#${s.id}`}>
            {s.label}
          </a>
        ))}
      </nav>
      <Projects />
      {projectId ? <Keys projectId={projectId} /> : null}
      {isOwner ? <Users /> : null}
      {projectId ? <EvaluationSettings projectId={projectId} /> : null}
      {projectId ? <Providers projectId={projectId} /> : null}
    </div>
  );
}

/** A message that survives the remount caused by switching to a newly created project. */
let flash: string | null = null;

function Projects() {
  const { me, refreshMe, setProjectId, projectId, isOwner } = useApp();
  const list = useAsync((signal) => request<unknown>('/api/v1/projects', { signal, noProject: true }).then((v) => listOf<Project>(v)), []);
  const [name, setName] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [fieldErr, setFieldErr] = useState<string | undefined>();
  const [msg, setMsg] = useState<string | null>(() => {
    const f = flash;
    flash = null;
    return f;
  });
  const projects = list.data ?? me?.projects ?? [];
  const create = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return setFieldErr('Enter a name');
    setFieldErr(undefined);
    setErr(null);
    try {
      const p = await request<Project>('/api/v1/projects', { method: 'POST', body: { name: name.trim() }, noProject: true });
      const note = `Project “${p.name}” created; it is now the current project. Create an API key for it below.`;
      setMsg(note);
      setName('');
      list.reload();
      await refreshMe();
      // Switching remounts the page: the notice is handed over.
      flash = note;
      if (p.id) setProjectId(p.id);
    } catch (e2) {
      setFieldErr(fieldErrors(e2).name);
      setErr(errorMessage(e2));
    }
  };
  return (
    <Card title="Projects" id="projects">
      {msg ? <Notice tone="success">{msg}</Notice> : null}
      <ErrorBanner error={err} />
      <table className="table">
        <TableHead columns={['Name', 'Slug', 'Id', ACTIONS]} />
        <tbody>
          {projects.map((p) => (
            <tr key={p.id}>
              <th scope="row">{p.name}</th>
              <td>
                <code>{p.slug}</code>
              </td>
              <td>
                <code className="small">{p.id}</code>
              </td>
              <td className="actions">
                {p.id === projectId ? (
                  <Badge tone="info">current</Badge>
                ) : (
                  <button type="button" className="btn btn-small" onClick={() => setProjectId(p.id)}>
                    Switch to
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {isOwner ? (
        <form className="inline-form" onSubmit={create} noValidate aria-label="New project">
          <TextInput label="New project name" value={name} onChange={(e) => setName(e.target.value)} error={fieldErr} />
          <button type="submit" className="btn btn-primary">
            Create project
          </button>
        </form>
      ) : null}
    </Card>
  );
}

function Keys({ projectId }: { projectId: string }) {
  const { canEdit } = useApp();
  const keys = useAsync((signal) => request<unknown>(`/api/v1/projects/${projectId}/keys`, { signal }).then((v) => listOf<ApiKey>(v)), [projectId]);
  const [name, setName] = useState('');
  const [created, setCreated] = useState<{ id: string; key: string } | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [nameErr, setNameErr] = useState<string | undefined>();
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setErr(null);
    if (!name.trim()) return setNameErr('Name the key after where it is used, e.g. production');
    setNameErr(undefined);
    try {
      const r = await api.post<{ id: string; key: string }>(`/api/v1/projects/${projectId}/keys`, { name: name.trim() });
      setCreated(r);
      setName('');
      keys.reload();
    } catch (e2) {
      setErr(errorMessage(e2));
    }
  };
  const revoke = async (k: ApiKey) => {
    if (!window.confirm(`Revoke the key ${k.name ?? k.prefix ?? k.id}? Applications using it stop working within seconds.`)) return;
    try {
      await api.post(`/api/v1/projects/${projectId}/keys/${encodeURIComponent(k.id)}/revoke`, {});
      keys.reload();
    } catch (e2) {
      setErr(errorMessage(e2));
    }
  };
  const rows = keys.data ?? [];
  return (
    <Card title="API keys" id="keys">
      <ErrorBanner error={err ?? keys.error} />
      {created ? (
        <div className="banner banner-success key-once" role="status">
          <div>
            <strong>Copy this key now: it is shown only once.</strong>
          </div>
          <CodeBlock label="New API key" code={created.key} />
          <button type="button" className="btn btn-small" onClick={() => setCreated(null)}>
            I have copied it
          </button>
        </div>
      ) : null}
      {!keys.data && !keys.error ? <Spinner /> : null}
      {keys.data && rows.length === 0 ? <p className="muted">This project has no API keys yet. Create one to send traces.</p> : null}
      {rows.length ? (
        <table className="table">
          <TableHead columns={['Name', 'Key', 'Created', 'Last used', 'Status', ACTIONS]} />
          <tbody>
            {rows.map((k) => (
              <tr key={k.id}>
                <th scope="row">{k.name || <span className="muted">unnamed</span>}</th>
                <td>
                  <code>{k.prefix ?? k.key_prefix ?? k.id}…</code>
                </td>
                <td title={dateTime(k.created_at)}>{ago(k.created_at)}</td>
                <td>{k.last_used_at ? ago(k.last_used_at) : 'never'}</td>
                <td>{k.revoked_at ? <Badge tone="bad">revoked</Badge> : <Badge tone="good">active</Badge>}</td>
                <td className="actions">
                  {!k.revoked_at && canEdit ? (
                    <button type="button" className="btn btn-small btn-danger" onClick={() => revoke(k)} aria-label={`Revoke key ${k.name ?? k.prefix ?? k.id}`}>
                      Revoke
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canEdit ? (
        <form className="inline-form" onSubmit={create} noValidate aria-label="Create an API key">
          <TextInput label="Key name" value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. production" error={nameErr} />
          <button type="submit" className="btn btn-primary">
            Create key
          </button>
        </form>
      ) : null}
    </Card>
  );
}

function Users() {
  const users = useAsync((signal) => request<unknown>('/api/v1/users', { signal, noProject: true }).then((v) => listOf<User>(v)), []);
  const [form, setForm] = useState({ name: '', email: '', role: 'member', password: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<string | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const create = async (e: FormEvent) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    if (!form.name.trim()) v.name = 'Enter a name';
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim())) v.email = 'Enter a valid email address';
    if (form.password.length < 8) v.password = 'Use at least 8 characters';
    setErrors(v);
    if (Object.keys(v).length) return;
    setErr(null);
    try {
      await request('/api/v1/users', { method: 'POST', body: { name: form.name.trim(), email: form.email.trim(), role: form.role, password: form.password }, noProject: true });
      setMsg(`User ${form.email.trim()} added. Share the password with them privately.`);
      setForm({ name: '', email: '', role: 'member', password: '' });
      users.reload();
    } catch (e2) {
      setErrors(fieldErrors(e2));
      setErr(errorMessage(e2));
    }
  };
  return (
    <Card title="Users" id="users">
      {msg ? <Notice tone="success">{msg}</Notice> : null}
      <ErrorBanner error={err ?? users.error} />
      {users.data ? (
        <table className="table">
          <TableHead columns={['Name', 'Email', 'Role']} />
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.name ?? <span className="muted">—</span>}</th>
                <td>{u.email}</td>
                <td>
                  <Badge tone={u.role === 'owner' ? 'info' : 'neutral'}>{u.role}</Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <form className="inline-form" onSubmit={create} noValidate aria-label="Add a user">
        <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} error={errors.name} />
        <TextInput label="Email" type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} error={errors.email} />
        <Select label="Role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })} error={errors.role} help="Members configure; owners also manage users and projects.">
          <option value="viewer">viewer (read only)</option>
          <option value="member">member</option>
          <option value="owner">owner</option>
        </Select>
        <TextInput label="Initial password" type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} error={errors.password} />
        <button type="submit" className="btn btn-primary">
          Add user
        </button>
      </form>
    </Card>
  );
}

const BUILTIN_METRICS = ['faithfulness', 'hallucination', 'token_overlap', 'answer_relevancy', 'context_precision', 'context_recall', 'pii', 'toxicity'];

function EvaluationSettings({ projectId }: { projectId: string }) {
  const { canEdit } = useApp();
  const cfg = useAsync((signal) => api.get<EvaluationConfig>(`/api/v1/projects/${projectId}/evaluation-config`, undefined, signal), [projectId]);
  const [form, setForm] = useState<{ enabled: boolean; metrics: string[]; sampling_rate: string; hallucination_threshold: string; evaluator: string; thresholds: Record<string, string> } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ tone: 'success' | 'warn'; text: string } | null>(null);
  const [rest, setRest] = useState<Pick<EvaluationConfig, 'custom_metrics'>>({ custom_metrics: [] });
  useEffect(() => {
    const c = cfg.data;
    if (!c) return;
    setForm({
      enabled: c.enabled,
      metrics: c.metrics,
      sampling_rate: String(c.sampling_rate),
      hallucination_threshold: String(c.hallucination_threshold),
      evaluator: c.evaluator,
      thresholds: Object.fromEntries(Object.entries(c.thresholds).map(([k, v]) => [k, String(v)])),
    });
    setRest({ custom_metrics: c.custom_metrics });
  }, [cfg.data]);
  if (cfg.error) return <Card title="Evaluation" id="evaluation"><ErrorBanner error={cfg.error} onRetry={cfg.reload} /></Card>;
  if (!form) return <Card title="Evaluation" id="evaluation"><Spinner /></Card>;
  const all = [...new Set([...BUILTIN_METRICS, ...form.metrics, ...rest.custom_metrics.map((m) => String(m.name))])];
  const frac = (s: string, name: string, v: Record<string, string>) => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) v[name] = 'must be a number';
    else if (n < 0 || n > 1) v[name] = 'must be between 0 and 1';
    return n;
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    const sampling = frac(form.sampling_rate, 'sampling_rate', v);
    const threshold = frac(form.hallucination_threshold, 'hallucination_threshold', v);
    const thresholds: Record<string, number> = {};
    for (const [k, s] of Object.entries(form.thresholds)) if (s.trim() !== '') thresholds[k] = frac(s, `thresholds.${k}`, v);
    if (form.metrics.length === 0 && form.enabled) v.metrics = 'choose at least one metric, or turn evaluation off';
    setErrors(v);
    if (Object.keys(v).length) return setMsg({ tone: 'warn', text: 'Fix the highlighted fields.' });
    try {
      await api.put(`/api/v1/projects/${projectId}/evaluation-config`, { enabled: form.enabled, metrics: form.metrics, sampling_rate: sampling, hallucination_threshold: threshold, evaluator: form.evaluator, thresholds, custom_metrics: rest.custom_metrics });
      setMsg({ tone: 'success', text: 'Evaluation settings saved; they apply to new traces.' });
      cfg.reload();
    } catch (e2) {
      const fe: Record<string, string> = {};
      const issues = e2 instanceof ApiError ? (e2.details as { issues?: Array<{ field: string; message: string }> } | undefined)?.issues : undefined;
      for (const i of issues ?? []) fe[i.field.startsWith('thresholds.') ? i.field : i.field.split('.')[0]!] = i.message;
      setErrors(fe);
      setMsg({ tone: 'warn', text: errorMessage(e2) });
    }
  };
  return (
    <Card title="Evaluation" id="evaluation">
      <form onSubmit={save} noValidate aria-label="Evaluation settings" className="config-form">
        {msg ? <Notice tone={msg.tone}>{msg.text}</Notice> : null}
        <fieldset disabled={!canEdit} className="plain">
          <Checkbox label="Evaluate new traces" checked={form.enabled} onChange={(b) => setForm({ ...form, enabled: b })} />
          <fieldset className="metrics-grid">
            <legend>Metrics</legend>
            {all.map((m) => (
              <div key={m} className="metric-row">
                <Checkbox label={m} checked={form.metrics.includes(m)} onChange={(b) => setForm({ ...form, metrics: b ? [...form.metrics, m] : form.metrics.filter((x) => x !== m) })} />
                <input
                  className="input input-small"
                  aria-label={`Pass threshold for ${m} (0–1, optional)`}
                  placeholder="threshold"
                  inputMode="decimal"
                  value={form.thresholds[m] ?? ''}
                  onChange={(e) => setForm({ ...form, thresholds: { ...form.thresholds, [m]: e.target.value } })}
                />
                {errors[`thresholds.${m}`] ? <span className="field-error">{errors[`thresholds.${m}`]}</span> : null}
              </div>
            ))}
            {errors.metrics ? <div className="field-error" role="alert">{errors.metrics}</div> : null}
          </fieldset>
          <div className="form-row">
            <TextInput label="Sampling rate" help="Share of traces evaluated (0–1), chosen deterministically by trace id." inputMode="decimal" value={form.sampling_rate} onChange={(e) => setForm({ ...form, sampling_rate: e.target.value })} error={errors.sampling_rate} />
            <TextInput label="Hallucination threshold" help="Faithfulness below this flags a hallucination (0–1)." inputMode="decimal" value={form.hallucination_threshold} onChange={(e) => setForm({ ...form, hallucination_threshold: e.target.value })} error={errors.hallucination_threshold} />
            <Select label="Evaluator" value={form.evaluator} onChange={(e) => setForm({ ...form, evaluator: e.target.value })} error={errors.evaluator} help="auto: the LLM judge when the server has one configured, else the local detector.">
              <option value="auto">auto</option>
              <option value="local">local detector</option>
              <option value="judge">LLM judge</option>
            </Select>
          </div>
          {rest.custom_metrics.length ? (
            <p className="muted small">
              {rest.custom_metrics.length} custom webhook metric{rest.custom_metrics.length > 1 ? 's' : ''} configured through the API are kept as they are.
            </p>
          ) : null}
        </fieldset>
        {canEdit ? (
          <div className="form-actions">
            <button type="submit" className="btn btn-primary">
              Save evaluation settings
            </button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}

const PROVIDERS = ['openai', 'anthropic', 'openrouter'];

function Providers({ projectId }: { projectId: string }) {
  const { canEdit } = useApp();
  const list = useAsync((signal) => api.get<{ data: ProviderCredential[] }>(`/api/v1/projects/${projectId}/providers`, undefined, signal), [projectId]);
  const [form, setForm] = useState({ provider: 'openai', api_key: '', base_url: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ tone: 'success' | 'warn'; text: string } | null>(null);
  const save = async (e: FormEvent) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    if (!/^[a-z0-9_-]{1,64}$/i.test(form.provider.trim())) v.provider = 'letters, digits, - and _ only';
    if (!form.api_key.trim()) v.api_key = 'Enter the provider API key';
    if (form.base_url.trim()) {
      try {
        const u = new URL(form.base_url.trim());
        if (!/^https?:$/.test(u.protocol)) v.base_url = 'must be an http(s) URL';
      } catch {
        v.base_url = 'must be an http(s) URL';
      }
    }
    setErrors(v);
    if (Object.keys(v).length) return;
    try {
      await api.put(`/api/v1/projects/${projectId}/providers/${encodeURIComponent(form.provider.trim())}`, { api_key: form.api_key.trim(), ...(form.base_url.trim() ? { base_url: form.base_url.trim() } : {}) });
      setMsg({ tone: 'success', text: `Credentials for ${form.provider.trim()} saved (encrypted at rest).` });
      setForm({ ...form, api_key: '', base_url: '' });
      list.reload();
    } catch (e2) {
      setErrors(fieldErrors(e2));
      setMsg({ tone: 'warn', text: errorMessage(e2) });
    }
  };
  const remove = async (p: string) => {
    if (!window.confirm(`Forget the ${p} credentials of this project?`)) return;
    try {
      await api.del(`/api/v1/projects/${projectId}/providers/${encodeURIComponent(p)}`);
      list.reload();
    } catch (e2) {
      setMsg({ tone: 'warn', text: errorMessage(e2) });
    }
  };
  const rows = list.data?.data ?? [];
  return (
    <Card title="Provider credentials" id="providers">
      <p className="muted small">Keys the gateway uses for this project&apos;s requests; without one it falls back to the server&apos;s environment. Only a hint of each key is ever shown.</p>
      {msg ? <Notice tone={msg.tone}>{msg.text}</Notice> : null}
      <ErrorBanner error={list.error} />
      {list.data && rows.length === 0 ? (
        <Empty title="No provider credentials" icon="◇">
          <p>Add an OpenAI, Anthropic or OpenRouter key below to route this project&apos;s gateway traffic with its own account.</p>
        </Empty>
      ) : null}
      {rows.length ? (
        <table className="table">
          <TableHead columns={['Provider', 'Key', 'Base URL', 'Updated', ACTIONS]} />
          <tbody>
            {rows.map((p) => (
              <tr key={p.provider}>
                <th scope="row">{p.provider}</th>
                <td>
                  <code>{p.api_key_hint}</code>
                </td>
                <td>{p.base_url ?? <span className="muted">default</span>}</td>
                <td>{ago(p.updated_at)}</td>
                <td className="actions">
                  {canEdit ? (
                    <button type="button" className="btn btn-small btn-danger" onClick={() => remove(p.provider)} aria-label={`Forget ${p.provider} credentials`}>
                      Remove
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {canEdit ? (
        <form className="inline-form" onSubmit={save} noValidate aria-label="Provider credentials">
          <TextInput label="Provider" list="dl-providers" value={form.provider} onChange={(e) => setForm({ ...form, provider: e.target.value })} error={errors.provider} />
          <datalist id="dl-providers">
            {PROVIDERS.map((p) => (
              <option key={p} value={p} />
            ))}
          </datalist>
          <TextInput label="API key" type="password" autoComplete="off" value={form.api_key} onChange={(e) => setForm({ ...form, api_key: e.target.value })} error={errors.api_key} />
          <TextInput label="Base URL (optional)" type="url" placeholder="https://…" value={form.base_url} onChange={(e) => setForm({ ...form, base_url: e.target.value })} error={errors.base_url} />
          <button type="submit" className="btn btn-primary">
            Save credentials
          </button>
        </form>
      ) : null}
    </Card>
  );
}
