// Fuzz targets of the feature APIs: prompts and prompt settings, experiments, monitors, retrieval
// collections, the router and trace feedback, per-project prices and retention, and their reads.
// A few objects are stored first (a prompt, an experiment, a monitor, a collection) so paths can
// name existing rows. A clean write must be accepted where its shape alone makes it valid, and a
// 2xx write must read back.
import fc from 'fast-check';
import { call, endpoint, expectAccepted, fail, json, type Ctx, type Endpoint } from '../check.js';
import { Violation, type FuzzServer, type Req, type Res } from '../harness.js';
import { getRequest, jsonRequest, pct, segment, type Keys, type QuerySpec } from '../requests.js';
import * as b from '../bodies-features.js';
import { cleanString } from '../values.js';

type Gen = { req: Req; clean: boolean; value: unknown };
type At = { path: string; own: boolean };

/** A path segment: one of `valid` (own: true) or a hostile/unknown one. */
const seg = (valid: string[]): fc.Arbitrary<{ s: string; own: boolean }> =>
  fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...valid).map((v) => ({ s: pct(v), own: true })) }, { weight: 2, arbitrary: segment([]).map((s) => ({ s, own: false })) });

export interface Write {
  name: string;
  method: 'POST' | 'PUT' | 'DELETE';
  path: fc.Arbitrary<At>;
  /** Absent: a request without a body. */
  body?: fc.Arbitrary<unknown>;
  weight?: number;
  /** A clean body on an own path must answer 2xx (or one of `alsoOk`, e.g. 409 for a name already taken). */
  accept?: boolean;
  alsoOk?: number[];
  /** After a 2xx: the GET that must answer 200 (undefined: nothing to read). */
  readBack?: (res: Res, at: At) => string | undefined;
  /** Extra credentials/headers instead of the project key. */
  request?: (method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<unknown>) => fc.Arbitrary<Gen>;
}

/** GET `path` with the credentials of `req`; a non-200 is a lost write. */
export async function readBack(ctx: Ctx, name: string, path: string, req: Req, res: Res): Promise<void> {
  const creds = Object.fromEntries(Object.entries(req.headers).filter(([h]) => h === 'x-api-key' || h === 'authorization'));
  const r = await ctx.s.send({ method: 'GET', path, headers: creds });
  ctx.stats.record(`${name} (read-back)`, r.status);
  if (r.status !== 200) fail(ctx, name, new Violation('lost-write', `acknowledged write reads back from ${path} as ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`, req, res));
}

/** A table of writes as fuzz targets. */
export function writeTargets(k: Keys, writes: Write[]): Array<Endpoint<unknown>> {
  return writes.map((w) =>
    endpoint<Gen & { at: At }>({
      name: `${w.method} ${w.name}`,
      weight: w.weight ?? 1,
      arb: w.path.chain((at) => (w.request ?? ((m, p, body) => jsonRequest(m, p, k, body)))(w.method, fc.constant(at.path), w.body ?? fc.constant(undefined)).map((g) => ({ ...g, at }))),
      async run(ctx, g) {
        const name = `${w.method} ${w.name}`;
        const req = w.body ? g.req : { ...g.req, body: undefined, headers: Object.fromEntries(Object.entries(g.req.headers).filter(([h]) => h !== 'content-type')) };
        const res = await call(ctx, name, req);
        if (w.accept && g.clean && g.at.own && !w.alsoOk?.includes(res.status)) expectAccepted(ctx, name, req, res);
        if (res.status >= 200 && res.status < 300 && w.readBack) {
          const path = w.readBack(res, g.at);
          if (path) await readBack(ctx, name, path, req, res);
        }
      },
    }),
  );
}

