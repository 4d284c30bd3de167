// What one span says in the OpenTelemetry GenAI conventions (gen_ai.*, including the deprecated names
// older instrumentations still send) and OpenInference (openinference.*, llm.*, input.value, …).
// The attribute names are listed in docs/otel.md; each lookup below names them first-found-wins.
import type { Context, SpanKind } from '../../core/index.js';
import type { UsageDetails } from '../../core/schemas/trace.js';
import { count, indexed, maybeJson, num, str } from './attrs.js';
import { assistantText, findText, lastUserText, messageText, unwrapJson } from './messages.js';
import type { Attributes } from './model.js';

const OPENINFERENCE_KINDS: Record<string, SpanKind> = {
  LLM: 'llm',
  RETRIEVER: 'retrieval',
  EMBEDDING: 'embedding',
  TOOL: 'tool',
  CHAIN: 'chain',
  AGENT: 'agent',
  RERANKER: 'reranker',
  GUARDRAIL: 'guardrail',
  EVALUATOR: 'evaluator',
};

const GENAI_OPERATIONS: Record<string, SpanKind> = {
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  embeddings: 'embedding',
  retrieval: 'retrieval',
  execute_tool: 'tool',
  invoke_agent: 'agent',
  create_agent: 'agent',
  invoke_workflow: 'chain',
};

/** The Aether span kind: OpenInference's kind, else GenAI's operation, else an LLM if a model is named. */
export function spanKind(a: Attributes): SpanKind {
  const oi = str(a, 'openinference.span.kind');
  if (oi && OPENINFERENCE_KINDS[oi.toUpperCase()]) return OPENINFERENCE_KINDS[oi.toUpperCase()]!;
  const op = str(a, 'gen_ai.operation.name');
  if (op && GENAI_OPERATIONS[op]) return GENAI_OPERATIONS[op]!;
  if (str(a, 'embedding.model_name')) return 'embedding';
  if (str(a, 'gen_ai.request.model', 'gen_ai.response.model', 'llm.model_name')) return 'llm';
  return 'other';
}

export const spanModel = (a: Attributes) =>
  str(a, 'gen_ai.response.model', 'gen_ai.request.model', 'llm.model_name', 'llm.response.model_name', 'llm.request.model_name', 'embedding.model_name');

export const spanProvider = (a: Attributes) => str(a, 'gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system');

/** Token usage: current GenAI names, their deprecated predecessors, then OpenInference. */
export function spanUsage(a: Attributes): { input?: number; output?: number; total?: number } {
  return {
    input: count(a, 'gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens', 'llm.token_count.prompt'),
    output: count(a, 'gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens', 'llm.token_count.completion'),
    total: count(a, 'llm.token_count.total', 'gen_ai.usage.total_tokens'),
  };
}

/**
 * Token counts priced apart. The GenAI conventions (and OpenInference) count cached prompt tokens
 * inside gen_ai.usage.input_tokens and reasoning inside output_tokens, as the pricing function does.
 */
