// Fuzz targets of every read endpoint: generated paths, query strings and credentials. Reads change
// nothing, so the only invariants are the common ones (no 5xx, no crash, /health stays quick),
// plus: a path that climbs out of the dashboard folder never serves a file from outside it.
import fc from 'fast-check';
import { call, endpoint, fail, type Endpoint } from '../check.js';
import { Violation } from '../harness.js';
import { getRequest, segment, type Keys, type QuerySpec } from '../requests.js';
import { cleanId, cleanString } from '../values.js';

const iso = fc.integer({ min: -90 * 86_400_000, max: 86_400_000 }).map((dt) => new Date(Date.now() + dt).toISOString());
const time = fc.oneof(iso, fc.integer({ min: 0, max: 2_000_000_000_000 }).map(String), fc.constantFrom('9000000000000000', '-1', '0', '2026-13-45T99:99:99Z', '275760-09-13T00:00:00.000Z', 'yesterday', '1e308'));
const windows = fc.constantFrom('1h', '24h', '7d', '30d', '90d', '1y', '0h', '-1d', '99999d');
const int = fc.oneof(fc.integer({ min: 1, max: 500 }).map(String), fc.constantFrom('0', '-1', '501', '3000000000', '1.5', '1e3', 'NaN', '0x10', ' 5 '));
const range: QuerySpec = { window: windows, from: time, to: time };
const traceQuery: QuerySpec = {
  ...range,
  model: cleanString(20),
  provider: cleanString(10),
  user_id: cleanString(10),
  session_id: cleanString(10),
  tag: cleanString(10),
  status: fc.constantFrom('success', 'error', 'pending'),
  min_latency_ms: int,
  max_latency_ms: int,
  q: cleanString(30),
  sort: fc.constantFrom('-timestamp', 'timestamp', '-latency_ms', 'cost_usd', 'id'),
  limit: int,
  cursor: fc.oneof(cleanId, fc.constantFrom('eyJ0IjoiMjAyNi0wMS0wMVQwMDowMDowMFoiLCJpZCI6IngifQ', 'eyJ0Ijo5OTk5OTk5OTk5OTk5OTk5OTk5fQ')),
};

interface Read {
  name: string;
  path: fc.Arbitrary<string>;
  query?: QuerySpec;
  weight?: number;
}

/** Every GET, given the keys, the project's id and slug and a few stored trace ids. */
export function readEndpoints(k: Keys, project: { id: string; slug: string }, seeded: string[]): Array<Endpoint<unknown>> {
  const p = segment([project.id, project.slug]);
  const reads: Read[] = [
    { name: 'GET /api/v1/traces', path: fc.constant('/api/v1/traces'), query: traceQuery, weight: 3 },
    { name: 'GET /api/v1/traces/:id', path: segment(seeded).map((s) => `/api/v1/traces/${s}`), weight: 2 },
    { name: 'GET /api/v1/evaluations', path: fc.constant('/api/v1/evaluations'), query: { trace_id: fc.constantFrom(...seeded), metric: fc.constantFrom('faithfulness', 'pii'), label: cleanString(8), min_score: int, max_score: int, from: iso, to: iso, limit: int, cursor: cleanId } },
    { name: 'GET /api/v1/evaluations/costs', path: fc.constant('/api/v1/evaluations/costs'), query: { from: time, to: time } },
    { name: 'GET /api/v1/queue', path: fc.constant('/api/v1/queue') },
    { name: 'GET /api/v1/alerts', path: fc.constant('/api/v1/alerts'), query: { status: fc.constantFrom('open', 'resolved', 'x'), type: cleanString(10), from: iso, to: iso, limit: int, cursor: cleanId } },
    { name: 'GET /api/v1/alerts/:id', path: segment([]).map((s) => `/api/v1/alerts/${s}`) },
    { name: 'GET /api/v1/metrics/summary', path: fc.constant('/api/v1/metrics/summary'), query: range, weight: 2 },
    { name: 'GET /api/v1/metrics/timeseries', path: fc.constant('/api/v1/metrics/timeseries'), query: { ...range, bucket: fc.constantFrom('minute', 'hour', 'day', 'week') }, weight: 2 },
    { name: 'GET /api/v1/metrics/breakdown', path: fc.constant('/api/v1/metrics/breakdown'), query: { ...range, by: fc.constantFrom('model', 'user', 'tag', 'provider', 'x'), limit: int }, weight: 2 },
    { name: 'GET /api/v1/budgets', path: fc.constant('/api/v1/budgets') },
    { name: 'GET /api/v1/budgets/:id/status', path: segment([]).map((s) => `/api/v1/budgets/${s}/status`) },
    { name: 'GET /api/v1/costs/forecast', path: fc.constant('/api/v1/costs/forecast'), query: { days: fc.constantFrom('7', '30', '0', '-7', '3000000000') } },
    { name: 'GET /api/v1/costs/recommendations', path: fc.constant('/api/v1/costs/recommendations') },
    { name: 'GET /api/v1/export/traces', path: fc.constant('/api/v1/export/traces'), query: { ...range, format: fc.constantFrom('csv', 'json', 'xml'), limit: int } },
    { name: 'GET /api/v1/export/costs', path: fc.constant('/api/v1/export/costs'), query: { ...range, format: fc.constantFrom('csv', 'json'), by: fc.constantFrom('day', 'model', 'user', 'tag', 'provider', 'x') } },
    { name: 'GET /api/v1/project', path: fc.constant('/api/v1/project') },
    { name: 'GET /api/v1/projects/:id/evaluation-config', path: p.map((s) => `/api/v1/projects/${s}/evaluation-config`) },
    { name: 'GET /api/v1/alert-config/:project_id', path: p.map((s) => `/api/v1/alert-config/${s}`) },
    { name: 'GET /api/v1/projects/:id/providers', path: p.map((s) => `/api/v1/projects/${s}/providers`) },
    { name: 'GET /api/v1/projects/:id/providers/:provider', path: fc.tuple(p, segment(['openai', 'anthropic', 'mock'])).map(([a, b]) => `/api/v1/projects/${a}/providers/${b}`) },
    { name: 'GET /v1/models', path: fc.constant('/v1/models') },
    { name: 'GET /health/ready', path: fc.constant('/health/ready') },
    { name: 'GET /openapi.json', path: fc.constantFrom('/openapi.json', '/metrics', '/docs/json') },
  ];
  const out = reads.map((r) =>
    endpoint({
      name: r.name,
      weight: r.weight ?? 1,
      arb: getRequest(r.path, k, r.query),
      async run(ctx, req) {
        await call(ctx, r.name, req);
      },
    }),
  );
  const dashboard = 'GET /* (dashboard)';
  out.push(
    endpoint({
      name: dashboard,
      weight: 1,
      arb: fc.array(segment(['traces', 'assets', 'index.html', 'favicon.svg']), { minLength: 1, maxLength: 4 }).map((segs) => ({ method: 'GET', path: `/${segs.join('/')}`, headers: { accept: 'text/html' } })),
      async run(ctx, req) {
        const res = await call(ctx, dashboard, req);
        if (res.status === 200 && /"name":\s*"aether"|"devDependencies"/.test(res.body.toString('utf8'))) fail(ctx, dashboard, new Violation('leak', 'served package.json from outside the dashboard folder', req, res));
      },
    }),
  );
  return out;
}