/** Store one of each object the paths refer to; throws when the feature refuses a plain request. */
async function seed(s: FuzzServer, key: string): Promise<{ experiment: string; monitor: string; collection: string }> {
  const post = async (path: string, body: unknown, want = [200, 201]) => {
    const r = await s.send({ method: 'POST', path, headers: { 'x-api-key': key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!want.includes(r.status)) throw new Error(`fuzz seed ${path}: ${r.status} ${r.body.toString('utf8').slice(0, 300)}`);
    return JSON.parse(r.body.toString('utf8')) as { id?: string };
  };
  await post('/api/v1/prompts', { name: 'fz-prompt', prompt: 'Answer {{q}}', labels: ['production'] });
  const experiment = (await post('/api/v1/experiments', { name: 'fz-exp', prompt_name: 'fz-prompt', unit: 'request', variants: [{ name: 'a' }, { name: 'b', model: 'mock/echo' }] })).id!;
  const monitor = (await post('/api/v1/monitors', { name: 'fz-monitor', source: { type: 'aether' }, sampling: { strategy: 'most_recent', n: 2 }, metrics: [{ name: 'pii' }] })).id!;
  const collection = (await post('/api/v1/rag/collections', { name: 'fz-coll' })).id!;
  await post(`/api/v1/rag/collections/${collection}/documents`, { documents: [{ id: 'doc-1', text: 'Paris is the capital of France.' }] });
  return { experiment, monitor, collection };
}

const int = fc.oneof(fc.integer({ min: 1, max: 500 }).map(String), fc.constantFrom('0', '-1', '3000000000', '1.5', 'NaN', '1e308'));
const time = fc.oneof(fc.integer({ min: -90 * 86_400_000, max: 0 }).map((dt) => new Date(Date.now() + dt).toISOString()), fc.constantFrom('9000000000000000', '-1', 'yesterday', '275760-09-13T00:00:00.000Z', '2026-13-45'));

/** Feature targets on the main project (key `k.key`); prices and retention on `other` (its key in `k2`). */
export async function featureEndpoints(s: FuzzServer, k: Keys, k2: Keys, other: { id: string; slug: string }, seeded: string[]): Promise<Array<Endpoint<unknown>>> {
  const o = await seed(s, k.key);
  const prompt = seg(['fz-prompt', 'fz-chat']);
  const at = (a: fc.Arbitrary<{ s: string; own: boolean }>, f: (x: string) => string, own = true): fc.Arbitrary<At> => a.map((x) => ({ path: f(x.s), own: own && x.own }));
  const fixed = (path: string): fc.Arbitrary<At> => fc.constant({ path, own: true });
  const created = (f: (id: string) => string) => (res: Res) => {
    const id = json<{ id?: string }>(res)?.id;
    return id ? f(encodeURIComponent(id)) : undefined;
  };
  const writes: Write[] = [
    { name: '/api/v1/prompts', method: 'POST', path: fixed('/api/v1/prompts'), body: b.promptBody, weight: 3, accept: true, readBack: (res) => `/api/v1/prompts/${encodeURIComponent(json<{ name: string }>(res)?.name ?? '')}?version=${json<{ version: number }>(res)?.version ?? 1}` },
    { name: '/api/v1/prompts/:name/labels', method: 'POST', path: at(prompt, (x) => `/api/v1/prompts/${x}/labels`), body: b.labelMoveBody },
    { name: '/api/v1/prompts/:name/render', method: 'POST', path: at(prompt, (x) => `/api/v1/prompts/${x}/render`), body: b.renderBody },
    { name: '/api/v1/prompts/:name', method: 'DELETE', path: fc.tuple(segment([]), fc.option(int)).map(([x, v]) => ({ path: `/api/v1/prompts/${x}${v ? `?version=${v}` : ''}`, own: false })) },
    { name: '/api/v1/experiments', method: 'POST', path: fixed('/api/v1/experiments'), body: b.experimentBody, weight: 2, accept: true, readBack: created((id) => `/api/v1/experiments/${id}`) },
    { name: '/api/v1/experiments/:id/assign', method: 'POST', path: at(seg([o.experiment]), (x) => `/api/v1/experiments/${x}/assign`), body: b.assignBody },
    { name: '/api/v1/experiments/:id/start|pause|complete', method: 'POST', path: fc.tuple(seg([o.experiment]), fc.constantFrom('start', 'pause', 'complete')).map(([x, a]) => ({ path: `/api/v1/experiments/${x.s}/${a}`, own: false })), body: fc.record({ winner: fc.constantFrom('a', 'b', 'zz') }, { requiredKeys: [] }) },
    { name: '/api/v1/experiments/:id', method: 'DELETE', path: at(segment([]).map((x) => ({ s: x, own: false })), (x) => `/api/v1/experiments/${x}`) },
    { name: '/api/v1/monitors', method: 'POST', path: fixed('/api/v1/monitors'), body: fc.oneof({ weight: 3, arbitrary: b.monitorBody }, { weight: 1, arbitrary: b.monitorYaml.map((yaml) => ({ yaml })) }), weight: 2, accept: true, alsoOk: [409], readBack: created((id) => `/api/v1/monitors/${id}`) },
    // 409: the file's monitor has the name of one stored through the API (generated names may collide), as documented.
    { name: '/api/v1/monitors/run', method: 'POST', path: fixed('/api/v1/monitors/run'), body: b.monitorRunBody, accept: true, alsoOk: [409] },
    { name: '/api/v1/monitors/:id/run', method: 'POST', path: at(seg([o.monitor]), (x) => `/api/v1/monitors/${x}/run`), body: fc.record({ dry_run: fc.constant(true), since: time }, { requiredKeys: ['dry_run'] }) },
    { name: '/api/v1/monitors/:id', method: 'DELETE', path: at(segment([]).map((x) => ({ s: x, own: false })), (x) => `/api/v1/monitors/${x}`) },
    { name: '/api/v1/rag/collections', method: 'POST', path: fixed('/api/v1/rag/collections'), body: b.collectionBody, accept: true, readBack: created((id) => `/api/v1/rag/collections/${id}`) },
    { name: '/api/v1/rag/collections/:id/documents', method: 'POST', path: at(seg([o.collection, 'fz-coll']), (x) => `/api/v1/rag/collections/${x}/documents`), body: b.documentsBody, weight: 2, accept: true, readBack: (_res, a) => a.path },
    { name: '/api/v1/rag/collections/:id/search', method: 'POST', path: at(seg([o.collection, 'fz-coll']), (x) => `/api/v1/rag/collections/${x}/search`), body: b.searchBody, weight: 2, accept: true },
    { name: '/api/v1/rag/collections/:id', method: 'DELETE', path: at(segment([]).map((x) => ({ s: x, own: false })), (x) => `/api/v1/rag/collections/${x}`) },
    { name: '/api/v1/router/route', method: 'POST', path: fixed('/api/v1/router/route'), body: b.routeBody, weight: 2, accept: true },
    { name: '/api/v1/router/settings', method: 'PUT', path: fixed('/api/v1/router/settings'), body: b.routerSettingsBody, accept: true, readBack: () => '/api/v1/router/settings' },
    { name: '/api/v1/traces/:id/feedback', method: 'POST', path: at(seg(seeded), (x) => `/api/v1/traces/${x}/feedback`), body: b.feedbackBody, accept: true },
  ];
  const po = seg([other.id, other.slug]);
  const model = fc.oneof(fc.constantFrom('fz-model', 'openai%2Fgpt-4o-mini'), segment([]));
  const otherWrites: Write[] = [
    { name: '/api/v1/projects/:id/prices/:model', method: 'PUT', path: fc.tuple(po, model).map(([p, m]) => ({ path: `/api/v1/projects/${p.s}/prices/${m}`, own: p.own && (m === 'fz-model' || m === 'openai%2Fgpt-4o-mini') })), body: b.priceBody, accept: true, readBack: () => `/api/v1/projects/${other.id}/prices` },
    { name: '/api/v1/projects/:id/prices/:model', method: 'DELETE', path: fc.tuple(po, model).map(([p, m]) => ({ path: `/api/v1/projects/${p.s}/prices/${m}`, own: false })) },
    { name: '/api/v1/projects/:id/retention', method: 'PUT', path: at(po, (x) => `/api/v1/projects/${x}/retention`), body: b.retentionBody, accept: true, readBack: () => `/api/v1/projects/${other.id}/retention` },
    { name: '/api/v1/prompt-settings', method: 'PUT', path: fixed('/api/v1/prompt-settings'), body: b.protectedLabelsBody },
  ];
  const reads: Array<{ name: string; path: fc.Arbitrary<string>; query?: QuerySpec }> = [
    { name: 'GET /api/v1/prompts', path: fc.constant('/api/v1/prompts'), query: { tag: cleanString(10), category: cleanString(10), label: b.labelArb, search: cleanString(20) } },
    { name: 'GET /api/v1/prompts/:name[/versions|/diff|/events]', path: fc.tuple(prompt, fc.constantFrom('', '/versions', '/diff', '/events')).map(([x, sub]) => `/api/v1/prompts/${x.s}${sub}`), query: { label: b.labelArb, version: int, from: int, to: int, limit: int } },
    { name: 'GET /api/v1/prompt-settings', path: fc.constant('/api/v1/prompt-settings') },
    { name: 'GET /api/v1/experiments[/:id[/results]]', path: fc.tuple(seg([o.experiment]), fc.constantFrom('', '/results'), fc.boolean()).map(([x, sub, list]) => (list ? '/api/v1/experiments' : `/api/v1/experiments/${x.s}${sub}`)), query: { status: fc.constantFrom('draft', 'running', 'x') } },
    { name: 'GET /api/v1/monitors[/:id[/runs]]', path: fc.tuple(seg([o.monitor]), fc.constantFrom('', '/runs'), fc.boolean()).map(([x, sub, list]) => (list ? '/api/v1/monitors' : `/api/v1/monitors/${x.s}${sub}`)), query: { limit: int } },
    { name: 'GET /api/v1/rag/collections[/:id[/documents]]', path: fc.tuple(seg([o.collection, 'fz-coll']), fc.constantFrom('', '/documents'), fc.boolean()).map(([x, sub, list]) => (list ? '/api/v1/rag/collections' : `/api/v1/rag/collections/${x.s}${sub}`)), query: { limit: int, offset: int } },
    { name: 'GET /api/v1/router/catalog|traffic|settings', path: fc.constantFrom('/api/v1/router/catalog', '/api/v1/router/traffic', '/api/v1/router/settings'), query: { model: cleanString(20), days: int } },
    { name: 'GET /api/v1/costs/unpriced', path: fc.constant('/api/v1/costs/unpriced'), query: { window: fc.constantFrom('1h', '24h', '30d', 'x'), from: time, to: time } },
    { name: 'GET /api/v1/gateway/breakers|langfuse/keys', path: fc.constantFrom('/api/v1/gateway/breakers', '/api/v1/langfuse/keys') },
  ];
  const otherReads = [{ name: 'GET /api/v1/projects/:id/prices|retention', path: fc.tuple(po, fc.constantFrom('prices', 'retention')).map(([p, r]) => `/api/v1/projects/${p.s}/${r}`) }];
  const readTarget = (keys: Keys) => (r: { name: string; path: fc.Arbitrary<string>; query?: QuerySpec }) =>
    endpoint({
      name: r.name,
      weight: 1,
      arb: getRequest(r.path, keys, r.query),
      async run(ctx, req) {
        await call(ctx, r.name, req);
      },
    });
  return [...writeTargets(k, writes), ...writeTargets(k2, otherWrites), ...reads.map(readTarget(k)), ...otherReads.map(readTarget(k2))];
}

