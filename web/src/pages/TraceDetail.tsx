// One trace: query, response with the unsupported statements highlighted and explained, contexts
// with scores, the span waterfall, evaluations, tokens and cost.
import { useEffect, useId, useMemo, useState } from 'react';
import { api, ApiError, errorMessage } from '../api';
import { Badge, Card, ErrorBanner, Notice, numCol, PageHeader, Spinner, TableHead } from '../components/ui';
import { claimsOf, segmentResponse, type Claim } from '../lib/highlight';
import { layoutWaterfall } from '../lib/waterfall';
import { dateTime, int, ms, num, usd } from '../lib/format';
import { Link } from '../router';
import { useApp, useAsync } from '../state';
import type { Evaluation, TraceDetail } from '../types';

const COST_SOURCE: Record<string, string> = {
  client: 'sent with the trace',
  computed: 'computed from the model and tokens with the price table',
  unpriced: 'the trace has tokens but no known price: set one on the Costs page',
};

const CLAIM_METRICS = ['faithfulness', 'hallucination'];

/** Badge colour of an evaluation label. */
export function labelTone(label: string): 'bad' | 'good' | 'neutral' {
  if (/hallucinated|unsupported|fail|toxic|detected|unsafe|found/i.test(label)) return 'bad';
  if (/faithful|supported|pass|clean|^ok$|safe|none/i.test(label)) return 'good';
  return 'neutral';
}

function claimSource(evals: Evaluation[]): { ev: Evaluation; claims: Claim[] } | null {
  for (const m of CLAIM_METRICS) {
    const ev = evals.find((e) => e.metric === m && claimsOf(e.details).length > 0);
    if (ev) return { ev, claims: claimsOf(ev.details) };
  }
  const ev = evals.find((e) => claimsOf(e.details).length > 0);
  return ev ? { ev, claims: claimsOf(ev.details) } : null;
}

export function TraceDetailPage({ id }: { id: string }) {
  const { canEdit } = useApp();
  const [polls, setPolls] = useState(0);
  const trace = useAsync((signal) => api.get<TraceDetail>(`/api/v1/traces/${encodeURIComponent(id)}`, undefined, signal), [id, polls]);
  const [note, setNote] = useState<string | null>(null);
  const t = trace.data;

  // Evaluations arrive a moment after ingestion: poll for a while when there are none yet.
  useEffect(() => {
    if (!t || t.evaluations.length > 0 || polls >= 15) return;
    const h = window.setTimeout(() => setPolls((p) => p + 1), 2000);
    return () => window.clearTimeout(h);
  }, [t, polls]);

  if (trace.error) {
    const nf = trace.error instanceof ApiError && trace.error.status === 404;
    return (
      <div className="page">
        <PageHeader title={nf ? 'Trace not found' : 'Trace'} subtitle={<Link to="/traces">← Traces</Link>} />
        <ErrorBanner error={trace.error} onRetry={nf ? undefined : trace.reload} />
      </div>
    );
  }
  if (!t) return <Spinner label="Loading the trace" />;

  const hall = t.evaluations.find((e) => e.metric === 'hallucination');
  const faith = t.evaluations.find((e) => e.metric === 'faithfulness');
  const rerun = async () => {
    try {
      await api.post(`/api/v1/traces/${encodeURIComponent(t.id)}/evaluate`, {});
      setNote('Queued for evaluation; results appear here in a moment.');
      setPolls(0);
      window.setTimeout(trace.reload, 1500);
    } catch (e) {
      setNote(errorMessage(e));
    }
  };

  return (
    <div className="page trace-detail">
      <PageHeader
        title="Trace"
        subtitle={
          <>
            <Link to="/traces">← Traces</Link> · <code className="trace-id">{t.id}</code>
          </>
        }
        actions={
          canEdit ? (
            <button type="button" className="btn btn-small" onClick={rerun}>
              Re-run evaluations
            </button>
          ) : null
        }
      />
      {note ? <Notice>{note}</Notice> : null}
      <div className="badges-row">
        {t.status === 'error' ? <Badge tone="bad">error</Badge> : <Badge tone="good">success</Badge>}
        {hall?.label === 'hallucinated' ? <Badge tone="bad">hallucinated</Badge> : hall?.label === 'faithful' ? <Badge tone="good">faithful</Badge> : null}
        {faith && faith.score !== null ? <Badge tone={faith.score < 0.5 ? 'bad' : 'info'}>faithfulness {num(faith.score)}</Badge> : null}
        {t.model ? <Badge>{t.model}</Badge> : null}
        {t.provider ? <Badge>{t.provider}</Badge> : null}
        {t.tags.map((g) => (
          <span className="tag" key={g}>
            {g}
          </span>
        ))}
      </div>
      <dl className="facts" aria-label="Trace facts">
        <div><dt>Time</dt><dd>{dateTime(t.timestamp)}</dd></div>
        <div><dt>Latency</dt><dd>{ms(t.latency_ms)}</dd></div>
        <div><dt>Tokens</dt><dd>{int(t.token_count ?? (t.input_tokens ?? 0) + (t.output_tokens ?? 0))}{t.input_tokens !== null ? <span className="muted"> ({int(t.input_tokens)} in · {int(t.output_tokens)} out)</span> : null}</dd></div>
        <div><dt>LLM cost</dt><dd title={COST_SOURCE[t.cost_source ?? ''] ?? undefined}>{t.cost_source === 'unpriced' ? 'no price for this model' : usd(t.cost_usd)}{t.cost_source === 'computed' ? <span className="muted small"> computed</span> : null}</dd></div>
        <div><dt>Evaluation cost</dt><dd>{usd(t.evaluation_cost_usd)}</dd></div>
        <div><dt>User</dt><dd>{t.user_id ?? '—'}</dd></div>
        <div><dt>Session</dt><dd>{t.session_id ?? '—'}</dd></div>
      </dl>
      {t.error ? (
        <div className="banner banner-error" role="note">
          <strong>Error:</strong> {t.error}
        </div>
      ) : null}
      <div className="two-col two-col-wide">
        <div className="stack">
          <Card title="Query">
            <div className="prose-text">{t.query || <span className="muted">(empty)</span>}</div>
          </Card>
          <ResponseCard response={t.response} evaluations={t.evaluations} waiting={t.evaluations.length === 0 && polls < 15} />
          {t.reference ? (
            <Card title="Reference answer">
              <div className="prose-text">{t.reference}</div>
            </Card>
          ) : null}
        </div>
        <div className="stack">
          <ContextsCard contexts={t.contexts} />
        </div>
      </div>
      <Waterfall trace={t} />
      <EvaluationsCard evaluations={t.evaluations} total={t.evaluation_cost_usd} />
      {Object.keys(t.metadata).length ? (
        <Card title="Metadata">
          <pre className="json" tabIndex={0} aria-label="Metadata JSON">
            {JSON.stringify(t.metadata, null, 2)}
          </pre>
        </Card>
      ) : null}
    </div>
  );
}

