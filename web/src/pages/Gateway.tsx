// Gateway: requests, cache hit rate, fallbacks and retries, per model, read from the traces the
// gateway writes (metadata.source = "gateway"); live breaker state; providers from the breakdown; the models it serves.
import { useMemo } from 'react';
import { api } from '../api';
import { BreakerTable } from '../components/BreakerTable';
import { Chart, type ChartSeries } from '../components/Chart';
import { Badge, Card, CodeBlock, Empty, ErrorBanner, numCol, PageHeader, Spinner, TableHead, Tile } from '../components/ui';
import { gatewayStats, isGatewayTrace, percentile } from '../lib/gateway-stats';
import { bucketFor, int, ms, pct, RANGE_LABEL, RANGE_MS, usd } from '../lib/format';
import { useApp, useAsync } from '../state';
import type { Breakdown, Page, Trace } from '../types';

const SAMPLE_PAGES = 4;
const PAGE = 500;

/** Newest traces of the range, up to SAMPLE_PAGES × PAGE. */
async function recentTraces(range: keyof typeof RANGE_MS, signal: AbortSignal): Promise<{ rows: Trace[]; capped: boolean }> {
  const from = new Date(Date.now() - RANGE_MS[range]).toISOString();
  let cursor: string | null = null;
  const rows: Trace[] = [];
  for (let i = 0; i < SAMPLE_PAGES; i++) {
    const p: Page<Trace> = await api.get<Page<Trace>>('/api/v1/traces', { from, limit: PAGE, ...(cursor ? { cursor } : {}) }, signal);
    rows.push(...p.data);
    cursor = p.next_cursor;
    if (!cursor) return { rows, capped: false };
  }
  return { rows, capped: true };
}

