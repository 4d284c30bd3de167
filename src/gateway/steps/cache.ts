// cache: an exact-match answer is served without calling out; a complete answer is stored (after
// it was priced, so the entry knows what it cost).
import { cacheGet, cacheSet } from '../core.js';
import { whenDone, type Flow } from '../flow.js';
import { cacheKey } from '../pipeline/cache.js';
import type { Next } from '../pipeline/compose.js';

export async function cacheStep(flow: Flow, next: Next): Promise<void> {
  const { core, req, facts } = flow;
  if (!core.cache) return next();
  const key = facts.cache === 'miss' ? cacheKey(req.project.id, flow.op.kind, { ...flow.call.body, model: flow.chain[0]!.label }) : undefined;
  if (key) {
    const hit = await cacheGet<Record<string, unknown>>(core, key);
    if (hit) {
      facts.cache = 'hit';
      flow.op.fromCache(flow, hit);
      req.headers['x-aether-cache'] = 'hit';
      return;
    }
  }
  req.headers['x-aether-cache'] = facts.cache;
  await next();
  if (!key) return;
  whenDone(flow, () => {
    const o = flow.outcome;
    if (o?.cacheable) cacheSet(core, key, { ...o.cacheable, label: o.target.label, endpoint: o.target.endpoint.name, model: o.target.model, costUsd: facts.costUsd });
  });
}
