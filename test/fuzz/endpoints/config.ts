// Fuzz targets of configuration writes: alert config (and its test send), evaluation config,
// budgets, provider credentials and alert resolution. They run on the second project so generated
// settings never steer the ingest and gateway targets. A 2xx write must read back.
import fc from 'fast-check';
import { call, endpoint, expectAccepted, fail, json, type Ctx, type Endpoint } from '../check.js';
import { Violation, type Req, type Res } from '../harness.js';
import { jsonRequest, segment, type Keys } from '../requests.js';
import { alertConfigBody, budgetBody, credentialBody, evaluationConfigBody } from '../bodies.js';

type Gen = { req: Req; clean: boolean; value: unknown };

/** GET `path` with the credentials of the write must answer 200 after a 2xx write. */
async function readsBack(ctx: Ctx, name: string, path: string, g: Gen, res: Res): Promise<void> {
  const creds = Object.fromEntries(Object.entries(g.req.headers).filter(([h]) => h === 'x-api-key' || h === 'authorization'));
  const r = await ctx.s.send({ method: 'GET', path, headers: creds });
  ctx.stats.record(`GET ${name.split(' ')[1]} (read-back)`, r.status);
  if (r.status !== 200) fail(ctx, name, new Violation('lost-write', `acknowledged write reads back from ${path} as ${r.status}: ${r.body.toString('utf8').slice(0, 300)}`, g.req, res));
}

/** Config writes for the project `project` whose key is `k.key`. */
export function configEndpoints(k: Keys, project: { id: string; slug: string }): Array<Endpoint<unknown>> {
  const p = segment([project.id, project.slug]);
  const put = (name: string, path: (seg: string) => string, body: fc.Arbitrary<unknown>, weight = 1) =>
    endpoint<Gen & { seg: string }>({
      name,
      weight,
      arb: p.chain((seg) => jsonRequest('PUT', fc.constant(path(seg)), k, body).map((g) => ({ ...g, seg }))),
      async run(ctx, g) {
        const res = await call(ctx, name, g.req);
        const own = g.seg === project.id || g.seg === project.slug;
        if (g.clean && own) expectAccepted(ctx, name, g.req, res);
        if (res.status === 200) await readsBack(ctx, name, path(project.id), g, res);
      },
    });

  const budgets = 'POST /api/v1/budgets';
  return [
    put('PUT /api/v1/alert-config/:project_id', (s) => `/api/v1/alert-config/${s}`, alertConfigBody, 2),
    put('PUT /api/v1/projects/:id/evaluation-config', (s) => `/api/v1/projects/${s}/evaluation-config`, evaluationConfigBody, 2),
    endpoint<Gen>({
      name: 'POST /api/v1/alert-config/:project_id/test',
      weight: 1,
      arb: jsonRequest('POST', p.map((s) => `/api/v1/alert-config/${s}/test`), k, fc.constant({})),
      async run(ctx, g) {
        await call(ctx, 'POST /api/v1/alert-config/:project_id/test', g.req);
      },
    }),
    endpoint<Gen>({
      name: budgets,
      weight: 2,
      arb: jsonRequest('POST', fc.constant('/api/v1/budgets'), k, budgetBody),
      async run(ctx, g) {
        const res = await call(ctx, budgets, g.req);
        if (g.clean) expectAccepted(ctx, budgets, g.req, res);
        if (res.status === 201) {
          const id = json<{ id?: string }>(res)?.id;
          if (!id) fail(ctx, budgets, new Violation('lost-write', 'a 201 without an id', g.req, res));
          await readsBack(ctx, budgets, `/api/v1/budgets/${encodeURIComponent(id)}/status`, g, res);
        }
      },
    }),
    endpoint<Gen>({
      name: 'DELETE /api/v1/budgets/:id',
      weight: 1,
      arb: jsonRequest('DELETE', segment([]).map((s) => `/api/v1/budgets/${s}`), k, fc.constant(undefined)),
      async run(ctx, g) {
        await call(ctx, 'DELETE /api/v1/budgets/:id', { ...g.req, body: g.req.body === undefined || g.req.body === 'null' ? undefined : g.req.body });
      },
    }),
    endpoint<Gen>({
      name: 'POST /api/v1/alerts/:id/resolve',
      weight: 1,
      arb: jsonRequest('POST', segment([]).map((s) => `/api/v1/alerts/${s}/resolve`), k, fc.constant({})),
      async run(ctx, g) {
        await call(ctx, 'POST /api/v1/alerts/:id/resolve', g.req);
      },
    }),
    endpoint<Gen & { provider: string; seg: string }>({
      name: 'PUT /api/v1/projects/:id/providers/:provider',
      weight: 1,
      arb: fc.tuple(p, segment(['openai', 'anthropic', 'openrouter'])).chain(([seg, provider]) => jsonRequest('PUT', fc.constant(`/api/v1/projects/${seg}/providers/${provider}`), k, credentialBody).map((g) => ({ ...g, provider, seg }))),
      async run(ctx, g) {
        const name = 'PUT /api/v1/projects/:id/providers/:provider';
        const res = await call(ctx, name, g.req);
        if (res.status === 200) await readsBack(ctx, name, `/api/v1/projects/${project.id}/providers/${g.provider}`, g, res);
      },
    }),
    endpoint<Gen>({
      name: 'DELETE /api/v1/projects/:id/providers/:provider',
      weight: 1,
      arb: jsonRequest('DELETE', fc.tuple(p, segment(['openai', 'anthropic'])).map(([a, b]) => `/api/v1/projects/${a}/providers/${b}`), k, fc.constant(undefined)),
      async run(ctx, g) {
        await call(ctx, 'DELETE /api/v1/projects/:id/providers/:provider', { ...g.req, body: undefined });
      },
    }),
  ];
}
