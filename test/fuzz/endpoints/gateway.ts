// Fuzz targets of the gateway (/v1/chat/completions, /v1/embeddings, /v1/messages) through the
// offline mock provider: hostile bodies, model names and x-aether-* headers, alone and as
// concurrent neighbours. A 2xx must carry x-aether-trace-id and that trace must appear.
import fc from 'fast-check';
import { call, endpoint, expectAccepted, expectStored, fail, type Ctx, type Endpoint } from '../check.js';
import { Violation, type Req, type Res } from '../harness.js';
import { headerValue, jsonRequest, type Keys } from '../requests.js';
import { chatBody, embeddingsBody, messagesBody } from '../bodies.js';
import { cleanId, hostileString, PROTO_KEYS } from '../values.js';

type Gen = { req: Req; clean: boolean; value: unknown };

/** x-aether-* request headers: mostly absent, sometimes valid, sometimes hostile (latin-1, as Node sends). */
const steering: fc.Arbitrary<Record<string, string>> = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom('x-aether-user-id', 'x-aether-session-id', 'x-aether-tags', 'x-aether-trace-id', 'x-aether-fallback', 'x-aether-cache', 'x-aether-max-retries', 'x-aether-timeout-ms', 'x-aether-contexts'), headerValue),
      fc.tuple(fc.constant('x-aether-trace-id'), fc.tuple(cleanId, fc.nat()).map(([id, n]) => `gw-${id}-${n.toString(36)}`)),
      fc.tuple(fc.constant('x-aether-contexts'), fc.oneof(fc.constant('[{"text":"ok"}]'), hostileString.map((s) => Buffer.from(JSON.stringify([{ text: s, source: s }]), 'utf8').toString('base64')))),
      fc.tuple(fc.constant('x-aether-fallback'), fc.constantFrom('mock/echo', 'mock/fail-1,mock/echo', 'openai/gpt-4o', ',,,', 'mock/\xff')),
    ),
    { maxLength: 3 },
  )
  .map((pairs) => Object.fromEntries(pairs));

/** A model name the mock provider routes (so it reaches the response headers), made hostile. */
const hostileModel = fc.oneof(hostileString.map((s) => `mock/${s}`), fc.constantFrom(...PROTO_KEYS), fc.constantFrom('mock/ⲱ', 'mock/a\r\nx-injected: 1', 'mock/\u0000', 'mock/fail-always'));

function withModel<T extends object>(body: fc.Arbitrary<T>): fc.Arbitrary<{ body: T; hostile: boolean }> {
  return fc.tuple(body, fc.option(hostileModel, { freq: 3 })).map(([b, m]) => ({ body: m === null ? b : { ...b, model: m }, hostile: m !== null }));
}

/** 2xx → the trace named in x-aether-trace-id appears (written just after the answer). */
async function checkGateway(ctx: Ctx, name: string, g: Gen, res: Res): Promise<void> {
  if (g.clean) expectAccepted(ctx, name, g.req, res);
  if (res.status < 200 || res.status > 299) return;
  const id = [res.headers['x-aether-trace-id']].flat()[0];
  if (!id) fail(ctx, name, new Violation('lost-write', 'a 2xx without x-aether-trace-id', g.req, res));
  await expectStored(ctx, name, id, g.req, res, { waitMs: 3000 });
}

export function gatewayEndpoints(k: Keys): Array<Endpoint<unknown>> {
  const target = (name: string, path: string, body: fc.Arbitrary<object>, weight: number, extra: Record<string, string> = {}) => {
    const arb = withModel(body).chain((m) =>
      jsonRequest('POST', fc.constant(path), k, fc.constant(m.body), steering.map((h) => ({ ...extra, ...h }))).map((g) => ({ ...g, clean: g.clean && !m.hostile && !Object.keys(g.req.headers).some((h) => h.startsWith('x-aether-')) })),
    );
    return { name, path, arb, weight };
  };
  const targets = [
    target('POST /v1/chat/completions', '/v1/chat/completions', chatBody, 4),
    target('POST /v1/embeddings', '/v1/embeddings', embeddingsBody, 2),
    target('POST /v1/messages', '/v1/messages', messagesBody, 2, { 'anthropic-version': '2023-06-01' }),
  ];
  const out = targets.map((t) =>
    endpoint<Gen>({
      name: t.name,
      weight: t.weight,
      arb: t.arb,
      async run(ctx, g) {
        await checkGateway(ctx, t.name, g, await call(ctx, t.name, g.req, { gateway: true }));
      },
    }),
  );
  // Gateway traces are written in group commits after the answers: a bad one must not take the others down.
  const neighbours = 'POST /v1/chat/completions ×N concurrent';
  out.push(
    endpoint<Gen[]>({
      name: neighbours,
      weight: 2,
      arb: fc.array(targets[0]!.arb, { minLength: 2, maxLength: 10 }),
      async run(ctx, gs) {
        const answers = await Promise.all(gs.map((g) => call(ctx, `${targets[0]!.name} (concurrent)`, g.req, { gateway: true })));
        for (const [i, g] of gs.entries()) await checkGateway(ctx, neighbours, g, answers[i]!);
      },
    }),
  );
  return out;
}
