// The workload profile: what a request needs, read from the request alone (no model call).
import { hasPii } from '../evals/index.js';
import type { Neighbour } from './knn.js';
import { countTokens, preloadTokenizer } from '../core/tokens.js';

/** Task types the router keeps separate figures for. */
export const TASK_TYPES = ['code', 'math', 'extraction', 'summarization', 'translation', 'classification', 'rag', 'qa', 'creative', 'chat'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

// Lexical cues per task type: a weighted vote; the neighbours' labels are added to it.
const CUES: Array<[TaskType, RegExp, number]> = [
  ['code', /```|\b(function|class|def|const|import|return|compile|stack ?trace|typescript|python|javascript|sql|regex|bug|refactor)\b/gi, 1],
  ['math', /\b(solve|equation|integral|derivative|prove|calculate|compute|probability|sum of|\d+\s*[-+*/^=]\s*\d+)\b/gi, 1],
  ['extraction', /\b(extract|json|fields?|parse|entities|table of)\b/gi, 1],
  ['summarization', /\b(summari[sz]e|summary|tl;?dr|key points|condense)\b/gi, 2],
  ['translation', /\b(translate|translation|in (french|german|spanish|english|chinese|japanese))\b/gi, 2],
  ['classification', /\b(classify|categori[sz]e|which of the following|sentiment|label|^[A-D]\.\s)/gim, 1],
  ['creative', /\b(poem|story|write a|slogan|lyrics|creative|imagine)\b/gi, 1],
  ['qa', /\?|\b(what|who|when|where|why|how|explain|answer)\b/gi, 0.3],
];

/** A request's own limits and policy, from its headers. */
export interface Slo {
  route?: string | undefined;
  maxLatencyMs?: number | undefined;
  maxCostUsd?: number | undefined;
  minQuality?: number | undefined;
}

export interface ChatBody {
  messages?: Array<{ role?: string; content?: unknown }>;
  tools?: unknown[];
  functions?: unknown[];
  response_format?: { type?: string } | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  [k: string]: unknown;
}

export interface Profile {
  /** The last user message: what neighbours are matched on and what a trace's `query` holds. */
  prompt: string;
  taskType: TaskType;
  /** Vote shares behind `taskType` (lexical plus neighbours). */
  taskScores: Partial<Record<TaskType, number>>;
  inputTokens: number;
  expectedOutputTokens: number;
  /** Tokens the context window must hold (input plus the requested or expected output). */
  neededContext: number;
  needs: { tools: boolean; vision: boolean; json: boolean };
  slo: Slo;
  /** Personal data found in the prompt: only models allowed for it may serve the request. */
  pii: boolean;
}

export { preloadTokenizer };
const tokens = countTokens;

/** The text of a message's content (string or parts), and whether it carries an image. */
function contentText(c: unknown): { text: string; image: boolean } {
  if (typeof c === 'string') return { text: c, image: false };
  if (!Array.isArray(c)) return { text: '', image: false };
  let text = '';
  let image = false;
  for (const p of c as Array<Record<string, unknown>>) {
    if (typeof p?.text === 'string') text += (text ? '\n' : '') + p.text;
    if (p?.type === 'image_url' || p?.type === 'input_image' || p?.type === 'image') image = true;
  }
  return { text, image };
}

/** Parse the router's request headers (numbers that do not parse are a 400 at the edge). */
export function parseSloHeaders(h: Record<string, string | string[] | undefined>): Slo {
  const one = (k: string) => {
    const v = h[k];
    return Array.isArray(v) ? v[0] : v;
  };
  const num = (k: string, ok: (n: number) => boolean) => {
    const v = one(k);
    if (v === undefined || v.trim() === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || !ok(n)) throw new Error(`${k}: ${v} is out of range`);
    return n;
  };
  const slo: Slo = {};
  const route = one('x-aether-route')?.trim();
  if (route) {
    if (route.length > 64) throw new Error('x-aether-route: longer than 64 characters');
    slo.route = route;
  }
  const positive = (n: number) => n > 0;
  const maxLatencyMs = num('x-aether-max-latency-ms', positive);
  const maxCostUsd = num('x-aether-max-cost-usd', positive);
  const minQuality = num('x-aether-min-quality', (n) => n >= 0 && n <= 1);
  if (maxLatencyMs !== undefined) slo.maxLatencyMs = maxLatencyMs;
  if (maxCostUsd !== undefined) slo.maxCostUsd = maxCostUsd;
  if (minQuality !== undefined) slo.minQuality = minQuality;
  return slo;
}

/** Lexical task-type votes of a prompt. */
export function lexicalTask(prompt: string, hasContexts = false): Partial<Record<TaskType, number>> {
  const votes: Partial<Record<TaskType, number>> = {};
  const head = prompt.slice(0, 4000);
  for (const [t, re, w] of CUES) {
    // Five matches count at most: stop looking after the fifth.
    let n = 0;
    re.lastIndex = 0;
    while (n < 5 && re.exec(head) !== null) n++;
    if (n) votes[t] = (votes[t] ?? 0) + n * w;
  }
  if (hasContexts) votes.rag = (votes.rag ?? 0) + 3;
  return votes;
}

/** The task type with the most votes (`chat` when nothing points anywhere). */
export function topTask(votes: Partial<Record<TaskType, number>>): TaskType {
  let best: TaskType = 'chat';
  let score = 0;
  for (const t of TASK_TYPES) if ((votes[t] ?? 0) > score) [best, score] = [t, votes[t]!];
  return best;
}

/** The task type of a stored trace (a recorded label wins over the lexical guess). */
export function taskOfText(prompt: string, label?: string | null): TaskType {
  if (label && (TASK_TYPES as readonly string[]).includes(label)) return label as TaskType;
  return topTask(lexicalTask(prompt));
}

/** The last user message of a chat body. */
export function promptOf(body: ChatBody): string {
  const msgs = body.messages ?? [];
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === 'user') return contentText(msgs[i]!.content).text;
  return '';
}

/** Nearest past prompts whose task types vote on a request's. */
export const TASK_VOTERS = 8;

/** Profile a request; `neighbours` are its nearest past prompts, best first (the first TASK_VOTERS vote on the task type). */
export function profileRequest(body: ChatBody, slo: Slo, neighbours: Neighbour[], expectedOut = 256): Profile {
  const msgs = body.messages ?? [];
  let all = '';
  let vision = false;
  for (const m of msgs) {
    const c = contentText(m.content);
    all += c.text + '\n';
    vision ||= c.image;
  }
  const prompt = promptOf(body);
  const votes = lexicalTask(prompt, msgs.some((m) => m.role === 'system' && /context|document/i.test(contentText(m.content).text)));
  // Neighbours with a similarity near 1 are the same kind of prompt: their label counts a lot.
  for (const n of neighbours.slice(0, TASK_VOTERS)) votes[n.entry.taskType as TaskType] = (votes[n.entry.taskType as TaskType] ?? 0) + 2 * n.sim;
  const rf = body.response_format?.type;
  const maxOut = body.max_completion_tokens ?? body.max_tokens ?? undefined;
  const inputTokens = tokens(all) + 3 * msgs.length + 3;
  return {
    prompt,
    taskType: topTask(votes),
    taskScores: votes,
    inputTokens,
    expectedOutputTokens: maxOut ? Math.min(maxOut, expectedOut) : expectedOut,
    neededContext: inputTokens + (maxOut ?? 0),
    needs: { tools: (body.tools?.length ?? 0) > 0 || (body.functions?.length ?? 0) > 0, vision, json: rf === 'json_object' || rf === 'json_schema' },
    slo,
    pii: hasPii(all.slice(0, 50_000)),
  };
}
