// rate limit and budget: whether this request may go out at all, and at which model.
import { GatewayError } from '../errors.js';
import type { Flow } from '../flow.js';
import type { Next } from '../pipeline/compose.js';

/** rate limit: take a request and the estimated tokens from the key's buckets (internal calls are not limited). */
export async function rateLimitStep(flow: Flow, next: Next): Promise<void> {
  if (!flow.internal) {
    const { req } = flow;
    flow.admission = await flow.core.limiter.admit(req.keyId, req.project, flow.op.estimate(flow.call));
    Object.assign(req.headers, flow.admission.headers);
  }
  return next();
}

/** budget: refuse a spent budget, or downgrade to the cheaper model its budget names. */
export async function budgetStep(flow: Flow, next: Next): Promise<void> {
  const { req } = flow;
  const decision = await flow.core.budget.check({ projectId: req.project.id, projectSlug: req.project.slug, model: flow.model, userId: req.options.userId });
  if (decision.action === 'reject') {
    const headers: Record<string, string> = { 'x-aether-budget': 'blocked' };
    if (decision.resetsAt !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil((decision.resetsAt - Date.now()) / 1000)));
    throw new GatewayError(402, 'budget_exceeded', decision.message, { type: 'insufficient_quota', headers });
  }
  if (decision.action === 'downgrade') {
    flow.facts.budget = decision.message;
    (flow.facts.metadata ??= {})['aether.budget'] = { action: 'downgrade', ...(decision.budget ? { id: decision.budget.id, name: decision.budget.name } : {}), from: flow.model, to: decision.model };
    req.headers['x-aether-budget'] = 'downgraded';
    flow.model = decision.model;
    flow.fallbacks = undefined;
  }
  return next();
}
