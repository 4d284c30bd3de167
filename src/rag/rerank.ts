// The LLM re-ranker: one chat call scores every candidate passage for the query (0 to 10), through
// whatever chat function the composition root gives (the gateway's internal API).
import type { ProjectRef, Reranker } from './service.js';

/** One chat completion as text (JSON asked for). */
export type RerankChat = (project: ProjectRef, model: string, prompt: string, signal?: AbortSignal) => Promise<string>;

const MAX_PASSAGE_CHARS = 2000;

export function rerankPrompt(query: string, texts: string[]): string {
  const passages = texts.map((t, i) => `[${i + 1}] ${t.replace(/\s+/g, ' ').slice(0, MAX_PASSAGE_CHARS)}`).join('\n');
  return [
    'Rate how relevant each passage is to the query, from 0 (unrelated) to 10 (answers it).',
    `Answer only JSON: {"scores": [one number per passage, in order]} with exactly ${texts.length} numbers.`,
    '',
    `Query: ${query}`,
    '',
    'Passages:',
    passages,
  ].join('\n');
}

/** Scores from the model's answer; throws when it is not one number per passage. */
export function parseScores(text: string, n: number): number[] {
  const m = /\{[\s\S]*\}/.exec(text);
  const o = JSON.parse(m ? m[0] : text) as { scores?: unknown };
  const s = o.scores;
  if (!Array.isArray(s) || s.length !== n || s.some((x) => typeof x !== 'number' || !Number.isFinite(x))) throw new Error(`re-ranker answered ${Array.isArray(s) ? s.length : 'no'} scores for ${n} passages`);
  return s as number[];
}

export function llmReranker(chat: RerankChat): Reranker {
  return async (project, query, texts, opts) => parseScores(await chat(project, opts.model, rerankPrompt(query, texts), opts.signal), texts.length);
}
