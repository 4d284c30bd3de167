// Costs → "Unpriced models": models seen in traces with tokens but no price (their cost shows as
// missing), with a form to give one a price for this project. Traces recorded after that are priced.
import { useState, type FormEvent } from 'react';
import { api, currentProjectId, errorMessage } from '../api';
import { ACTIONS, Card, ErrorBanner, Notice, numCol, Spinner, TableHead, TextInput } from '../components/ui';
import { ago, int } from '../lib/format';
import { useApp, useAsync } from '../state';

interface Unpriced {
  model: string;
  traces: number;
  input_tokens: number;
  output_tokens: number;
  last_seen: string;
}

const blank = { input: '', output: '', cache_read: '' };

export function UnpricedModels() {
  const { tick, canEdit } = useApp();
  const u = useAsync((signal) => api.get<{ data: Unpriced[] }>('/api/v1/costs/unpriced', { window: '30d' }, signal), [tick]);
  const [editing, setEditing] = useState<string | null>(null);
  const [form, setForm] = useState(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<string | null>(null);
  const items = u.data?.data ?? [];
  // Nothing to fix: the card stays out of the way.
  if (u.data && items.length === 0 && !msg) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!editing) return;
    const num = (s: string) => (s.trim() === '' ? undefined : Number(s));
    const v: Record<string, string> = {};
    const input = num(form.input);
    const output = num(form.output);
    const cacheRead = num(form.cache_read);
    if (input === undefined || !(input >= 0)) v.input = 'is required (USD per million tokens, 0 or more)';
    if (output === undefined || !(output >= 0)) v.output = 'is required (USD per million tokens, 0 or more)';
    if (cacheRead !== undefined && !(cacheRead >= 0)) v.cache_read = 'must be 0 or more';
    setErrors(v);
    if (Object.keys(v).length) return;
    try {
      await api.put(`/api/v1/projects/${encodeURIComponent(currentProjectId() ?? '')}/prices/${encodeURIComponent(editing)}`, {
        input_per_mtok: input,
        output_per_mtok: output,
        ...(cacheRead !== undefined ? { cache_read_per_mtok: cacheRead } : {}),
      });
      setMsg(`Price set for ${editing}: traces recorded from now on are priced with it.`);
      setEditing(null);
      setForm(blank);
      u.reload();
    } catch (err) {
      setMsg(errorMessage(err));
    }
  };
  return (
    <Card title="Unpriced models" actions={<span className="muted small">last 30 days</span>}>
      {msg ? <Notice>{msg}</Notice> : null}
      <ErrorBanner error={u.error} />
      {!u.data && !u.error ? <Spinner /> : null}
      {items.length ? (
        <>
          <p className="muted small">These models sent tokens but Aether knows no price for them, so their cost is missing from the totals above.</p>
          <div className="table-scroll">
            <table className="table compact">
              <TableHead columns={['Model', numCol('Traces'), numCol('Input tokens'), numCol('Output tokens'), 'Last seen', canEdit && ACTIONS]} />
              <tbody>
                {items.map((i) => (
                  <tr key={i.model}>
                    <th scope="row" className="cell-name" title={i.model}>
                      {i.model}
                    </th>
                    <td className="num">{int(i.traces)}</td>
                    <td className="num">{int(i.input_tokens)}</td>
                    <td className="num">{int(i.output_tokens)}</td>
                    <td className="nowrap">{ago(i.last_seen)}</td>
                    {canEdit ? (
                      <td className="actions">
                        <button type="button" className="btn-link small" aria-expanded={editing === i.model} onClick={() => setEditing(editing === i.model ? null : i.model)}>
                          {editing === i.model ? 'Cancel' : 'Set price'}
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {editing ? (
        <form className="inline-form" onSubmit={submit} noValidate aria-label={`Price for ${editing}`}>
          <TextInput label="Input" unit="$ / 1M tokens" inputMode="decimal" value={form.input} onChange={(e) => setForm({ ...form, input: e.target.value })} error={errors.input} />
          <TextInput label="Output" unit="$ / 1M tokens" inputMode="decimal" value={form.output} onChange={(e) => setForm({ ...form, output: e.target.value })} error={errors.output} />
          <TextInput label="Cached input" unit="$ / 1M tokens" inputMode="decimal" help="optional" value={form.cache_read} onChange={(e) => setForm({ ...form, cache_read: e.target.value })} error={errors.cache_read} />
          <button type="submit" className="btn btn-primary">
            Save price
          </button>
        </form>
      ) : null}
    </Card>
  );
}
