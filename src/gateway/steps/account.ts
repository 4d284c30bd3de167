// account: what the call used and cost, into the trace facts and the response headers (for a
// stream, when it ended; its headers went out with the first chunk).
import { whenDone, resultHeaders, type Flow } from '../flow.js';
import type { Next } from '../pipeline/compose.js';

function account(flow: Flow): void {
  const o = flow.outcome;
  if (!o) return;
  const { facts } = flow;
  facts.endpoint = o.target.endpoint.name;
  facts.model = o.target.model;
  facts.response = o.response;
  facts.finishReason = o.finishReason;
  facts.inputTokens = o.usage.prompt_tokens;
  facts.outputTokens = o.usage.completion_tokens;
  if (o.usageEstimated) facts.usageEstimated = true;
  Object.assign(facts, flow.core.pricer.price(flow.req.project, o.target, o.upstreamModel, o.usage));
  if (flow.core.settings.tracing.capture_messages && o.output !== undefined) facts.output = o.output;
  resultHeaders(flow, o.target.label, o.target.endpoint.name);
}

export async function accountStep(flow: Flow, next: Next): Promise<void> {
  await next();
  whenDone(flow, () => account(flow));
}

/** execute: the operation calls down the chain (fallbacks, retries, breakers, deadlines). */
export const executeStep = (flow: Flow): Promise<void> => flow.op.execute(flow);
