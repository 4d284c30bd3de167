// Traces explorer: filters (model, user, tag, status, latency range, text), a windowed table that
// pages in with the cursor as you scroll, live tail, and hallucination badges.
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { api, download, errorMessage } from '../api';
import { Badge, ErrorBanner, Notice, PageHeader, Spinner } from '../components/ui';
import { VirtualTable, type Column } from '../components/VirtualTable';
import { ago, dateTime, int, ms, RANGE_LABEL, RANGE_MS, truncate, usd } from '../lib/format';
import { navigate, setSearch, useLocation } from '../router';
import { useApp } from '../state';
import type { Breakdown, Evaluation, Page, Trace } from '../types';
import { FirstTrace } from './Overview';

const FIRST_PAGE = 200;
const NEXT_PAGE = 500;
const MAX_ROWS = 50_000;
const TAIL_MS = 2000;
const FILTERS = ['model', 'user_id', 'tag', 'status', 'min_latency_ms', 'max_latency_ms', 'q', 'sort', 'label'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

interface Loaded {
  key: string;
  rows: Trace[];
  cursor: string | null;
  scrollTop: number;
  flagged: Set<string>;
  from: string;
}
/** Kept across visits, so coming back from a trace shows the same rows at the same place. */
let cache: Loaded | null = null;

/** Client-side check of the list filters, for traces fetched one by one. */
function matches(t: Trace, f: Filters): boolean {
  if (f.model && t.model !== f.model) return false;
  if (f.user_id && t.user_id !== f.user_id) return false;
  if (f.tag && !t.tags.includes(f.tag)) return false;
  if (f.status && t.status !== f.status) return false;
  if (f.min_latency_ms && !((t.latency_ms ?? -1) >= Number(f.min_latency_ms))) return false;
  if (f.max_latency_ms && !((t.latency_ms ?? Infinity) <= Number(f.max_latency_ms))) return false;
  if (f.q) {
    const q = f.q.toLowerCase();
    if (!t.query.toLowerCase().includes(q) && !(t.response ?? '').toLowerCase().includes(q)) return false;
  }
  return true;
}

/** A page of traces the evaluator flagged as hallucinated, newest evaluation first (the list API has no such filter). */
async function flaggedPage(f: Filters, from: string, limit: number, cursor: string | undefined, signal?: AbortSignal): Promise<Page<Trace>> {
  const ev = await api.get<Page<Evaluation>>('/api/v1/evaluations', { metric: 'hallucination', label: 'hallucinated', from, limit: Math.min(limit, 100), cursor }, signal);
  const out: Array<Trace | null> = new Array(ev.data.length).fill(null);
  let next = 0;
  const worker = async () => {
    while (next < ev.data.length) {
      const i = next++;
      out[i] = await api.get<Trace>(`/api/v1/traces/${encodeURIComponent(ev.data[i]!.trace_id)}`, undefined, signal).catch(() => null);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return { data: out.filter((t): t is Trace => !!t && matches(t, f)), next_cursor: ev.next_cursor };
}

function filtersOf(search: URLSearchParams): Filters {
  const f: Filters = {};
  for (const k of FILTERS) {
    const v = search.get(k);
    if (v) f[k] = v;
  }
  return f;
}

export function Traces() {
  const { range, projectId, tick } = useApp();
  const { search } = useLocation();
  const filters = useMemo(() => filtersOf(search), [search]);
  const key = JSON.stringify({ projectId, range, filters });
  const reuse = cache && cache.key === key ? cache : null;
  const [rows, setRows] = useState<Trace[]>(reuse?.rows ?? []);
  const [cursor, setCursor] = useState<string | null>(reuse?.cursor ?? null);
  const [flagged, setFlagged] = useState<Set<string>>(reuse?.flagged ?? new Set());
  const [loading, setLoading] = useState(!reuse);
  const [error, setError] = useState<string | null>(null);
  const [tail, setTail] = useState(false);
  const [pending, setPending] = useState<Trace[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const scrollTop = useRef(reuse?.scrollTop ?? 0);
  const scroller = useRef<HTMLDivElement | null>(null);
  const busy = useRef(false);
  const from = useRef(reuse?.from ?? new Date(Date.now() - RANGE_MS[range]).toISOString());
  const [loadedKey, setLoadedKey] = useState<string | null>(reuse ? key : null);
  const sort = filters.sort ?? '-timestamp';
  const flaggedOnly = filters.label === 'hallucinated';
  const canTail = sort === '-timestamp' && !flaggedOnly;

  const fetchPage = useCallback(
    (limit: number, cursor?: string, signal?: AbortSignal) => {
      if (flaggedOnly) return flaggedPage(filters, from.current, limit, cursor, signal);
      const { label: _label, ...rest } = filters;
      return api.get<Page<Trace>>('/api/v1/traces', { ...rest, sort, from: from.current, limit, cursor }, signal);
    },
    [filters, sort, flaggedOnly],
  );

  // Keep the cache in step with what is shown (once the rows shown are those of this key).
  useEffect(() => {
    if (loadedKey === key) cache = { key, rows, cursor, scrollTop: scrollTop.current, flagged, from: from.current };
  }, [key, loadedKey, rows, cursor, flagged]);

  const loadFlags = useCallback(async (signal?: AbortSignal) => {
    try {
      const r = await api.get<Page<Evaluation>>('/api/v1/evaluations', { metric: 'hallucination', label: 'hallucinated', limit: 500, from: from.current }, signal);
      setFlagged(new Set(r.data.map((e) => e.trace_id)));
    } catch {
      /* badges are a nicety */
    }
  }, []);

  // First page whenever the filters, range or project change (unless the cache has them).
  const reusedOnMount = useRef(!!reuse);
  useEffect(() => {
    if (reusedOnMount.current) {
      reusedOnMount.current = false;
      return;
    }
    const ac = new AbortController();
    from.current = new Date(Date.now() - RANGE_MS[range]).toISOString();
    setLoading(true);
    setError(null);
    setRows([]);
    setCursor(null);
    setPending([]);
    setLoadedKey(null);
    scrollTop.current = 0;
    if (scroller.current) scroller.current.scrollTop = 0;
    busy.current = true;
    fetchPage(FIRST_PAGE, undefined, ac.signal)
      .then((p) => {
        setRows(p.data);
        setCursor(p.next_cursor);
        setLoading(false);
        setLoadedKey(key);
      })
      .catch((e: unknown) => {
        if (ac.signal.aborted) return;
        setError(errorMessage(e));
        setLoading(false);
      })
      .finally(() => {
        busy.current = false;
      });
    void loadFlags(ac.signal);
    return () => ac.abort();
  }, [key]);

  const loadMore = useCallback(() => {
    if (busy.current || !cursor || rows.length >= MAX_ROWS) return;
    busy.current = true;
    fetchPage(NEXT_PAGE, cursor)
      .then((p) => {
        setRows((r) => {
          const seen = new Set(r.map((t) => t.id));
          return r.concat(p.data.filter((t) => !seen.has(t.id)));
        });
        setCursor(p.next_cursor);
      })
      .catch((e: unknown) => setError(errorMessage(e)))
      .finally(() => {
        busy.current = false;
      });
  }, [cursor, rows.length, fetchPage]);

  /** Traces newer than the newest shown. */
  const fetchNewer = useCallback(async (): Promise<Trace[]> => {
    const newest = rows[0]?.timestamp ?? from.current;
    const { label: _label, ...rest } = filters;
    const p = await api.get<Page<Trace>>('/api/v1/traces', { ...rest, sort: '-timestamp', from: newest, limit: 200 });
    const have = new Set(rows.map((t) => t.id));
    for (const t of pending) have.add(t.id);
    return p.data.filter((t) => !have.has(t.id));
  }, [rows, filters, pending]);

  const prepend = useCallback((add: Trace[]) => {
    if (!add.length) return;
    const el = scroller.current;
    const keepPlace = el && el.scrollTop > 0;
    setRows((r) => add.concat(r));
    setFresh(new Set(add.map((t) => t.id)));
    if (keepPlace && el) requestAnimationFrame(() => (el.scrollTop += add.length * 40));
    void loadFlags();
  }, [loadFlags]);

  // Live tail: poll for newer traces and put them on top.
  useEffect(() => {
    if (!tail || !canTail || loading) return;
    let stop = false;
    const id = window.setInterval(async () => {
      if (stop || document.visibilityState !== 'visible') return;
      try {
        const add = await fetchNewer();
        if (!stop) prepend(add);
      } catch {
        /* next tick */
      }
    }, TAIL_MS);
    return () => {
      stop = true;
      window.clearInterval(id);
    };
  }, [tail, canTail, loading, fetchNewer, prepend]);

  // Global live refresh without tail: count what arrived, show it on request.
  const lastTick = useRef(tick);
  useEffect(() => {
    if (tick === lastTick.current) return;
    lastTick.current = tick;
    if (tail || !canTail || loading) return;
    fetchNewer()
      .then((add) => add.length && setPending((p) => add.concat(p)))
      .catch(() => undefined);
  }, [tick]);

  const columns = useMemo<Column<Trace>[]>(
    () => [
      { key: 'time', header: 'Time', width: '96px', render: (t) => <span title={dateTime(t.timestamp)}>{ago(t.timestamp)}</span> },
      { key: 'status', header: 'Status', width: '84px', render: (t) => (t.status === 'error' ? <Badge tone="bad">error</Badge> : <Badge tone="good">ok</Badge>) },
      {
        key: 'query',
        header: 'Query',
        width: 'auto',
        minWidth: 160,
        render: (t) => (
          <span className="cell-query">
            {flagged.has(t.id) ? (
              <Badge tone="bad" title="The evaluator found statements the contexts do not support">
                hallucinated
              </Badge>
            ) : null}
            <span className="cell-text" title={truncate(t.query, 300)}>
              {truncate(t.query, 140) || <span className="muted">(empty)</span>}
            </span>
          </span>
        ),
      },
      { key: 'model', header: 'Model', width: '140px', render: (t) => t.model ?? '—' },
      { key: 'user', header: 'User', width: '96px', render: (t) => t.user_id ?? '—' },
      { key: 'latency', header: 'Latency', width: '90px', align: 'right', render: (t) => ms(t.latency_ms) },
      { key: 'tokens', header: 'Tokens', width: '86px', align: 'right', render: (t) => int(t.token_count ?? (t.input_tokens ?? 0) + (t.output_tokens ?? 0)) },
      { key: 'cost', header: 'Cost', width: '90px', align: 'right', render: (t) => usd(t.cost_usd) },
      // One tag and a count: a row is one line high, and chips cut at the edge would hide what they say.
      { key: 'tags', header: 'Tags', width: '140px', render: (t) => <TagsCell tags={t.tags} /> },
    ],
    [flagged],
  );

  const open = useCallback((t: Trace) => navigate(`/traces/${encodeURIComponent(t.id)}`), []);
  const href = useCallback((t: Trace) => `/traces/${encodeURIComponent(t.id)}`, []);
  const rowKey = useCallback((t: Trace) => t.id, []);
  const rowClass = useCallback((t: Trace) => (fresh.has(t.id) ? 'fresh' : t.status === 'error' ? 'is-error' : undefined), [fresh]);
  const active = Object.keys(filters).filter((k) => k !== 'sort').length;
  const noData = !loading && !error && rows.length === 0;

  return (
    <div className="page page-fill">
      <PageHeader
        title="Traces"
        subtitle={`${RANGE_LABEL[range]}${active ? ` · ${active} filter${active > 1 ? 's' : ''}` : ''}`}
        actions={
          <>
            <button type="button" className={`btn btn-small live-btn${tail ? ' on' : ''}`} aria-pressed={tail} onClick={() => setTail(!tail)} disabled={!canTail} title={canTail ? 'New traces appear on top as they arrive' : 'Live tail needs newest-first order'}>
              <span className="live-dot" aria-hidden="true" />
              Live tail
            </button>
            <button type="button" className="btn btn-small" onClick={() => download('/api/v1/export/traces', { format: 'csv', from: from.current }, 'traces.csv').catch((e: unknown) => setError(errorMessage(e)))}>
              Export CSV
            </button>
          </>
        }
      />
      <TraceFilters filters={filters} />
      <ErrorBanner error={error} />
      {pending.length > 0 && !tail ? (
        <button type="button" className="btn btn-small new-pill" onClick={() => { prepend(pending); setPending([]); }}>
          ↑ {pending.length} new trace{pending.length > 1 ? 's' : ''}
        </button>
      ) : null}
      {loading ? <Spinner label="Loading traces" /> : null}
      {noData && active === 0 && projectId ? <NoTraces projectId={projectId} /> : null}
      {noData && active > 0 ? (
        <Notice>
          No trace matches these filters in the {RANGE_LABEL[range].toLowerCase()}.{' '}
          <button type="button" className="btn-link" onClick={() => setSearch(Object.fromEntries(FILTERS.map((k) => [k, null])))}>
            Clear the filters
          </button>
        </Notice>
      ) : null}
      {rows.length > 0 ? (
        <VirtualTable
          rows={rows}
          columns={columns}
          rowKey={rowKey}
          label="Traces"
          onOpen={open}
          rowHref={href}
          onNearEnd={loadMore}
          initialScrollTop={scrollTop.current}
          onScrollTop={(t) => {
            scrollTop.current = t;
            if (cache) cache.scrollTop = t;
          }}
          rowClass={rowClass}
          scrollRef={(el) => (scroller.current = el)}
          footer={
            <span aria-live="polite" data-testid="trace-count">
              {int(rows.length)} trace{rows.length === 1 ? '' : 's'} loaded{cursor ? (rows.length >= MAX_ROWS ? ` · showing the first ${int(MAX_ROWS)}; narrow the filters` : ' · scroll for more') : ' · all loaded'}
            </span>
          }
        />
      ) : null}
    </div>
  );
}

function NoTraces({ projectId }: { projectId: string }) {
  const { range } = useApp();
  const [any, setAny] = useState<boolean | null>(null);
  useEffect(() => {
    api.get<Page<Trace>>('/api/v1/traces', { limit: 1 }).then((p) => setAny(p.data.length > 0), () => setAny(true));
  }, []);
  if (any === null) return null;
  if (!any) return <FirstTrace projectId={projectId} />;
  return <Notice>No traces in the {RANGE_LABEL[range].toLowerCase()}. Pick a longer range above.</Notice>;
}

function TraceFilters({ filters }: { filters: Filters }) {
  const [draft, setDraft] = useState<Filters>(filters);
  const [err, setErr] = useState<string | null>(null);
  useEffect(() => setDraft(filters), [filters]);
  const { range } = useApp();
  const [options, setOptions] = useState<{ model: string[]; user: string[]; tag: string[] }>({ model: [], user: [], tag: [] });
  useEffect(() => {
    const ac = new AbortController();
    Promise.all(
      (['model', 'user', 'tag'] as const).map((by) =>
        api
          .get<Breakdown>('/api/v1/metrics/breakdown', { by, window: range === '15m' || range === '1h' ? '6h' : range, limit: 100 }, ac.signal)
          .then((b) => b.items.map((i) => i.key))
          .catch(() => [] as string[]),
      ),
    ).then(([model, user, tag]) => !ac.signal.aborted && setOptions({ model: model!, user: user!, tag: tag! }));
    return () => ac.abort();
  }, [range]);

  const apply = (f: Filters) => {
    const min = f.min_latency_ms ? Number(f.min_latency_ms) : undefined;
    const max = f.max_latency_ms ? Number(f.max_latency_ms) : undefined;
    if ((min !== undefined && !(min >= 0)) || (max !== undefined && !(max >= 0))) return setErr('Latency bounds must be numbers ≥ 0');
    if (min !== undefined && max !== undefined && min > max) return setErr('The minimum latency is above the maximum');
    if (f.q && f.q.length > 500) return setErr('Search text is limited to 500 characters');
    setErr(null);
    setSearch(Object.fromEntries(FILTERS.map((k) => [k, f[k]?.trim() || null])));
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply(draft);
  };
  const set = (k: keyof Filters, v: string, now = false) => {
    const next = { ...draft, [k]: v };
    setDraft(next);
    if (now) apply(next);
  };
  const clear = () => {
    setDraft({});
    apply({});
  };
  return (
    <form className="filters" onSubmit={submit} aria-label="Trace filters" role="search">
      <div className="filter filter-q">
        <label htmlFor="f-q">Search</label>
        <input id="f-q" className="input" type="search" placeholder="Text in query or response" value={draft.q ?? ''} onChange={(e) => set('q', e.target.value)} />
      </div>
      <div className="filter">
        <label htmlFor="f-model">Model</label>
        <input id="f-model" className="input" list="dl-model" placeholder="any" value={draft.model ?? ''} onChange={(e) => set('model', e.target.value)} />
        <datalist id="dl-model">{options.model.map((m) => <option key={m} value={m} />)}</datalist>
      </div>
      <div className="filter">
        <label htmlFor="f-user">User</label>
        <input id="f-user" className="input" list="dl-user" placeholder="any" value={draft.user_id ?? ''} onChange={(e) => set('user_id', e.target.value)} />
        <datalist id="dl-user">{options.user.map((m) => <option key={m} value={m} />)}</datalist>
      </div>
      <div className="filter">
        <label htmlFor="f-tag">Tag</label>
        <input id="f-tag" className="input" list="dl-tag" placeholder="any" value={draft.tag ?? ''} onChange={(e) => set('tag', e.target.value)} />
        <datalist id="dl-tag">{options.tag.map((m) => <option key={m} value={m} />)}</datalist>
      </div>
      <div className="filter filter-narrow">
        <label htmlFor="f-status">Status</label>
        <select id="f-status" className="input" value={draft.status ?? ''} onChange={(e) => set('status', e.target.value, true)}>
          <option value="">any</option>
          <option value="success">ok</option>
          <option value="error">error</option>
        </select>
      </div>
      <fieldset className="filter filter-range">
        <legend>Latency (ms)</legend>
        <div className="range-inputs">
          <input aria-label="Minimum latency in milliseconds" className="input" inputMode="numeric" placeholder="min" value={draft.min_latency_ms ?? ''} onChange={(e) => set('min_latency_ms', e.target.value)} />
          <span aria-hidden="true">–</span>
          <input aria-label="Maximum latency in milliseconds" className="input" inputMode="numeric" placeholder="max" value={draft.max_latency_ms ?? ''} onChange={(e) => set('max_latency_ms', e.target.value)} />
        </div>
      </fieldset>
      <div className="filter filter-narrow">
        <label htmlFor="f-sort">Sort</label>
        <select id="f-sort" className="input" value={draft.sort ?? '-timestamp'} onChange={(e) => set('sort', e.target.value === '-timestamp' ? '' : e.target.value, true)}>
          <option value="-timestamp">Newest</option>
          <option value="timestamp">Oldest</option>
          <option value="-latency_ms">Slowest</option>
          <option value="latency_ms">Fastest</option>
          <option value="-cost_usd">Most expensive</option>
          <option value="cost_usd">Cheapest</option>
        </select>
      </div>
      <div className="filter filter-check">
        <input id="f-flagged" type="checkbox" checked={draft.label === 'hallucinated'} onChange={(e) => set('label', e.target.checked ? 'hallucinated' : '', true)} />
        <label htmlFor="f-flagged">Hallucinated only</label>
      </div>
      <div className="filter-buttons">
        <button type="submit" className="btn btn-primary btn-small">
          Apply
        </button>
        <button type="button" className="btn btn-small btn-ghost" onClick={clear}>
          Clear
        </button>
      </div>
      {err ? (
        <div className="field-error filters-error" role="alert">
          {err}
        </div>
      ) : null}
    </form>
  );
}

/** The first tag (ellipsized when long) and "+N" for the rest; every tag in the tooltip. */
function TagsCell({ tags }: { tags: string[] }) {
  if (tags.length === 0) return null;
  return (
    <span className="tags" title={tags.join(', ')}>
      <span className="tag tag-first">{tags[0]}</span>
      {tags.length > 1 ? <span className="tag tag-more">+{tags.length - 1}</span> : null}
    </span>
  );
}
