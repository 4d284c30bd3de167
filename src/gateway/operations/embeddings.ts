// The embeddings operation (`/v1/embeddings`, and the platform's own embedding calls): the input
// is the trace's query; vectors are answered in the encoding the client asked for.
import { UpstreamError } from '../errors.js';
import { runChain } from '../execute.js';
import { execOptions, resultHeaders, type EmbeddingsCall, type Flow, type Operation } from '../flow.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from '../types.js';

interface CachedEmbeddings {
  embeddings: EmbeddingsResponse;
  label: string;
  endpoint: string;
  model: string;
}

/** A float vector as OpenAI's base64: the bytes of a little-endian float32 array. */
function toBase64(v: number[]): string {
  const buf = Buffer.allocUnsafe(v.length * 4);
  for (let i = 0; i < v.length; i++) buf.writeFloatLE(v[i]!, i * 4);
  return buf.toString('base64');
}

function toFloats(b64: string): number[] {
  const buf = Buffer.from(b64, 'base64');
  return Array.from({ length: buf.length >> 2 }, (_, i) => buf.readFloatLE(i * 4));
}

/**
 * Vectors in the encoding the client asked for. The openai SDK asks for base64 by default and
 * decodes whatever string it gets, so floats from an upstream that ignores `encoding_format` (or the
 * mock) must be encoded here; base64 from an upstream passes through untouched.
 */
export function encoded(res: EmbeddingsResponse, format: EmbeddingsRequest['encoding_format']): EmbeddingsResponse {
  const want = format === 'base64' ? 'string' : 'object';
  if (res.data.every((d) => typeof d.embedding === want)) return res;
  const data = res.data.map((d) => ({ ...d, embedding: typeof d.embedding === want ? d.embedding : typeof d.embedding === 'string' ? toFloats(d.embedding) : toBase64(d.embedding) }));
  return { ...res, data };
}

const inputText = (input: EmbeddingsRequest['input']) =>
  (Array.isArray(input) ? input : [input]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n');

function fromCache(flow: Flow<EmbeddingsCall>, raw: Record<string, unknown>): void {
  const hit = raw as unknown as CachedEmbeddings;
  Object.assign(flow.facts, { endpoint: hit.endpoint, model: hit.model, costUsd: 0, inputTokens: hit.embeddings.usage.prompt_tokens, outputTokens: 0 });
  resultHeaders(flow, hit.label, hit.endpoint);
  flow.reply = { kind: 'json', status: 200, headers: flow.req.headers, body: JSON.stringify(encoded(hit.embeddings, flow.call.body.encoding_format)) };
}

async function execute(flow: Flow<EmbeddingsCall>): Promise<void> {
  const { body } = flow.call;
  const run = await runChain(
    flow.core.exec,
    flow.chain,
    execOptions(flow, 'the answer'),
    (p, c) => {
      if (!p.embeddings) {
        throw new UpstreamError(`${c.target.label}: this provider has no embeddings endpoint`, { kind: 'config', status: 400, retryable: false, fallback: true, code: 'unsupported_operation' });
      }
      return p.embeddings(body, c);
    },
    flow.facts.attempts,
  );
  run.deadline.dispose();
  const res = run.value;
  const tokens = res.usage?.prompt_tokens ?? 0;
  flow.outcome = {
    target: run.target,
    upstreamModel: res.model,
    usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens, ...(res.usage?.cost !== undefined ? { cost: res.usage.cost } : {}) },
    usageEstimated: false,
    response: null,
    cacheable: { embeddings: res },
  };
  flow.reply = { kind: 'json', status: 200, headers: flow.req.headers, body: JSON.stringify(encoded(res, body.encoding_format)) };
}

/** Embeddings. */
export const embeddingsOperation: Operation<EmbeddingsCall> = {
  kind: 'embeddings',
  query: (call) => inputText(call.body.input),
  streamed: () => false,
  input: () => undefined,
  estimate: (call) => Math.ceil(inputText(call.body.input).length / 3),
  fromCache,
  execute,
};
