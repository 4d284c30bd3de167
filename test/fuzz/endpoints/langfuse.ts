// Fuzz targets of the Langfuse-compatible public API (/api/public/*, Basic auth with a pk-lf/sk-lf
// pair) and of the key pair routes. Ingestion answers 207 with a result per event: a clean event
// must succeed beside hostile neighbours, and a trace-create that succeeded must read back.
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import { call, endpoint, fail, json, type Endpoint } from '../check.js';
import { Violation, type FuzzServer, type Req } from '../harness.js';
import { contentType, getRequest, headerValue, jsonBody, segment, type Keys, type QuerySpec } from '../requests.js';
import { langfuseEvent, langfusePromptBody, langfuseScoreBody, promptNameArb } from '../bodies-features.js';
import { otlpBody } from '../bodies.js';
import { cleanString, mutate, toJson } from '../values.js';
import { readBack, writeTargets } from './features.js';

type Gen = { req: Req; clean: boolean; value: unknown };
// Event ids already sent: Langfuse ingestion is idempotent per event id, so a repeat (a shrink, a
// replayed run) answers success for the first event's outcome and is not judged again.
const sentEvents = new Set<unknown>();
const basicOf = (pk: string, sk: string) => `Basic ${Buffer.from(`${pk}:${sk}`).toString('base64')}`;

/** Basic credentials: mostly the pair, sometimes none, a wrong secret, the Aether key, or junk. */
function basic(good: string, aetherKey: string): fc.Arbitrary<Record<string, string>> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant({ authorization: good }) },
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 1, arbitrary: fc.constant({ authorization: basicOf('pk-lf-x', 'sk-lf-y') }) },
    { weight: 1, arbitrary: fc.constant({ authorization: `Bearer ${aetherKey}` }) },
    { weight: 1, arbitrary: headerValue.map((v) => ({ authorization: `Basic ${v}` })) },
    { weight: 1, arbitrary: cleanString(30).map((v) => ({ authorization: `Basic ${Buffer.from(v).toString('base64')}` })) },
  );
}

