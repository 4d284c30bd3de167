// The LLM judge: prompts go out through an LlmPort (the gateway's internal API, passed by the
// composition root), so the judge has the gateway's providers, project credentials, retries,
// breakers, pricing and tracing, and no wire code of its own. Here: concurrency, and a pause for
// every caller after a 429 the gateway could not wait out.
import type { Judge, JudgeReply, LlmPort } from '../contract.js';

/** A judge call that failed; `retryable` when trying again later may succeed (429, 5xx, network, timeout). */
export class JudgeError extends Error {
  override name = 'JudgeError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface JudgeSettings {
  /** `provider/model` as the gateway resolves it (`openai/gpt-4o-mini`, `anthropic/claude-…`). */
  model: string;
  llm: LlmPort;
  /** The project the calls are made for; the evaluator binds each trace's with forProject(). */
  projectId?: string;
  concurrency: number;
  timeoutMs: number;
  /** Tries per call on 429/5xx/network errors (the gateway retries, honouring Retry-After). */
  maxTries: number;
  /** The embeddings model (answer relevancy); none: the judge does not embed. */
  embeddingModel?: string | undefined;
}

/** Limits concurrent calls; a 429 pauses every caller until its Retry-After has passed. */
class Gate {
  private active = 0;
  private waiting: Array<() => void> = [];
  private pausedUntil = 0;
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active++;
    try {
      const wait = this.pausedUntil - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      return await fn();
    } catch (e) {
      if (e instanceof JudgeError && e.status === 429) this.pause(1000);
      throw e;
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }
}

/** Build a judge over the platform's LLM port. */
export function createJudge(s: JudgeSettings, gate = new Gate(s.concurrency)): Judge {
  const opts = { purpose: 'judge', timeoutMs: s.timeoutMs, maxRetries: Math.max(0, s.maxTries - 1) };
  const project = (): string => {
    if (!s.projectId) throw new JudgeError('judge: no project to call for', false);
    return s.projectId;
  };
  const judge: Judge = {
    model: s.model,
    forProject: (projectId) => createJudge({ ...s, projectId }, gate),
    complete: (messages, o): Promise<JudgeReply> =>
      gate.run(() => s.llm.chat({ projectId: project(), model: s.model, messages, json: o.json, maxTokens: o.maxTokens ?? 1024, temperature: 0 }, opts)),
  };
  const embeddingModel = s.embeddingModel;
  if (embeddingModel) judge.embed = (texts) => gate.run(() => s.llm.embed({ projectId: project(), model: embeddingModel, input: texts }, opts));
  return judge;
}
