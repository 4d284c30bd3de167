// Prompts: the registry's list with labels, a create-version form, and per prompt its version
// history with a diff between any two versions, label moves, and a playground that renders a version
// with variables and runs it through the gateway (POST /v1/chat/completions).
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api';
import { Badge, Card, Empty, ErrorBanner, Field, Notice, PageHeader, Select, Spinner, TableHead, TextInput, numCol } from '../components/ui';
import { ago } from '../lib/format';
import { Link } from '../router';
import { useApp, useAsync } from '../state';

type Content = string | Array<{ role: string; content: string }>;
interface Summary {
  name: string;
  type: string;
  tags: string[];
  versions: number;
  latest_version: number;
  labels: Record<string, number>;
  updated_at: string;
}
interface Version {
  name: string;
  type: 'text' | 'chat';
  version: number;
  labels: string[];
  prompt: Content;
  config: Record<string, unknown>;
  variables: Record<string, { type: string; default?: unknown }>;
  commit_message: string | null;
  created_by: string | null;
  created_at: string;
}
interface Diff {
  prompt: Array<{ op: 'equal' | 'add' | 'remove'; text: string }>;
  config: { added: Record<string, unknown>; removed: Record<string, unknown>; changed: Record<string, { from: unknown; to: unknown }> };
}

const enc = encodeURIComponent;
const show = (p: Content) => (typeof p === 'string' ? p : p.map((m) => `[${m.role}] ${m.content}`).join('\n\n'));

function CreateVersion({ name, type, onDone }: { name?: string; type?: string; onDone: (v: Version) => void }) {
  const [form, setForm] = useState({ name: name ?? '', type: type ?? 'text', prompt: '', labels: '', message: '', config: '' });
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const prompt = form.type === 'chat' ? (JSON.parse(form.prompt) as unknown) : form.prompt;
      const config = form.config.trim() ? (JSON.parse(form.config) as unknown) : {};
      const labels = form.labels.split(',').map((s) => s.trim()).filter(Boolean);
      onDone(await api.post<Version>('/api/v1/prompts', { name: form.name, type: form.type, prompt, labels, config, ...(form.message ? { commit_message: form.message } : {}) }));
      setForm({ ...form, prompt: '', message: '' });
    } catch (err) {
      setError(err instanceof SyntaxError ? 'Chat prompts and config are JSON' : errorMessage(err));
    }
  };
  return (
    <form onSubmit={submit} noValidate aria-label="New version" className="stack">
      {error ? <Notice tone="warn">{error}</Notice> : null}
      {name ? null : <TextInput label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required />}
      <Select label="Type" value={form.type} onChange={(e) => setForm({ ...form, type: e.target.value })}>
        <option value="text">text</option>
        <option value="chat">chat (JSON list of {'{role, content}'})</option>
      </Select>
      <Field label="Prompt" help="{{variables}} are filled in when the prompt is rendered">
        {(f) => <textarea className="input" id={f.id} aria-describedby={f.describedBy} rows={6} value={form.prompt} onChange={(e) => setForm({ ...form, prompt: e.target.value })} />}
      </Field>
      <TextInput label="Config (JSON)" placeholder='{"model":"gpt-4o-mini","temperature":0.2}' value={form.config} onChange={(e) => setForm({ ...form, config: e.target.value })} />
      <TextInput label="Labels" help="comma separated, e.g. staging" value={form.labels} onChange={(e) => setForm({ ...form, labels: e.target.value })} />
      <TextInput label="Commit message" value={form.message} onChange={(e) => setForm({ ...form, message: e.target.value })} />
      <button type="submit" className="btn btn-primary">
        Create version
      </button>
    </form>
  );
}