export async function langfuseEndpoints(s: FuzzServer, k: Keys, seeded: string[]): Promise<Array<Endpoint<unknown>>> {
  const r = await s.send({ method: 'POST', path: '/api/v1/langfuse/keys', headers: { 'x-api-key': k.key, 'content-type': 'application/json' }, body: '{"name":"fuzz"}' });
  if (r.status !== 201) throw new Error(`fuzz seed langfuse key: ${r.status} ${r.body.toString('utf8')}`);
  const pair = JSON.parse(r.body.toString('utf8')) as { public_key: string; secret_key: string };
  const good = basicOf(pair.public_key, pair.secret_key);
  const creds = basic(good, k.key);
  const request = (method: string, path: fc.Arbitrary<string>, body: fc.Arbitrary<unknown>): fc.Arbitrary<Gen> =>
    fc.tuple(path, creds, contentType, jsonBody(body)).map(([p, a, ct, bd]) => ({
      req: { method, path: p, headers: { ...a, ...ct }, body: bd.text },
      clean: bd.clean && a.authorization === good && ct['content-type'] === 'application/json',
      value: bd.value,
    }));
  const traceIds = fc.oneof(fc.constantFrom('lf-fz-1', 'lf-fz-2', 'lf-fz-3'), fc.tuple(fc.stringMatching(/^[A-Za-z0-9._:-]{1,20}$/), fc.nat()).map(([a, n]) => `lf-${a}-${n}`));
  const ingestion = 'POST /api/public/ingestion';

  const out: Array<Endpoint<unknown>> = [
    endpoint<{ req: Req; items: Array<{ clean: boolean; value: unknown }> }>({
      name: ingestion,
      weight: 4,
      arb: fc.tuple(creds, fc.array(mutate(langfuseEvent(traceIds), 2), { minLength: 1, maxLength: 8 })).map(([a, items]) => ({
        req: { method: 'POST', path: '/api/public/ingestion', headers: { ...a, 'content-type': 'application/json' }, body: toJson({ batch: items.map((m) => m.value) }) },
        items: items.map((m) => ({ clean: m.mutations === 0 && a.authorization === good, value: m.value })),
      })),
      async run(ctx, g) {
        const res = await call(ctx, ingestion, g.req);
        if (res.status !== 207) return;
        const body = json<{ successes: Array<{ id: string }>; errors: Array<{ id: string; status: number; message?: string }> }>(res);
        const ok = new Set(body?.successes.map((x) => x.id));
        // A mutated item may be any JSON value (null, a number): only an object has an id.
        const ids = g.items.map((i) => (typeof i.value === 'object' && i.value !== null ? (i.value as { id?: unknown }).id : undefined));
        // An event id sent twice in one batch is one event: only the first of each id is judged.
        const firstOf = new Map<unknown, number>();
        ids.forEach((id, i) => firstOf.has(id) || firstOf.set(id, i));
        const fresh = ids.map((id) => !sentEvents.has(id));
        ids.forEach((id) => sentEvents.add(id));
        for (const [i, item] of g.items.entries()) {
          if (!item.clean || !fresh[i] || firstOf.get(ids[i]) !== i || ids.filter((x) => x === ids[i]).length > 1) continue;
          const e = item.value as { id: string; type: string; body: { id?: string } };
          if (!ok.has(e.id)) {
            const why = body?.errors.find((x) => x.id === e.id);
            // Updates and scores may name a trace whose create failed or never came: a per-event 4xx, not a lost write.
            if (e.type !== 'trace-create' && why && why.status < 500) continue;
            fail(ctx, ingestion, new Violation('rejected-valid', `clean event ${i} (${e.type}) not accepted: ${JSON.stringify(why)}`, g.req, res));
          }
          if (e.type === 'trace-create' && e.body.id) await readBack(ctx, ingestion, `/api/public/traces/${encodeURIComponent(e.body.id)}`, g.req, res);
        }
      },
    }),
    endpoint<Gen>({
      name: 'POST /api/public/otel/v1/traces',
      weight: 1,
      arb: fc.tuple(creds, mutate(otlpBody, 1), fc.boolean()).map(([a, m, gz]) => ({
        req: { method: 'POST', path: '/api/public/otel/v1/traces', headers: { ...a, 'content-type': 'application/json', ...(gz ? { 'content-encoding': 'gzip' } : {}) }, body: gz ? gzipSync(toJson(m.value)) : toJson(m.value) },
        clean: false,
        value: m.value,
      })),
      async run(ctx, g) {
        await call(ctx, 'POST /api/public/otel/v1/traces', g.req);
      },
    }),
    ...writeTargets(k, [
      { name: '/api/public/scores', method: 'POST', path: fc.constant({ path: '/api/public/scores', own: true }), body: langfuseScoreBody(seeded), request, accept: true },
      { name: '/api/public/v2/prompts', method: 'POST', path: fc.constant({ path: '/api/public/v2/prompts', own: true }), body: langfusePromptBody, request, accept: true, readBack: (res) => `/api/public/v2/prompts/${encodeURIComponent(json<{ name: string }>(res)?.name ?? '')}?version=${json<{ version: number }>(res)?.version ?? 1}` },
      { name: '/api/v1/langfuse/keys', method: 'POST', path: fc.constant({ path: '/api/v1/langfuse/keys', own: true }), body: fc.record({ name: cleanString(40) }, { requiredKeys: [] }), accept: true, readBack: () => '/api/v1/langfuse/keys' },
      { name: '/api/v1/langfuse/keys/:id/revoke', method: 'POST', path: segment([]).map((x) => ({ path: `/api/v1/langfuse/keys/${x}/revoke`, own: false })), body: fc.constant({}) },
    ]),
  ];
  const int = fc.oneof(fc.integer({ min: 1, max: 100 }).map(String), fc.constantFrom('0', '-1', '3000000000', '1.5', 'NaN'));
  const time = fc.oneof(fc.integer({ min: -86_400_000, max: 0 }).map((dt) => new Date(Date.now() + dt).toISOString()), fc.constantFrom('9000000000000000', 'yesterday', '275760-09-13T00:00:00.000Z'));
  const q: QuerySpec = { page: int, limit: int, userId: cleanString(10), name: cleanString(10), sessionId: cleanString(10), tags: cleanString(10), fromTimestamp: time, toTimestamp: time, traceId: fc.constantFrom('lf-fz-1', 'lf-fz-2'), type: fc.constantFrom('SPAN', 'GENERATION', 'EVENT', 'X'), fromStartTime: time, toStartTime: time, version: int, label: cleanString(10), tag: cleanString(10) };
  const reads = [
    { name: 'GET /api/public/traces|observations|v2/prompts', path: fc.constantFrom('/api/public/traces', '/api/public/observations', '/api/public/v2/prompts', '/api/public/health') },
    { name: 'GET /api/public/traces/:id|observations/:id', path: fc.tuple(segment(['lf-fz-1', 'lf-fz-2', ...seeded]), fc.constantFrom('traces', 'observations')).map(([x, w]) => `/api/public/${w}/${x}`) },
    { name: 'GET /api/public/v2/prompts/:name', path: fc.oneof(segment(['fz-prompt', 'fz-lf-prompt']), promptNameArb).map((x) => `/api/public/v2/prompts/${x}`) },
  ];
  for (const rd of reads) {
    out.push(
      endpoint<Req>({
        name: rd.name,
        weight: 1,
        arb: fc.tuple(getRequest(rd.path, k, q), creds).map(([req, a]) => ({ ...req, headers: a })),
        async run(ctx, req) {
          await call(ctx, rd.name, req);
        },
      }),
    );
  }
  return out;
}
