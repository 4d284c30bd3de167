import { costOf, fromAnthropicUsage, fromOpenAIUsage, type TokenUsage as PricedUsage } from '../../core/pricing/index.js';
import type { ChatMessage, Judge, JudgeReply, TokenUsage } from '../contract.js';

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
  /** `openai/<model>`, `anthropic/<model>`, or `<name>/<model>` for any OpenAI-compatible server. */
  model: string;
  openaiBaseUrl: string;
  openaiApiKey: string | undefined;
  anthropicBaseUrl: string;
  anthropicApiKey: string | undefined;
  concurrency: number;
  timeoutMs: number;
  /** Tries per call on 429/5xx/network errors, honouring Retry-After. */
  maxTries: number;
  fetch?: typeof fetch;
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
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }
}

function retryAfterMs(h: string | null): number | undefined {
  if (!h) return undefined;
  const s = Number(h);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const d = Date.parse(h);
  return Number.isNaN(d) ? undefined : Math.max(0, d - Date.now());
}

interface Wire {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** `priced`: the usage in the pricing function's convention (cache and reasoning tokens kept apart). */
  parse: (json: unknown) => { text: string; usage: TokenUsage; priced: PricedUsage };
}

/** Build a judge from settings: Anthropic Messages for `anthropic/…`, OpenAI chat completions otherwise. */
export function createJudge(s: JudgeSettings): Judge {
  const slash = s.model.indexOf('/');
  const provider = slash > 0 ? s.model.slice(0, slash) : 'openai';
  const model = slash > 0 ? s.model.slice(slash + 1) : s.model;
  const doFetch = s.fetch ?? fetch;
  const gate = new Gate(s.concurrency);
  const anthropic = provider === 'anthropic';

  function chatWire(messages: ChatMessage[], json: boolean, maxTokens: number): Wire {
    if (anthropic) {
      const system = messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
      return {
        url: `${s.anthropicBaseUrl.replace(/\/$/, '')}/v1/messages`,
        headers: { 'x-api-key': s.anthropicApiKey ?? '', 'anthropic-version': '2023-06-01' },
        body: { model, max_tokens: maxTokens, temperature: 0, ...(system ? { system } : {}), messages: messages.filter((m) => m.role !== 'system') },
        parse: (j) => {
          const r = j as { content?: Array<{ type: string; text?: string }>; usage?: Parameters<typeof fromAnthropicUsage>[0] };
          const text = (r.content ?? []).filter((c) => c.type === 'text').map((c) => c.text ?? '').join('');
          const priced = fromAnthropicUsage(r.usage ?? {});
          return { text, usage: { input_tokens: priced.input, output_tokens: priced.output }, priced };
        },
      };
    }
    return {
      url: `${s.openaiBaseUrl.replace(/\/$/, '')}/chat/completions`,
      headers: s.openaiApiKey ? { authorization: `Bearer ${s.openaiApiKey}` } : {},
      body: { model, messages, temperature: 0, max_tokens: maxTokens, ...(json ? { response_format: { type: 'json_object' } } : {}) },
      parse: (j) => {
        const r = j as { choices?: Array<{ message?: { content?: string | null } }>; usage?: Parameters<typeof fromOpenAIUsage>[0] };
        const priced = fromOpenAIUsage(r.usage ?? {});
        return { text: r.choices?.[0]?.message?.content ?? '', usage: { input_tokens: priced.input, output_tokens: priced.output }, priced };
      },
    };
  }

  async function call(w: Wire): Promise<{ text: string; usage: TokenUsage; priced: PricedUsage }> {
    let lastError: JudgeError | undefined;
    for (let attempt = 1; attempt <= s.maxTries; attempt++) {
      try {
        return await gate.run(async () => {
          let res: Response;
          try {
            res = await doFetch(w.url, {
              method: 'POST',
              headers: { 'content-type': 'application/json', ...w.headers },
              body: JSON.stringify(w.body),
              signal: AbortSignal.timeout(s.timeoutMs),
            });
          } catch (e) {
            const timeout = (e as Error).name === 'TimeoutError';
            throw new JudgeError(timeout ? `judge timed out after ${s.timeoutMs} ms` : `judge unreachable: ${(e as Error).message}`, true);
          }
          const bodyText = await res.text().catch(() => '');
          if (res.status === 429 || res.status >= 500) {
            const wait = retryAfterMs(res.headers.get('retry-after'));
            if (res.status === 429) gate.pause(wait ?? 1000);
            throw new JudgeError(`judge answered ${res.status}: ${bodyText.slice(0, 200)}`, true, res.status);
          }
          if (!res.ok) throw new JudgeError(`judge answered ${res.status}: ${bodyText.slice(0, 200)}`, false, res.status);
          try {
            return w.parse(JSON.parse(bodyText));
          } catch {
            throw new JudgeError(`judge answered with a body that is not JSON: ${bodyText.slice(0, 200)}`, true);
          }
        });
      } catch (e) {
        if (!(e instanceof JudgeError) || !e.retryable || attempt === s.maxTries) throw e;
        lastError = e;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(4000, 250 * 2 ** attempt)));
      }
    }
    throw lastError ?? new JudgeError('judge failed', true);
  }

  // The same function prices traces, so an evaluation costs what the same call would as a trace.
  const priced = (usage: PricedUsage) => costOf([s.model, model], usage, {}, provider);

  const judge: Judge = {
    model: s.model,
    async complete(messages, opts): Promise<JudgeReply> {
      const r = await call(chatWire(messages, opts.json, opts.maxTokens ?? 1024));
      return { text: r.text, usage: r.usage, cost_usd: priced(r.priced) };
    },
  };
  if (!anthropic) {
    judge.embed = async (texts) => {
      const r = await call({
        url: `${s.openaiBaseUrl.replace(/\/$/, '')}/embeddings`,
        headers: s.openaiApiKey ? { authorization: `Bearer ${s.openaiApiKey}` } : {},
        body: { model: 'text-embedding-3-small', input: texts },
        parse: (j) => {
          const x = j as { data?: Array<{ embedding: number[] }>; usage?: { prompt_tokens?: number } };
          const tokens = x.usage?.prompt_tokens ?? 0;
          return { text: JSON.stringify((x.data ?? []).map((d) => d.embedding)), usage: { input_tokens: tokens, output_tokens: 0 }, priced: { input: tokens, output: 0 } };
        },
      });
      return { vectors: JSON.parse(r.text) as number[][], usage: r.usage, cost_usd: costOf(['text-embedding-3-small'], r.priced) };
    };
  }
  return judge;
}
