// The outermost step: whatever happens inside, the request is accounted and traced here, once,
// in a `finally` (for a stream, when it ends). A failure becomes the error the client gets.
import { AetherError } from '../../core/errors.js';
import type { Core } from '../core.js';
import { GatewayError } from '../errors.js';
import { whenDone, type Flow } from '../flow.js';
import type { Next } from '../pipeline/compose.js';
import { traceBody } from '../tracing.js';

/** The error to answer with: it carries the trace id and attempt count the client needs to find it. */
function answerFor(core: Core, flow: Flow, e: unknown): GatewayError {
  const headers = { ...flow.req.headers, 'x-aether-attempts': String(flow.facts.attempts.filter((a) => !a.skipped).length) };
  if (e instanceof GatewayError) {
    for (const [k, v] of Object.entries(headers)) if (!Object.hasOwn(e.headers, k)) e.headers[k] = v;
    return e;
  }
  if (e instanceof AetherError && e.expose) return new GatewayError(e.status, e.code, e.message, { headers, cause: e });
  core.logger.error({ err: e }, 'gateway request failed');
  return new GatewayError(500, 'internal_error', 'Internal error', { headers, cause: e, type: 'server_error' });
}

/** Settle the rate-limit tokens, record the spend against the budget, and hand the trace over. */
function bookkeep(flow: Flow): void {
  const { core, req, facts } = flow;
  facts.latencyMs = performance.now() - req.t0;
  if (flow.admission) core.limiter.settle(req.keyId, req.project, flow.admission, flow.outcome?.usage.total_tokens ?? 0).catch(core.exec.onStoreError);
  // Spend counts against the budgets of the model that ran (a downgraded call, the cheaper one's).
  const ran = facts.endpoint && facts.model ? `${facts.endpoint}/${facts.model}` : facts.requestedModel;
  if (facts.costUsd) core.budget.record({ projectId: req.project.id, projectSlug: req.project.slug, model: ran, userId: req.options.userId }, facts.costUsd);
  // A JSON answer is written once the pipeline returns: build and hand over its trace after that
  // (the next turn of the event loop), not before the client's bytes. gateway.flushTraces waits
  // for these.
  if (core.recorder && !flow.pending) setImmediate(record, flow);
  else core.recorder?.record(req.project, traceBody(facts));
}

const record = (flow: Flow) => flow.core.recorder?.record(flow.req.project, traceBody(flow.facts));

/** trace: the bookkeeping around everything else. */
export async function traceStep(flow: Flow, next: Next): Promise<void> {
  // Refusals by our own rate limit are not traced, so a flood of them cannot flood the store.
  let untraced = false;
  try {
    await next();
  } catch (e) {
    flow.facts.error = e instanceof Error ? e.message : String(e);
    untraced = e instanceof GatewayError && e.code === 'rate_limit_exceeded';
    throw untraced ? e : answerFor(flow.core, flow, e);
  } finally {
    if (!untraced) whenDone(flow, () => bookkeep(flow));
  }
}