export function spanUsageDetails(a: Attributes): UsageDetails | undefined {
  const d: UsageDetails = {};
  const put = (k: keyof UsageDetails, v: number | undefined) => {
    if (v !== undefined && v > 0) d[k] = v;
  };
  put('cached_read', count(a, 'gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'llm.token_count.prompt_details.cache_read'));
  put('cached_write', count(a, 'gen_ai.usage.cache_creation.input_tokens', 'gen_ai.usage.cache_creation_input_tokens', 'llm.token_count.prompt_details.cache_write'));
  put('reasoning', count(a, 'gen_ai.usage.reasoning.output_tokens', 'llm.token_count.completion_details.reasoning'));
  put('audio_in', count(a, 'llm.token_count.prompt_details.audio'));
  put('audio_out', count(a, 'llm.token_count.completion_details.audio'));
  return Object.keys(d).length ? d : undefined;
}

/** Cost in USD when the instrumentation reports it (OpenInference llm.cost.*; gen_ai.usage.cost is used by some SDKs). */
export function spanCost(a: Attributes): number | undefined {
  const total = num(a, 'llm.cost.total', 'gen_ai.usage.cost');
  if (total !== undefined) return total >= 0 ? total : undefined;
  const p = num(a, 'llm.cost.prompt');
  const c = num(a, 'llm.cost.completion');
  return p === undefined && c === undefined ? undefined : Math.max(0, (p ?? 0) + (c ?? 0));
}

/** Chat messages as recorded: GenAI structured/JSON messages, or OpenInference's flattened list. */
function messages(a: Attributes, genai: string, oi: string): unknown[] | undefined {
  const g = unwrapJson(a[genai]);
  if (Array.isArray(g) && g.length) return g;
  const flat = indexed(a, oi);
  return flat.length ? flat : undefined;
}

export const inputMessages = (a: Attributes) => messages(a, 'gen_ai.input.messages', 'llm.input_messages');
export const outputMessages = (a: Attributes) => messages(a, 'gen_ai.output.messages', 'llm.output_messages');

const INPUT_KEYS = ['input.value', 'gen_ai.input.messages', 'gen_ai.prompt'];
const OUTPUT_KEYS = ['output.value', 'gen_ai.output.messages', 'gen_ai.completion'];

function content(a: Attributes, keys: string[]): { key: string; value: unknown } | undefined {
  for (const key of keys) {
    const v = a[key];
    if (v !== undefined && v !== null && v !== '') return { key, value: key.endsWith('.value') ? v : maybeJson(v) };
  }
  return undefined;
}

/** The span's input as Aether stores it, and the attribute it came from (input.value, GenAI messages, gen_ai.prompt). */
export const spanInput = (a: Attributes) => content(a, INPUT_KEYS);
export const spanOutput = (a: Attributes) => content(a, OUTPUT_KEYS);

/** The user's question this span carries, if any. */
export function spanQuery(a: Attributes): string | undefined {
  const msgs = inputMessages(a);
  const fromMsgs = msgs ? lastUserText(msgs) : undefined;
  return fromMsgs ?? findText(a['input.value'], 'query') ?? findText(a['gen_ai.prompt'], 'query') ?? str(a, 'gen_ai.retrieval.query.text', 'reranker.query');
}

/** The answer this span carries, if any. */
export function spanResponse(a: Attributes): string | undefined {
  const msgs = outputMessages(a);
  const fromMsgs = msgs ? (assistantText(msgs) ?? messageText(msgs[0])) : undefined;
  return fromMsgs ?? findText(a['output.value'], 'response') ?? findText(a['gen_ai.completion'], 'response');
}

/** Retrieved documents as contexts: OpenInference retrieval.documents, else GenAI gen_ai.retrieval.documents. */
export function spanContexts(a: Attributes): Context[] {
  const out: Context[] = [];
  for (const d of indexed(a, 'retrieval.documents')) {
    const text = d['document.content'];
    if (typeof text !== 'string') continue;
    const id = d['document.id'];
    const score = typeof d['document.score'] === 'number' ? d['document.score'] : undefined;
    const meta = maybeJson(d['document.metadata'] ?? undefined);
    out.push({
      text,
      ...(typeof id === 'string' || typeof id === 'number' ? { source: String(id) } : {}),
      ...(score !== undefined && Number.isFinite(score) ? { score } : {}),
      ...(meta && typeof meta === 'object' && !Array.isArray(meta) ? { metadata: meta as Record<string, unknown> } : {}),
    });
  }
  if (out.length) return out;
  const g = unwrapJson(a['gen_ai.retrieval.documents']);
  if (!Array.isArray(g)) return out;
  for (const d of g) {
    if (!d || typeof d !== 'object') continue;
    const doc = d as Record<string, unknown>;
    const text = doc.content ?? doc.text;
    if (typeof text !== 'string') continue;
    out.push({
      text,
      ...(typeof doc.id === 'string' || typeof doc.id === 'number' ? { source: String(doc.id) } : {}),
      ...(typeof doc.score === 'number' ? { score: doc.score } : {}),
    });
  }
  return out;
}

export const spanUser = (a: Attributes) => str(a, 'user.id', 'enduser.id', 'langfuse.user.id');
export const spanSession = (a: Attributes) => str(a, 'session.id', 'gen_ai.conversation.id', 'langfuse.session.id');

/** OpenInference tag.tags. */
export function spanTags(a: Attributes): string[] {
  const t = maybeJson(a['tag.tags']);
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string' && x !== '') : [];
}