function ResponseCard({ response, evaluations, waiting }: { response: string | null; evaluations: Evaluation[]; waiting: boolean }) {
  const src = useMemo(() => claimSource(evaluations), [evaluations]);
  const text = response ?? '';
  const segments = useMemo(() => segmentResponse(text, src?.claims ?? []), [text, src]);
  const unsupported = (src?.claims ?? []).map((c, i) => ({ c, i })).filter((x) => !x.c.supported);
  const base = useId();
  const markId = (i: number) => `${base}-claim-${i}`;
  const placed = new Set(segments.filter((s) => s.claim !== undefined).map((s) => s.claim!));
  return (
    <Card title="Response" actions={unsupported.length ? <Badge tone="bad">{unsupported.length} unsupported</Badge> : src ? <Badge tone="good">all statements supported</Badge> : null}>
      {response === null ? <p className="muted">No response was recorded.</p> : null}
      {response !== null ? (
        <div className="prose-text response-text" data-testid="response">
          {segments.map((s, k) =>
            s.claim === undefined ? (
              <span key={k}>{s.text}</span>
            ) : (
              <mark key={k} className="claim-unsupported" id={markId(s.claim)} tabIndex={0} aria-describedby={`${markId(s.claim)}-tip`} data-claim={s.claim}>
                {s.text}
                <span className="claim-tip" role="tooltip" id={`${markId(s.claim)}-tip`}>
                  <strong>Not supported by the contexts.</strong> {src?.claims[s.claim]?.reason ?? ''}
                </span>
              </mark>
            ),
          )}
        </div>
      ) : null}
      {waiting && !src ? <p className="muted small">Waiting for the evaluation…</p> : null}
      {unsupported.length ? (
        <div className="claims">
          <h3>Unsupported statements</h3>
          <ol className="claim-list">
            {unsupported.map(({ c, i }) => (
              <li key={i}>
                <q>{c.text}</q>
                {c.reason ? <div className="claim-reason">{c.reason}</div> : null}
                {placed.has(i) ? (
                  <button type="button" className="btn-link small" onClick={() => document.getElementById(markId(i))?.focus()}>
                    Show in the response
                  </button>
                ) : null}
              </li>
            ))}
          </ol>
          <p className="muted small">
            Judged by the {src?.ev.evaluator} evaluator ({src?.ev.metric}).
          </p>
        </div>
      ) : null}
    </Card>
  );
}