export function Prompts() {
  const { tick, canEdit } = useApp();
  const list = useAsync((signal) => api.get<{ data: Summary[] }>('/api/v1/prompts', undefined, signal), [tick]);
  const [creating, setCreating] = useState(false);
  const items = list.data?.data ?? [];
  return (
    <div className="page">
      <PageHeader title="Prompts" subtitle="Versioned prompts with labels; apps fetch them by label, the gateway renders them." actions={canEdit ? <button type="button" className="btn" onClick={() => setCreating(!creating)}>{creating ? 'Cancel' : 'New prompt'}</button> : null} />
      {creating ? (
        <Card title="New prompt">
          <CreateVersion onDone={() => (setCreating(false), list.reload())} />
        </Card>
      ) : null}
      <ErrorBanner error={list.error} onRetry={list.reload} />
      {!list.data && !list.error ? <Spinner /> : null}
      {list.data && !items.length ? <Empty title="No prompts yet">Create one here, with `aether prompts create`, or POST /api/v1/prompts.</Empty> : null}
      {items.length ? (
        <Card>
          <table className="table">
            <TableHead columns={['Name', 'Type', numCol('Versions'), 'Labels', 'Updated']} />
            <tbody>
              {items.map((p) => (
                <tr key={p.name}>
                  <th scope="row" className="cell-text">
                    <Link to={`/prompts/${enc(p.name)}`}>{p.name}</Link>
                  </th>
                  <td>{p.type}</td>
                  <td className="num">{p.versions}</td>
                  <td>
                    {Object.entries(p.labels).map(([l, v]) => (
                      <Badge key={l} tone={l === 'production' ? 'good' : 'neutral'}>{`${l} → v${v}`}</Badge>
                    ))}
                  </td>
                  <td>{ago(p.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Card>
      ) : null}
    </div>
  );
}

function Playground({ v }: { v: Version }) {
  const names = Object.keys(v.variables);
  const [values, setValues] = useState<Record<string, string>>({});
  const [rendered, setRendered] = useState<Content | null>(null);
  const [answer, setAnswer] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const vars = () => Object.fromEntries(Object.entries(values).filter(([, x]) => x !== ''));
  const render = async () => {
    setError(null);
    try {
      const r = await api.post<{ prompt: Content }>(`/api/v1/prompts/${enc(v.name)}/render`, { version: v.version, variables: vars() });
      setRendered(r.prompt);
      return r.prompt;
    } catch (err) {
      setError(errorMessage(err));
      return null;
    }
  };
  const run = async () => {
    const p = await render();
    if (!p) return;
    setBusy(true);
    setAnswer(null);
    try {
      const messages = typeof p === 'string' ? [{ role: 'user', content: p }] : p;
      const r = await api.post<{ choices?: Array<{ message?: { content?: string } }> }>('/v1/chat/completions', { ...v.config, model: typeof v.config.model === 'string' ? v.config.model : 'gpt-4o-mini', messages });
      setAnswer(r.choices?.[0]?.message?.content ?? JSON.stringify(r));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={`Playground · v${v.version}`}>
      {names.map((n) => (
        <TextInput key={n} label={n} help={`${v.variables[n]!.type}${v.variables[n]!.default !== undefined ? `, default ${JSON.stringify(v.variables[n]!.default)}` : ''}`} value={values[n] ?? ''} onChange={(e) => setValues({ ...values, [n]: e.target.value })} />
      ))}
      <div className="row">
        <button type="button" className="btn" onClick={() => void render()}>
          Render
        </button>
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void run()}>
          {busy ? 'Running…' : 'Run through the gateway'}
        </button>
      </div>
      {error ? <Notice tone="warn">{error}</Notice> : null}
      {rendered !== null ? <pre className="prompt-text" aria-label="Rendered prompt">{show(rendered)}</pre> : null}
      {answer !== null ? <pre className="prompt-text" aria-label="Model answer">{answer}</pre> : null}
    </Card>
  );
}

export function PromptDetail({ name }: { name: string }) {
  const { tick, canEdit } = useApp();
  const [n, setN] = useState(0);
  const versions = useAsync((signal) => api.get<{ data: Version[] }>(`/api/v1/prompts/${enc(name)}/versions`, undefined, signal), [tick, n, name]);
  const vs = versions.data?.data ?? [];
  const [selected, setSelected] = useState<number | null>(null);
  const [compare, setCompare] = useState<{ from: string; to: string }>({ from: '', to: '' });
  const [move, setMove] = useState({ label: 'production', version: '' });
  const [msg, setMsg] = useState<string | null>(null);
  const current = vs.find((v) => v.version === selected) ?? vs[0];
  const from = compare.from || String(vs[1]?.version ?? '');
  const to = compare.to || String(vs[0]?.version ?? '');
  const diff = useAsync((signal) => (from && to ? api.get<Diff>(`/api/v1/prompts/${enc(name)}/diff`, { from, to }, signal) : Promise.resolve(null)), [from, to, n]);
  const moveLabel = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const r = await api.post<{ from_version: number | null; to_version: number }>(`/api/v1/prompts/${enc(name)}/labels`, { label: move.label, version: Number(move.version || current?.version) });
      setMsg(`${move.label} now points at v${r.to_version}${r.from_version ? ` (was v${r.from_version})` : ''}; running apps pick it up within their cache TTL.`);
      setN(n + 1);
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  return (
    <div className="page">
      <PageHeader title={name} subtitle={<Link to="/prompts">← all prompts</Link>} />
      <ErrorBanner error={versions.error} onRetry={versions.reload} />
      {!versions.data && !versions.error ? <Spinner /> : null}
      {msg ? <Notice>{msg}</Notice> : null}
      {vs.length ? (
        <div className="grid-2">
          <Card title="Versions">
            <table className="table compact">
              <TableHead columns={[numCol('Version'), 'Labels', 'Message', 'Created']} />
              <tbody>
                {vs.map((v) => (
                  <tr key={v.version} aria-selected={current?.version === v.version}>
                    <td className="num">
                      <button type="button" className="btn-link" onClick={() => setSelected(v.version)}>{`v${v.version}`}</button>
                    </td>
                    <td>{v.labels.map((l) => <Badge key={l} tone={l === 'production' ? 'good' : 'neutral'}>{l}</Badge>)}</td>
                    <td className="cell-text">{v.commit_message ?? ''}</td>
                    <td>{ago(v.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {canEdit ? (
              <form className="inline-form" onSubmit={moveLabel} aria-label="Move a label">
                <TextInput label="Label" value={move.label} onChange={(e) => setMove({ ...move, label: e.target.value })} />
                <Select label="To version" value={move.version || String(current?.version ?? '')} onChange={(e) => setMove({ ...move, version: e.target.value })}>
                  {vs.map((v) => <option key={v.version} value={v.version}>{`v${v.version}`}</option>)}
                </Select>
                <button type="submit" className="btn btn-primary">Move label</button>
              </form>
            ) : null}
          </Card>
          {current ? (
            <Card title={`v${current.version} · ${current.type}`}>
              <pre className="prompt-text">{show(current.prompt)}</pre>
              {Object.keys(current.config).length ? <pre className="prompt-text small">{JSON.stringify(current.config, null, 2)}</pre> : null}
            </Card>
          ) : null}
        </div>
      ) : null}
      {vs.length > 1 ? (
        <Card title="Diff">
          <div className="inline-form">
            <Select label="From" value={from} onChange={(e) => setCompare({ from: e.target.value, to })}>
              {vs.map((v) => <option key={v.version} value={v.version}>{`v${v.version}`}</option>)}
            </Select>
            <Select label="To" value={to} onChange={(e) => setCompare({ from, to: e.target.value })}>
              {vs.map((v) => <option key={v.version} value={v.version}>{`v${v.version}`}</option>)}
            </Select>
          </div>
          <ErrorBanner error={diff.error} />
          {diff.data ? (
            <pre className="prompt-text" aria-label="Prompt diff">
              {diff.data.prompt.map((l, i) => (
                <div key={i} className={l.op === 'add' ? 'diff-add' : l.op === 'remove' ? 'diff-remove' : undefined}>{`${l.op === 'add' ? '+ ' : l.op === 'remove' ? '- ' : '  '}${l.text}`}</div>
              ))}
              {Object.entries(diff.data.config.changed).map(([k, c]) => <div key={k} className="diff-change">{`config.${k}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`}</div>)}
            </pre>
          ) : null}
        </Card>
      ) : null}
      {current ? <Playground key={current.version} v={current} /> : null}
      {canEdit && vs.length ? (
        <Card title="New version">
          <CreateVersion name={name} type={vs[0]!.type} onDone={(v) => (setSelected(v.version), setN(n + 1))} />
        </Card>
      ) : null}
    </div>
  );
}
