// Retrieval: the project's collections with their documents, and a form to try a query in any
// mode; results show as the contexts a trace would carry, with a link to the search's trace.
import { useState, type FormEvent } from 'react';
import { api, errorMessage } from '../api';
import { Card, Empty, ErrorBanner, numCol, PageHeader, Select, Spinner, TableHead, TextInput } from '../components/ui';
import { ago, int } from '../lib/format';
import { Link } from '../router';
import { useApp, useAsync } from '../state';

interface Collection {
  id: string;
  name: string;
  document_count: number;
  chunk_count: number;
  created_at: string;
}
interface Doc {
  id: string;
  title: string | null;
  source: string | null;
  chunk_count: number;
  updated_at: string;
}
interface Context {
  text: string;
  source?: string;
  score?: number;
  metadata?: Record<string, unknown>;
}
interface SearchResult {
  trace_id: string | null;
  embedder: string | null;
  took_ms: number;
  contexts: Context[];
}

function Documents({ collection }: { collection: Collection }) {
  const d = useAsync((signal) => api.get<{ data: Doc[] }>(`/api/v1/rag/collections/${encodeURIComponent(collection.id)}/documents`, { limit: 50 }, signal), [collection.id]);
  if (!d.data) return d.error ? <ErrorBanner error={d.error} /> : <Spinner />;
  if (d.data.data.length === 0) return <p className="muted small">No documents yet: add some with the API or `aether rag add`.</p>;
  return (
    <div className="table-scroll">
      <table className="table compact">
        <TableHead columns={['Document', 'Source', numCol('Chunks'), 'Updated']} />
        <tbody>
          {d.data.data.map((x) => (
            <tr key={x.id}>
              <th scope="row" className="cell-text" title={x.id}>
                {x.title ?? x.id}
              </th>
              <td className="cell-text">{x.source ?? '—'}</td>
              <td className="num">{int(x.chunk_count)}</td>
              <td>{ago(x.updated_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TryQuery({ collection }: { collection: Collection }) {
  const [query, setQuery] = useState('');
  const [mode, setMode] = useState('hybrid');
  const [k, setK] = useState('5');
  const [result, setResult] = useState<SearchResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!query.trim()) return setError('Type a query first');
    setBusy(true);
    setError(null);
    try {
      setResult(await api.post<SearchResult>(`/api/v1/rag/collections/${encodeURIComponent(collection.id)}/search`, { query, mode, k: Number(k) || 5 }));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title={`Try a query on ${collection.name}`}>
      <form className="form-row" onSubmit={submit}>
        <TextInput label="Query" value={query} onChange={(e) => setQuery(e.target.value)} />
        <Select label="Mode" value={mode} onChange={(e) => setMode(e.target.value)}>
          <option value="hybrid">hybrid</option>
          <option value="bm25">bm25</option>
          <option value="vector">vector</option>
        </Select>
        <TextInput label="Results" type="number" min={1} max={200} value={k} onChange={(e) => setK(e.target.value)} />
        <button type="submit" className="btn btn-primary" disabled={busy}>
          Search
        </button>
      </form>
      <ErrorBanner error={error} />
      {result ? (
        <>
          <p className="muted small">
            {result.contexts.length} result(s) in {result.took_ms.toFixed(1)} ms{result.embedder ? ` · vectors: ${result.embedder}` : ''}
            {result.trace_id ? (
              <>
                {' · '}
                <Link to={`/traces/${encodeURIComponent(result.trace_id)}`}>view the trace</Link>
              </>
            ) : null}
          </p>
          <ol className="rag-results">
            {result.contexts.map((c, i) => (
              <li key={i}>
                <div className="small">
                  <strong>[{String(c.metadata?.citation ?? i + 1)}]</strong> {c.source} <span className="muted">score {c.score?.toFixed(4)}</span>
                </div>
                <p className="small" style={{ whiteSpace: "pre-wrap" }}>{c.text.length > 600 ? `${c.text.slice(0, 600)}…` : c.text}</p>
              </li>
            ))}
          </ol>
        </>
      ) : null}
    </Card>
  );
}

export function Rag() {
  const { tick } = useApp();
  const c = useAsync((signal) => api.get<{ data: Collection[] }>('/api/v1/rag/collections', undefined, signal), [tick]);
  const [selected, setSelected] = useState<string | null>(null);
  const list = c.data?.data ?? [];
  const current = list.find((x) => x.id === selected) ?? list[0];
  return (
    <div className="page">
      <PageHeader title="Retrieval" subtitle="Collections indexed for BM25, vector and hybrid search; every search is traced as a retrieval span." />
      <ErrorBanner error={c.error} onRetry={c.reload} />
      {!c.data && !c.error ? <Spinner /> : null}
      {c.data && list.length === 0 ? (
        <Empty title="No collections yet">
          Create one with <code>POST /api/v1/rag/collections</code> or index files with <code>aether rag add docs/</code>.
        </Empty>
      ) : null}
      {list.length ? (
        <Card title="Collections">
          <div className="table-scroll">
            <table className="table compact">
              <TableHead columns={['Name', numCol('Documents'), numCol('Chunks'), 'Created']} />
              <tbody>
                {list.map((x) => (
                  <tr key={x.id} className={current?.id === x.id ? 'selected' : ''}>
                    <th scope="row" className="cell-text">
                      <button type="button" className="btn-link" aria-pressed={current?.id === x.id} onClick={() => setSelected(x.id)}>
                        {x.name}
                      </button>
                    </th>
                    <td className="num">{int(x.document_count)}</td>
                    <td className="num">{int(x.chunk_count)}</td>
                    <td>{ago(x.created_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      ) : null}
      {current ? (
        <>
          <TryQuery key={current.id} collection={current} />
          <Card title={`Documents of ${current.name}`}>
            <Documents collection={current} />
          </Card>
        </>
      ) : null}
    </div>
  );
}
