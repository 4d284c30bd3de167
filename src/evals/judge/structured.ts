import type { z } from 'zod';
import type { ChatMessage, Judge } from '../contract.js';

export interface Spend {
  tokens: number;
  cost_usd: number;
}

export type StructuredReply<T> = { ok: true; value: T; spend: Spend } | { ok: false; reason: string; spend: Spend };

function extractJson(text: string): unknown {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/.exec(text);
  const body = (fenced?.[1] ?? text).trim();
  const start = body.search(/[[{]/);
  return JSON.parse(start > 0 ? body.slice(start) : body);
}

/**
 * Ask the judge for JSON matching `schema`. An invalid answer gets one repair request that quotes
 * the problem; a second invalid answer is reported, never guessed at. Transport errors propagate.
 */
export async function askJson<S extends z.ZodType>(judge: Judge, messages: ChatMessage[], schema: S): Promise<StructuredReply<z.output<S>>> {
  const spend: Spend = { tokens: 0, cost_usd: 0 };
  let convo = messages;
  let problem = '';
  for (let attempt = 0; attempt < 2; attempt++) {
    const reply = await judge.complete(convo, { json: true });
    spend.tokens += reply.usage.input_tokens + reply.usage.output_tokens;
    spend.cost_usd += reply.cost_usd ?? 0;
    try {
      const parsed = schema.safeParse(extractJson(reply.text));
      if (parsed.success) return { ok: true, value: parsed.data, spend };
      problem = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    } catch (e) {
      problem = `not valid JSON (${(e as Error).message})`;
    }
    convo = [
      ...messages,
      { role: 'assistant', content: reply.text },
      { role: 'user', content: `Your answer was invalid: ${problem}. Reply again with only the corrected JSON object.` },
    ];
  }
  return { ok: false, reason: `the judge returned invalid output twice: ${problem}`, spend };
}
