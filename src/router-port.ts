// The router as a gateway resolver, wired at the composition root: `model: "auto"` (or
// `auto:<policy>`) becomes the model the router picks for this request, from the project's routing
// pool, and the trace records the decision under `aether.route` so the catalog learns from it.
import { AetherError, errors } from './core/errors.js';
import type { ModelPrice } from './core/index.js';
import type { Gateway, ModelResolver } from './gateway/index.js';
import { pricedCandidates, ROUTE_METADATA_KEY, type ChatBody, type Router } from './router/index.js';

export interface RouterPortDeps {
  router: Router;
  /** The gateway, for the models a project can reach (bound late: it is built with this resolver). */
  gateway: () => Gateway | undefined;
  prices: (projectId: string) => Record<string, ModelPrice> | undefined;
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
    const candidates = pricedCandidates(pool, d.prices(projectId) ?? {});
    if (candidates.length === 0) {
      throw errors.badRequest('model "auto" has no priced model to choose from: set the routing pool with PUT /api/v1/router/settings {"models": [...]} and price unknown models with PUT /api/v1/projects/{id}/prices/{model}', 'no_route_candidates');
    }
    const decision = d.router.route({ projectId, body: r.body as unknown as ChatBody, headers: r.headers, candidates, policy: auto.policy });
    if (!decision.model) throw new AetherError(422, 'no_route', `No model meets this request's constraints: ${decision.why}`, { expose: true });
    r.model = decision.model;
    r.metadata[ROUTE_METADATA_KEY] = { policy: decision.policy, model: decision.model, task_type: decision.task_type, explored: decision.explored };
  };
}
