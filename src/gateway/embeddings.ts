// One embeddings request through the pipeline: the same limits, budget, cache, breakers, retries,
// fallbacks, cost and trace as chat, with the input as the trace's query.
import { cacheGet, cacheSet, complete, failed, initialFacts, resultHeaders, type Core, type GatewayReply, type RequestCtx } from './core.js';
import { UpstreamError } from './errors.js';
import { runChain } from './execute.js';
import { planChain } from './chat.js';
import { cacheKey } from './pipeline/cache.js';
import type { Admission } from './pipeline/rate-limit.js';
import type { EmbeddingsRequest, EmbeddingsResponse } from './types.js';

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
function encoded(res: EmbeddingsResponse, format: EmbeddingsRequest['encoding_format']): EmbeddingsResponse {
  const want = format === 'base64' ? 'string' : 'object';
  if (res.data.every((d) => typeof d.embedding === want)) return res;
  const data = res.data.map((d) => ({ ...d, embedding: typeof d.embedding === want ? d.embedding : typeof d.embedding === 'string' ? toFloats(d.embedding) : toBase64(d.embedding) }));
  return { ...res, data };
}

const inputText = (input: EmbeddingsRequest['input']) =>
  (Array.isArray(input) ? input : [input]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join('\n');

/** Serve one embeddings request. */
export async function runEmbeddings(core: Core, ctx: RequestCtx, req: EmbeddingsRequest): Promise<GatewayReply> {
  const text = inputText(req.input);
  const facts = initialFacts(ctx, 'embeddings', req.model, text, core.cache ? (ctx.options.cacheBypass ? 'bypass' : 'miss') : 'off', false);
  let admission: Admission | undefined;
  try {
    admission = await core.limiter.admit(ctx.keyId, ctx.project, Math.ceil(text.length / 3));
    Object.assign(ctx.headers, admission.headers);
    const chain = await planChain(core, ctx, req.model, facts);
    const key = facts.cache === 'miss' ? cacheKey(ctx.project.id, 'embeddings', { ...req, model: chain[0]!.label }) : undefined;
    const hit = key ? await cacheGet<CachedEmbeddings>(core, key) : undefined;
    if (hit) {
      Object.assign(facts, { cache: 'hit', endpoint: hit.endpoint, model: hit.model, costUsd: 0, inputTokens: hit.embeddings.usage.prompt_tokens, outputTokens: 0 });
      resultHeaders(ctx, { label: hit.label, endpoint: { name: hit.endpoint } }, facts);
      ctx.headers['x-aether-cache'] = 'hit';
      complete(core, ctx, facts, admission, 0);
      return { kind: 'json', status: 200, headers: ctx.headers, body: JSON.stringify(encoded(hit.embeddings, req.encoding_format)) };
    }
    if (core.cache) ctx.headers['x-aether-cache'] = facts.cache;
    const run = await runChain(
      core.exec,
      chain,
      { projectId: ctx.project.id, signal: ctx.signal, timeoutMs: ctx.options.timeoutMs ?? core.settings.timeout_ms, maxRetries: ctx.options.maxRetries ?? core.settings.retry.max_retries, waitingFor: 'the answer' },
      (p, c) => {
        if (!p.embeddings) {
          throw new UpstreamError(`${c.target.label}: this provider has no embeddings endpoint`, { kind: 'config', status: 400, retryable: false, fallback: true, code: 'unsupported_operation' });
        }
        return p.embeddings(req, c);
      },
      facts.attempts,
    );
    run.deadline.dispose();
    const res = run.value;
    const tokens = res.usage?.prompt_tokens ?? 0;
    facts.endpoint = run.target.endpoint.name;
    facts.model = run.target.model;
    facts.inputTokens = tokens;
    facts.outputTokens = 0;
    Object.assign(facts, core.pricer.price(ctx.project, run.target, res.model, { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens, ...(res.usage?.cost !== undefined ? { cost: res.usage.cost } : {}) }));
    resultHeaders(ctx, run.target, facts);
    if (key) cacheSet(core, key, { embeddings: res, label: run.target.label, endpoint: run.target.endpoint.name, model: run.target.model });
    complete(core, ctx, facts, admission, tokens);
    return { kind: 'json', status: 200, headers: ctx.headers, body: JSON.stringify(encoded(res, req.encoding_format)) };
  } catch (e) {
    throw failed(core, ctx, facts, admission, e);
  }
}
