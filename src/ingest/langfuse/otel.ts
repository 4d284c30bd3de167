// The `langfuse.*` span attributes the Langfuse v4/v5 SDKs (and its OTel integrations) set, mapped
// onto the conventions the OTLP mapping already reads, so /api/public/otel/v1/traces is the same
// handling as /v1/traces. Trace-level attributes (name, tags, metadata…) may sit on any span of the
// trace; they are gathered per trace and put into the trace's metadata (via the resource).
import { maybeJson } from '../otlp/attrs.js';
import type { AttrValue, Attributes, DecodedExport } from '../otlp/model.js';
import { documentContexts } from './to-trace.js';

const KINDS: Record<string, string> = {
  generation: 'LLM',
  embedding: 'EMBEDDING',
  retriever: 'RETRIEVER',
  tool: 'TOOL',
  agent: 'AGENT',
  chain: 'CHAIN',
  evaluator: 'EVALUATOR',
  guardrail: 'GUARDRAIL',
};

const has = (a: Attributes, k: string) => a[k] !== undefined && a[k] !== null && a[k] !== '';
const setIfAbsent = (a: Attributes, k: string, v: AttrValue | undefined) => {
  if (v !== undefined && v !== null && v !== '' && !has(a, k)) a[k] = v;
};
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function usageOf(v: AttrValue | undefined): { input?: number; output?: number; total?: number } {
  const u = maybeJson(v);
  if (!u || typeof u !== 'object' || Array.isArray(u)) return {};
  const o = u as Record<string, unknown>;
  return {
    input: num(o.input) ?? num(o.prompt_tokens) ?? num(o.input_tokens),
    output: num(o.output) ?? num(o.completion_tokens) ?? num(o.output_tokens),
    total: num(o.total) ?? num(o.total_tokens),
  };
}

/** Trace-level facts a span carries, as trace metadata entries. */
function traceMeta(a: Attributes): Attributes {
  const m: Attributes = {};
  for (const [k, v] of Object.entries(a)) {
    if (k.startsWith('langfuse.trace.metadata.')) m[k.slice('langfuse.trace.metadata.'.length)] = v;
  }
  if (has(a, 'langfuse.trace.metadata')) {
    const obj = maybeJson(a['langfuse.trace.metadata']);
    if (obj && typeof obj === 'object' && !Array.isArray(obj)) Object.assign(m, obj as Attributes);
  }
  const named: Array<[string, string]> = [
    ['langfuse.trace.name', 'langfuse.name'],
    ['langfuse.release', 'langfuse.release'],
    ['langfuse.version', 'langfuse.version'],
    ['langfuse.environment', 'langfuse.environment'],
    ['langfuse.trace.public', 'langfuse.public'],
  ];
  for (const [from, to] of named) if (has(a, from)) m[to] = a[from]!;
  return m;
}

/** Rewrite the export's spans in place: langfuse.* → GenAI / OpenInference names, trace facts → resource. */
export function applyLangfuseAttributes(decoded: DecodedExport): DecodedExport {
  const perTrace = new Map<string, Attributes>();
  for (const s of decoded.spans) {
    const a = s.attributes;
    const type = typeof a['langfuse.observation.type'] === 'string' ? a['langfuse.observation.type'].toLowerCase() : undefined;
    if (type && KINDS[type]) setIfAbsent(a, 'openinference.span.kind', KINDS[type]);
    setIfAbsent(a, 'gen_ai.request.model', a['langfuse.observation.model.name']);
    const u = usageOf(a['langfuse.observation.usage_details']);
    setIfAbsent(a, 'gen_ai.usage.input_tokens', u.input);
    setIfAbsent(a, 'gen_ai.usage.output_tokens', u.output);
    setIfAbsent(a, 'llm.token_count.total', u.total);
    setIfAbsent(a, 'input.value', a['langfuse.observation.input'] ?? a['langfuse.trace.input']);
    setIfAbsent(a, 'output.value', a['langfuse.observation.output'] ?? a['langfuse.trace.output']);
    const tags = maybeJson(a['langfuse.trace.tags']);
    if (Array.isArray(tags) && !has(a, 'tag.tags')) a['tag.tags'] = tags.filter((t): t is string => typeof t === 'string');
    setIfAbsent(a, 'langfuse.prompt_name', a['langfuse.observation.prompt.name']);
    setIfAbsent(a, 'langfuse.prompt_version', a['langfuse.observation.prompt.version']);
    if (a['langfuse.observation.level'] === 'ERROR' && s.status.code !== 2) {
      s.status = { code: 2, message: typeof a['langfuse.observation.status_message'] === 'string' ? a['langfuse.observation.status_message'] : 'observation level ERROR' };
    }
    // A retriever's documents (its output) become the trace's contexts, as OpenInference's would.
    if (type === 'retriever' && !Object.keys(a).some((k) => k.startsWith('retrieval.documents.'))) {
      documentContexts(a['langfuse.observation.output']).forEach((c, i) => {
        a[`retrieval.documents.${i}.document.content`] = c.text;
        if (c.source) a[`retrieval.documents.${i}.document.id`] = c.source;
        if (c.score !== undefined) a[`retrieval.documents.${i}.document.score`] = c.score;
      });
    }
    const m = traceMeta(a);
    if (Object.keys(m).length) perTrace.set(s.traceId, { ...perTrace.get(s.traceId), ...m });
  }
  for (const s of decoded.spans) {
    const m = perTrace.get(s.traceId);
    if (m) s.resource = { ...s.resource, ...m };
  }
  return decoded;
}
