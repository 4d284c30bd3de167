// Fuzz targets of trace ingestion: single, batch, concurrent neighbours, OTLP JSON and protobuf,
// and re-evaluation. Every acknowledged trace must read back; every clean one must be acknowledged.
import { gzipSync, deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { encodeExportRequest } from '../../../src/ingest/index.js';
import { call, endpoint, expectAccepted, expectStored, fail, json, type Ctx, type Endpoint } from '../check.js';
import { Violation, type Req, type Res } from '../harness.js';
import { auth, jsonRequest, segment, type Keys } from '../requests.js';
import { otlpBody, traceBody } from '../bodies.js';
import { mutate, toJson } from '../values.js';

type Gen = { req: Req; clean: boolean; value: unknown };
const queryOf = (v: unknown): string | undefined => (v && typeof v === 'object' && typeof (v as { query?: unknown }).query === 'string' ? (v as { query: string }).query : undefined);

/** 201 → readable with the query sent (when clean); 200 duplicate → readable; clean → must be 2xx. */
async function checkSingle(ctx: Ctx, name: string, g: Gen, res: Res): Promise<void> {
  if (g.clean) expectAccepted(ctx, name, g.req, res);
  if (res.status === 201 || res.status === 200) {
    const id = json<{ id?: string }>(res)?.id;
    if (!id) fail(ctx, name, new Violation('lost-write', 'a 2xx without an id', g.req, res));
    await expectStored(ctx, name, id, g.req, res, res.status === 201 && g.clean ? { query: queryOf(g.value) } : {});
  }
}

/** Ingest endpoints, given the keys and a few stored trace ids. */
export function ingestEndpoints(k: Keys, seeded: string[]): Array<Endpoint<unknown>> {
  const single = 'POST /api/v1/traces';
  const path = fc.constantFrom('/api/v1/traces', '/api/v1/traces/');
  const batchName = 'POST /api/v1/traces/batch';
  const otlp = 'POST /v1/traces';

  return [
    endpoint<Gen>({
      name: single,
      weight: 4,
      arb: jsonRequest('POST', path, k, traceBody),
      async run(ctx, g) {
        await checkSingle(ctx, single, g, await call(ctx, single, g.req));
      },
    }),

    // A bad neighbour must not cost a good trace its data (group commits share a statement).
    endpoint<Gen[]>({
      name: `${single} ×N concurrent`,
      weight: 2,
      arb: fc.array(jsonRequest('POST', fc.constant('/api/v1/traces'), k, traceBody, fc.constant({}), 2), { minLength: 2, maxLength: 12 }),
      async run(ctx, gs) {
        const answers = await Promise.all(gs.map((g) => call(ctx, `${single} (concurrent)`, g.req)));
        for (const [i, g] of gs.entries()) await checkSingle(ctx, `${single} ×N concurrent`, g, answers[i]!);
      },
    }),

    endpoint<{ req: Req; items: Array<{ clean: boolean; value: unknown }> }>({
      name: batchName,
      weight: 3,
      arb: fc
        .tuple(auth(k), fc.array(mutate(traceBody, 2), { minLength: 1, maxLength: 8 }), fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: mutate(fc.constant({ traces: [] as unknown[] }), 0) }))
        .map(([a, items, whole]) => ({
          req: { method: 'POST', path: '/api/v1/traces/batch', headers: { ...a, 'content-type': 'application/json' }, body: whole ? toJson(whole.value) : toJson({ traces: items.map((m) => m.value) }) },
          items: whole ? [] : items.map((m) => ({ clean: m.mutations === 0, value: m.value })),
        })),
      async run(ctx, g) {
        const res = await call(ctx, batchName, g.req);
        const authed = g.req.headers['x-api-key'] === k.key || g.req.headers.authorization === `Bearer ${k.key}`;
        if (res.status !== 207) {
          // Prototype-poisoning keys get the whole body refused before any item is read (Fastify's secure JSON parser): accepted policy.
          const poisoned = typeof g.req.body === 'string' && /"(?:__proto__|prototype)"\s*:/.test(g.req.body);
          // So is a body nested past the server's depth limit (128): like the body-size cap, it bounds the request, not an item.
          const tooDeep = json<{ error?: { code?: string } }>(res)?.error?.code === 'too_deep';
          if (authed && !poisoned && !tooDeep && g.items.length && g.items.some((i) => i.clean)) fail(ctx, batchName, new Violation('rejected-valid', `a batch holding valid items answered ${res.status}, not 207 with a result per item`, g.req, res));
          return;
        }
        const out = json<{ results: Array<{ index: number; status: number; id?: string }> }>(res);
        for (const [i, item] of g.items.entries()) {
          const r = out?.results.find((x) => x.index === i);
          if (!r) fail(ctx, batchName, new Violation('lost-write', `no result for item ${i}`, g.req, res));
          if (item.clean && (r.status < 200 || r.status > 299)) fail(ctx, batchName, new Violation('rejected-valid', `valid item ${i} got ${r.status}`, g.req, res));
          if (r.status >= 200 && r.status <= 299) {
            if (!r.id) fail(ctx, batchName, new Violation('lost-write', `item ${i} ok without an id`, g.req, res));
            await expectStored(ctx, batchName, r.id, g.req, res, r.status === 201 && item.clean ? { query: queryOf(item.value) } : {});
          }
        }
      },
    }),

    endpoint<{ req: Req; clean: boolean; traceIds: string[] }>({
      name: `${otlp} (JSON)`,
      weight: 2,
      arb: fc
        .tuple(auth(k), mutate(otlpBody, 1), fc.constantFrom('identity', 'identity', 'identity', 'gzip', 'deflate', 'br', 'gzip, gzip', 'x-garbage'), fc.constantFrom('application/json', 'application/json', 'text/plain', ''))
        .map(([a, m, enc, ct]) => {
          const text = toJson(m.value);
          const body = enc === 'gzip' ? gzipSync(text) : enc === 'deflate' ? deflateSync(text) : enc === 'br' || enc.startsWith('gzip,') ? Buffer.from(text) : text;
          const traceIds = [...new Set([...text.matchAll(/"traceId":"([0-9a-f]{32})"/g)].map((x) => x[1]!))];
          return { req: { method: 'POST', path: '/v1/traces', headers: { ...a, ...(ct ? { 'content-type': ct } : {}), ...(enc === 'identity' ? {} : { 'content-encoding': enc }) }, body }, clean: m.mutations === 0 && ct === 'application/json' && ['identity', 'gzip', 'deflate'].includes(enc) && a['x-api-key'] === k.key, traceIds };
        }),
      async run(ctx, g) {
        const res = await call(ctx, `${otlp} (JSON)`, g.req);
        if (g.clean) expectAccepted(ctx, `${otlp} (JSON)`, g.req, res);
        const partial = json<{ partialSuccess?: { rejectedSpans?: number } }>(res)?.partialSuccess?.rejectedSpans ?? 0;
        if (res.status === 200 && partial === 0) for (const id of g.traceIds) await expectStored(ctx, `${otlp} (JSON)`, id, g.req, res);
      },
    }),

    endpoint<Req>({
      name: `${otlp} (protobuf)`,
      weight: 1,
      arb: fc
        .tuple(auth(k), otlpBody, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.oneof(fc.constant(undefined), fc.uint8Array({ maxLength: 256 })), fc.boolean())
        .map(([a, body, flips, garbage, gz]) => {
          const wire = { resourceSpans: body.resourceSpans.map((rs) => ({ ...rs, scopeSpans: rs.scopeSpans.map((ss) => ({ ...ss, spans: ss.spans.map((s) => ({ ...s, traceId: Buffer.from(s.traceId, 'hex'), spanId: Buffer.from(s.spanId, 'hex'), ...(s.parentSpanId ? { parentSpanId: Buffer.from(s.parentSpanId, 'hex') } : {}) })) })) })) };
          const bytes = garbage ? Buffer.from(garbage) : Buffer.from(encodeExportRequest(wire));
          for (const [at, b] of flips) if (bytes.length) bytes[at % bytes.length] = b;
          return { method: 'POST', path: '/v1/traces', headers: { ...a, 'content-type': 'application/x-protobuf', ...(gz ? { 'content-encoding': 'gzip' } : {}) }, body: gz ? gzipSync(bytes) : bytes };
        }),
      async run(ctx, req) {
        await call(ctx, `${otlp} (protobuf)`, req);
      },
    }),

    endpoint<Gen>({
      name: 'POST /api/v1/traces/:id/evaluate',
      weight: 1,
      arb: jsonRequest('POST', segment(seeded).map((id) => `/api/v1/traces/${id}/evaluate`), k, fc.record({ metrics: fc.subarray(['faithfulness', 'pii', 'toxicity', 'token_overlap']) }, { requiredKeys: [] })),
      async run(ctx, g) {
        await call(ctx, 'POST /api/v1/traces/:id/evaluate', g.req);
      },
    }),
  ];
}