function ContextsCard({ contexts }: { contexts: TraceDetail['contexts'] }) {
  const max = Math.max(1, ...contexts.map((c) => (typeof c.score === 'number' ? c.score : 0)));
  return (
    <Card title={`Contexts (${contexts.length})`}>
      {contexts.length === 0 ? <p className="muted">No retrieved contexts were sent with this trace, so faithfulness cannot be judged.</p> : null}
      <ol className="contexts">
        {contexts.map((c, i) => (
          <li key={i} className="context">
            <div className="context-head">
              <span className="context-source">{c.source ?? `context ${i + 1}`}</span>
              {typeof c.score === 'number' ? (
                <span className="context-score" title="Retrieval score">
                  <span className="cell-bar" aria-hidden="true">
                    <span style={{ width: `${Math.max(0, Math.min(1, c.score / max)) * 100}%` }} />
                  </span>
                  score {num(c.score)}
                </span>
              ) : null}
            </div>
            <ContextText text={c.text} />
          </li>
        ))}
      </ol>
    </Card>
  );
}

function ContextText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const long = text.length > 600;
  return (
    <div className="context-text">
      {long && !open ? `${text.slice(0, 600)}…` : text}
      {long ? (
        <button type="button" className="btn-link small" aria-expanded={open} onClick={() => setOpen(!open)}>
          {open ? 'Show less' : 'Show all'}
        </button>
      ) : null}
    </div>
  );
}

function Waterfall({ trace }: { trace: TraceDetail }) {
  const spans = trace.spans ?? [];
  const { rows, totalMs } = useMemo(() => layoutWaterfall(spans), [spans]);
  if (!spans.length) {
    return (
      <Card title="Spans">
        <p className="muted">This trace has no spans. Send <code>spans[]</code> (retrieval, LLM calls, tools…) to see where the time goes.</p>
      </Card>
    );
  }
  const ticks = [0, 0.25, 0.5, 0.75, 1];
  return (
    <Card title={`Spans (${spans.length}) · ${ms(totalMs)}`}>
      <div className="waterfall" aria-label="Span waterfall">
        <div className="wf-row wf-head" aria-hidden="true">
          <div className="wf-name">
            Span
          </div>
          <div className="wf-track" aria-label="Timeline">
            {ticks.map((k) => (
              <span key={k} className="wf-tick" style={{ left: `${k * 100}%` }}>
                {ms(totalMs * k)}
              </span>
            ))}
          </div>
          <div className="wf-dur">
            Duration
          </div>
        </div>
        {rows.map((r) => (
          <details key={r.span.id} className="wf-item">
            <summary className="wf-row">
              <div className="wf-name" style={{ paddingLeft: `${r.depth * 16 + 4}px` }}>
                <span className={`kind kind-${r.span.kind}`}>{r.span.kind}</span> <span className="cell-text">{r.span.name}</span>
              </div>
              <div className="wf-track" aria-label={`starts at ${ms(r.startMs)}, lasts ${ms(r.durationMs)}`}>
                <span className={`wf-bar kind-bg-${r.span.kind}${r.span.status === 'error' ? ' wf-error' : ''}`} style={{ left: `${r.offset * 100}%`, width: `max(2px, ${r.width * 100}%)` }} />
              </div>
              <div className="wf-dur num">
                {ms(r.durationMs)}
              </div>
            </summary>
            <div className="wf-detail">
              <dl className="facts small">
                {r.span.model ? <div><dt>Model</dt><dd>{r.span.model}</dd></div> : null}
                {r.span.input_tokens !== null ? <div><dt>Tokens</dt><dd>{int(r.span.input_tokens)} in · {int(r.span.output_tokens)} out</dd></div> : null}
                {r.span.cost_usd !== null ? <div><dt>Cost</dt><dd>{usd(r.span.cost_usd)}</dd></div> : null}
                <div><dt>Status</dt><dd>{r.span.status}</dd></div>
              </dl>
              {r.span.error ? <div className="banner banner-error">{r.span.error}</div> : null}
              {Object.keys(r.span.attributes).length ? <pre className="json">{JSON.stringify(r.span.attributes, null, 2)}</pre> : null}
            </div>
          </details>
        ))}
      </div>
    </Card>
  );
}

function EvaluationsCard({ evaluations, total }: { evaluations: Evaluation[]; total: number }) {
  return (
    <Card title={`Evaluations (${evaluations.length})`} actions={<span className="muted">evaluation cost {usd(total)}</span>}>
      {evaluations.length === 0 ? (
        <p className="muted">No evaluations yet. The worker scores new traces within seconds; check the evaluation settings if none appear.</p>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <TableHead columns={['Metric', numCol('Score'), 'Label', 'Reason', 'Evaluator', numCol('Tokens'), numCol('Cost')]} />
            <tbody>
              {evaluations.map((e) => (
                <tr key={e.id}>
                  <th scope="row">{e.metric}</th>
                  <td className="num">{e.score === null ? '—' : num(e.score)}</td>
                  <td>{e.label ? <Badge tone={labelTone(e.label)}>{e.label}</Badge> : '—'}</td>
                  <td className="reason">{e.reason ?? '—'}</td>
                  <td>{e.evaluator}</td>
                  <td className="num">{int(e.tokens)}</td>
                  <td className="num">{usd(e.cost_usd)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
