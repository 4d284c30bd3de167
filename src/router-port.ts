// The router as a gateway resolver, wired at the composition root: `model: "auto"` (or
// `auto:<policy>`) becomes the model the router picks for this request, from the project's routing
// pool, and the trace records the decision under `aether.route` so the catalog learns from it.
import { AetherError, errors } from './core/errors.js';
import type { ModelPrice } from './core/index.js';
import { GatewayError, type BudgetCheck, type Gateway, type ModelResolver } from './gateway/index.js';
import { pricedCandidates, ROUTE_METADATA_KEY, type Candidate, type ChatBody, type Router } from './router/index.js';

export interface RouterPortDeps {
  router: Router;
  /** The gateway, for the models a project can reach (bound late: it is built with this resolver). */
  gateway: () => Gateway | undefined;
  prices: (projectId: string) => Record<string, ModelPrice> | undefined;
  /** The gateway's budget check (bound late too): models over a budget of their own leave the pool. */
  budget?: () => BudgetCheck | undefined;
}

const header = (h: Record<string, string | string[] | undefined>, k: string) => (Array.isArray(h[k]) ? h[k][0] : h[k]);

/**
 * The candidates no budget holds back. The budget step before routing saw the model `auto`, so a
 * budget on one model (block or downgrade) is checked here, per candidate: such a model is simply
 * not chosen, and when every model is held back the request is refused as the budget step would.
 */
async function withinBudgets(budget: BudgetCheck | undefined, project: { id: string; slug: string }, userId: string | undefined, candidates: readonly Candidate[]): Promise<readonly Candidate[]> {
  if (!budget) return candidates;
  const open: Candidate[] = [];
  let last = '';
  for (const c of candidates) {
    const d = await budget.check({ projectId: project.id, projectSlug: project.slug, model: c.model, userId });
    if (d.action === 'allow') open.push(c);
    else last = d.message;
  }
  if (open.length === 0) throw new GatewayError(402, 'budget_exceeded', `Every model auto may choose is over its budget (${last})`, { type: 'insufficient_quota', headers: { 'x-aether-budget': 'blocked' } });
  return open;
}

/** A gateway resolver that routes `auto` models; named models pass through untouched. */
export function routerModelResolver(d: RouterPortDeps): ModelResolver {
  return async (r) => {
    if (r.operation !== 'chat') return;
    let auto;
    try {
      auto = d.router.parseAutoModel(r.model);
    } catch (e) {
      throw errors.validation([{ field: 'model', message: (e as Error).message }]);
    }
    if (!auto.routed) return;
    const projectId = r.project.id;
    await d.router.prepare(projectId);
    const settings = d.router.settingsOf(projectId);
    const gateway = d.gateway();
    const pool = settings.models ?? (gateway ? (await gateway.models({ keyId: 'router', project: r.project })).data.map((m) => m.id) : []);
    const priced = pricedCandidates(pool, d.prices(projectId) ?? {});
    if (priced.length === 0) {
      throw errors.badRequest('model "auto" has no priced model to choose from: set the routing pool with PUT /api/v1/router/settings {"models": [...]} and price unknown models with PUT /api/v1/projects/{id}/prices/{model}', 'no_route_candidates');
    }
    const candidates = await withinBudgets(d.budget?.(), r.project, header(r.headers, 'x-aether-user-id'), priced);
    const decision = d.router.route({ projectId, body: r.body as unknown as ChatBody, headers: r.headers, candidates, policy: auto.policy });
    if (!decision.model) throw new AetherError(422, 'no_route', `No model meets this request's constraints: ${decision.why}`, { expose: true });
    r.model = decision.model;
    r.metadata[ROUTE_METADATA_KEY] = { policy: decision.policy, model: decision.model, task_type: decision.task_type, explored: decision.explored };
  };
}
