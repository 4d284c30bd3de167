// The judge's way out to an LLM, wired at the composition root: the gateway's internal API as the
// evaluation module's LlmPort (evals never import the gateway), its failures as JudgeErrors.
import { AetherError } from './core/errors.js';
import { JudgeError, type LlmPort } from './evals/index.js';
import { UpstreamError, type Gateway } from './gateway/index.js';

/** A gateway failure as the judge's error: retryable when the upstream (or its breaker) may recover. */
function judgeError(e: unknown): JudgeError {
  if (e instanceof JudgeError) return e;
  if (e instanceof UpstreamError) return new JudgeError(`judge answered ${e.upstreamStatus ?? e.status}: ${e.message}`, e.retryable, e.upstreamStatus ?? e.status);
  if (e instanceof AetherError) return new JudgeError(`judge answered ${e.status}: ${e.message}`, e.status === 429 || e.status >= 500, e.status);
  return new JudgeError(`judge failed: ${e instanceof Error ? e.message : String(e)}`, true);
}

/** The platform's one way out to an LLM: the gateway's internal API (bound late: the gateway is built after the evaluation stack). */
export function gatewayLlm(gateway: () => Gateway | undefined): LlmPort {
  const using = async <T>(fn: (g: Gateway) => Promise<T>): Promise<T> => {
    const g = gateway();
    if (!g) throw new JudgeError('judge: the gateway is not running yet', true);
    return fn(g).catch((e: unknown) => {
      throw judgeError(e);
    });
  };
  return {
    chat: (c, o) =>
      using(async (g) => {
        const body = { projectId: c.projectId, model: c.model, messages: c.messages.map((m) => ({ role: m.role, content: m.content })), temperature: c.temperature, max_tokens: c.maxTokens, ...(c.json ? { response_format: { type: 'json_object' } } : {}) };
        const r = await g.internal.chat(body, o);
        return { text: r.text, usage: { input_tokens: r.usage.prompt_tokens, output_tokens: r.usage.completion_tokens }, cost_usd: r.costUsd };
      }),
    embed: (c, o) =>
      using(async (g) => {
        const r = await g.internal.embed(c, o);
        return { vectors: r.vectors, usage: { input_tokens: r.usage.prompt_tokens, output_tokens: 0 }, cost_usd: r.costUsd };
      }),
  };
}