export function Gateway() {
  const { range, tick } = useApp();
  const traces = useAsync((signal) => recentTraces(range, signal), [range, tick]);
  const providers = useAsync((signal) => api.get<Breakdown>('/api/v1/metrics/breakdown', { by: 'provider', window: range, limit: 50 }, signal), [range, tick]);
  const models = useAsync((signal) => api.get<{ data: Array<{ id: string; owned_by?: string }> }>('/v1/models', undefined, signal), []);
  const stats = useMemo(() => gatewayStats(traces.data?.rows ?? []), [traces.data]);
  const timeline = useMemo(() => {
    const gw = (traces.data?.rows ?? []).filter(isGatewayTrace);
    if (!gw.length) return null;
    const size = { minute: 60_000, hour: 3_600_000, day: 86_400_000 }[bucketFor(range)];
    const end = Math.ceil(Date.now() / size) * size;
    const start = end - Math.ceil(RANGE_MS[range] / size) * size;
    const n = Math.round((end - start) / size);
    const req = new Array<number>(n).fill(0);
    const hit = new Array<number>(n).fill(0);
    const fb = new Array<number>(n).fill(0);
    for (const t of gw) {
      const i = Math.floor((Date.parse(t.timestamp) - start) / size);
      if (i < 0 || i >= n) continue;
      req[i]!++;
      if (t.metadata.cache === 'hit') hit[i]!++;
      if (t.metadata.fallback_used === true) fb[i]!++;
    }
    const x = req.map((_, i) => (start + i * size) / 1000);
    const series: ChartSeries[] = [
      { label: 'Requests', color: '--c1', values: req, kind: 'bars' },
      { label: 'Cache hits', color: '--c2', values: hit },
      { label: 'Fallbacks', color: '--c4', values: fb },
    ];
    return { x, series };
  }, [traces.data, range]);

  const loading = !traces.data && !traces.error;
  return (
    <div className="page">
      <PageHeader title="Gateway" subtitle={`${RANGE_LABEL[range]} · OpenAI-compatible at /v1/chat/completions, /v1/embeddings and Anthropic /v1/messages`} />
      <ErrorBanner error={traces.error} onRetry={traces.reload} />
      {loading ? <Spinner /> : null}
      {traces.data && stats.requests === 0 ? (
        <Empty title="No gateway traffic in this range" icon="⇄">
          <p>Point an OpenAI SDK at this server to route, cache, retry and trace every call:</p>
          <CodeBlock
            label="Gateway curl example"
            code={`curl ${window.location.origin}/v1/chat/completions \\
  -H "Authorization: Bearer $AETHER_API_KEY" \\
  -H "Content-Type: application/json" \\
  -H "x-aether-fallback: openai/gpt-4o-mini" \\
  -d '{"model": "mock/echo", "messages": [{"role": "user", "content": "Hello"}]}'`}
          />
          <p className="muted small">
            <code>mock/echo</code> answers without a provider key; configure provider keys under Settings → Provider credentials.
          </p>
        </Empty>
      ) : null}
      {stats.requests > 0 ? (
        <>
          <div className="tiles">
            <Tile label="Requests" value={int(stats.requests)} hint={`${int(stats.streamed)} streamed`} />
            <Tile label="Cache hit rate" value={pct(stats.cacheHitRate)} hint={`${int(stats.cache.hit)} hits · ${int(stats.cache.miss)} misses${stats.cache.bypass ? ` · ${int(stats.cache.bypass)} bypassed` : ''}`} />
            <Tile label="Fallbacks" value={int(stats.fallbacks)} hint={`${pct(stats.requests ? stats.fallbacks / stats.requests : null)} of requests`} tone={stats.fallbacks > 0 ? 'warn' : undefined} />
            <Tile label="Retried" value={int(stats.retried)} hint="more than one attempt" />
            <Tile label="Errors" value={int(stats.errors)} hint={pct(stats.requests ? stats.errors / stats.requests : null)} tone={stats.errors / stats.requests > 0.05 ? 'bad' : undefined} />
          </div>
          {traces.data?.capped ? <p className="muted small">Computed from the newest {int(SAMPLE_PAGES * PAGE)} traces of the range.</p> : null}
          {timeline ? (
            <Card title="Traffic">
              <Chart title="Gateway requests, cache hits and fallbacks over time" x={timeline.x} series={timeline.series} format={(v) => int(v)} />
            </Card>
          ) : null}
          <div className="two-col two-col-wide">
            <Card title="By model">
              <div className="table-scroll">
              <table className="table compact">
                <TableHead columns={['Model', numCol('Requests'), numCol('Cached'), numCol('Fallbacks'), numCol('Errors'), numCol('p95'), numCol('Cost')]} />
                <tbody>
                  {stats.byModel.map((m) => (
                    <tr key={m.key}>
                      <th scope="row" className="cell-name" title={m.key}>{m.key}</th>
                      <td className="num">{int(m.requests)}</td>
                      <td className="num">{pct(m.requests ? m.cacheHits / m.requests : null, 0)}</td>
                      <td className="num">{int(m.fallbacks)}</td>
                      <td className="num">{int(m.errors)}</td>
                      <td className="num">{ms(percentile(m.latencies, 0.95))}</td>
                      <td className="num">{usd(m.cost)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </div>
              {stats.fallbackPairs.length ? (
                <>
                  <h3 className="small-heading">Fallbacks taken</h3>
                  <ul className="list">
                    {stats.fallbackPairs.map((p) => (
                      <li key={`${p.from}-${p.to}`}>
                        <code>{p.from}</code> → <code>{p.to}</code> · {int(p.count)}
                      </li>
                    ))}
                  </ul>
                </>
              ) : null}
            </Card>
            <Card title="Circuit breakers">
              <BreakerTable tick={tick} />
              <p className="muted small">
                <strong>{int(stats.circuitOpen)}</strong> request{stats.circuitOpen === 1 ? ' was' : 's were'} refused because a breaker was open in this range.
              </p>
              {providers.data ? (
                <table className="table compact">
                  <TableHead columns={['Provider', numCol('Requests'), numCol('Error rate'), numCol('p95')]} />
                  <tbody>
                    {providers.data.items.map((p) => (
                      <tr key={p.key}>
                        <th scope="row">{p.key}</th>
                        <td className="num">{int(p.traces)}</td>
                        <td className="num">{p.error_rate !== null && p.error_rate > 0.2 ? <Badge tone="bad">{pct(p.error_rate)}</Badge> : pct(p.error_rate)}</td>
                        <td className="num">{ms(p.latency_ms.p95)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
            </Card>
          </div>
        </>
      ) : null}
      <Card title="Models and aliases served">
        <ErrorBanner error={models.error} />
        {models.data ? <ModelList models={models.data.data} /> : null}
        {!models.data && !models.error ? <Spinner /> : null}
      </Card>
    </div>
  );
}

/**
 * What GET /v1/models lists for this project: aliases as chips, then each provider's models folded
 * (with a key, a provider brings every model the price table knows for it: a hundred or more).
 */
function ModelList({ models }: { models: Array<{ id: string; owned_by?: string }> }) {
  const groups = new Map<string, string[]>();
  for (const m of models) {
    const owner = m.owned_by ?? 'aether';
    groups.set(owner, [...(groups.get(owner) ?? []), m.id]);
  }
  const aliases = groups.get('aether') ?? [];
  groups.delete('aether');
  const chips = (ids: string[]) => (
    <ul className="chips">
      {ids.map((id) => (
        <li key={id}>
          <code>{id}</code>
        </li>
      ))}
    </ul>
  );
  return (
    <>
      {aliases.length ? chips(aliases) : (
        <p className="muted">
          No aliases or fallbacks are configured (AETHER_GATEWAY_CONFIG). Any <code>provider/model</code> id works, e.g. <code>openai/gpt-4o-mini</code> or <code>anthropic/claude-3-5-haiku-latest</code>, once the server or this project has a key for the provider.
        </p>
      )}
      {[...groups].map(([owner, ids]) => (
        <details key={owner} className="model-group" open={ids.length <= 8}>
          <summary>
            <strong>{owner}</strong> <span className="muted small">{ids.length === 1 ? '1 model' : `${ids.length} models`}</span>
          </summary>
          {chips(ids)}
        </details>
      ))}
    </>
  );
}
