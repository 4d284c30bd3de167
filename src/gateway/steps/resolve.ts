// resolve: the model name becomes a chain of targets. Resolvers run in order, each may rewrite the
// model, the body or the fallbacks, or fix the chain; aliases and fallbacks come last.
import type { Flow, ModelResolver, Resolution } from '../flow.js';
import type { Resolver } from '../models.js';
import type { Next, Step } from '../pipeline/compose.js';

/** The built-in last resolver: aliases, `provider/model`, prefixes, configured fallbacks. */
export const aliasResolver =
  (resolver: Resolver): ModelResolver =>
  (r) => {
    r.chain ??= resolver.chain(r.model, r.fallbacks);
  };

/** The resolve step over a list of resolvers. */
export function resolveStep(resolvers: readonly ModelResolver[]): Step<Flow> {
  return async (flow: Flow, next: Next) => {
    const r: Resolution = {
      operation: flow.call.operation,
      project: flow.req.project,
      headers: flow.req.raw,
      model: flow.model,
      body: flow.call.body,
      fallbacks: flow.fallbacks,
      metadata: {},
    };
    for (const resolve of resolvers) await resolve(r);
    if (!r.chain?.length) throw new Error('no resolver produced a chain of targets');
    flow.model = r.model;
    if (r.body !== flow.call.body) Object.assign(flow.call, { body: r.body });
    flow.fallbacks = r.fallbacks;
    flow.chain = r.chain;
    if (Object.keys(r.metadata).length) Object.assign((flow.facts.metadata ??= {}), r.metadata);
    return next();
  };
}
