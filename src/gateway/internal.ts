// The platform's own LLM calls (the evaluation judge, and later re-rankers): the same pipeline,
// provider table, project credentials and breakers as client traffic; not rate limited by a key,
// traced with `metadata.internal` and its purpose, so the spend shows as the platform's and the
// evaluation worker never evaluates them (which would evaluate the judge's own calls forever).
import { errors } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Core, RequestCtx } from './core.js';
import { openAIFormat } from './formats.js';
import { requestOptions } from './headers.js';
import { chatOperation } from './operations/chat.js';
import { embeddingsOperation } from './operations/embeddings.js';
import type { Pipeline } from './run.js';
import type { ChatCompletion, ChatMessage, ChatRequest, EmbeddingsResponse, Usage } from './types.js';

/** A project by id (the composition root reads the store). */
export type ProjectLookup = (projectId: string) => Promise<{ id: string; slug: string } | undefined>;

export interface InternalOptions {
  /** Why the platform calls (`judge`): recorded on the trace. */
  purpose: string;
  timeoutMs?: number;
  maxRetries?: number;
  signal?: AbortSignal;
  tags?: string[];
}

export interface InternalChatInput extends Omit<ChatRequest, 'stream' | 'stream_options'> {
  projectId: string;
  model: string;
  messages: ChatMessage[];
}

export interface InternalChatResult {
  text: string;
  completion: ChatCompletion;
  usage: Usage;
  costUsd: number | null;
  /** `endpoint/model` that answered, and the trace of the call. */
  label: string;
  traceId: string;
}

export interface InternalEmbedResult {
  vectors: number[][];
  usage: { prompt_tokens: number; total_tokens: number };
  costUsd: number | null;
  label: string;
  traceId: string;
}

/** The `internal` API of a gateway. */
export function createInternal(core: Core, run: Pipeline, projects: ProjectLookup | undefined) {
  const cache = new Map<string, { id: string; slug: string }>();
  async function project(id: string) {
    let p = cache.get(id);
    if (!p) {
      p = (await projects?.(id)) ?? undefined;
      if (!p) throw errors.notFound(`No project ${id}`);
      if (cache.size > 10_000) cache.clear();
      cache.set(id, p);
    }
    return p;
  }
  async function context(projectId: string, route: string, o: InternalOptions): Promise<RequestCtx> {
    const options = { ...requestOptions({}), tags: o.tags ?? [`aether:${o.purpose}`], cacheBypass: true, timeoutMs: o.timeoutMs, maxRetries: o.maxRetries };
    const traceId = newId();
    const signal = o.signal ?? new AbortController().signal;
    return { keyId: `internal:${o.purpose}`, project: await project(projectId), options, raw: {}, signal, route, traceId, start: Date.now(), t0: performance.now(), headers: {} };
  }
  return {
    /** A chat completion for the platform itself (never streamed, never cached). */
    async chat(input: InternalChatInput, o: InternalOptions): Promise<InternalChatResult> {
      const { projectId, ...body } = input;
      const flow = await run(await context(projectId, 'internal:chat', o), chatOperation, { operation: 'chat', body: { ...body, stream: false }, format: openAIFormat }, { purpose: o.purpose });
      const reply = flow.reply!;
      const completion = JSON.parse(reply.kind === 'json' ? reply.body : '{}') as ChatCompletion;
      return { text: flow.outcome?.response ?? '', completion, usage: flow.outcome!.usage, costUsd: flow.facts.costUsd, label: flow.outcome!.target.label, traceId: flow.req.traceId };
    },
    /** Embeddings (as floats) for the platform itself. */
    async embed(input: { projectId: string; model: string; input: string[] }, o: InternalOptions): Promise<InternalEmbedResult> {
      const flow = await run(await context(input.projectId, 'internal:embeddings', o), embeddingsOperation, { operation: 'embeddings', body: { model: input.model, input: input.input, encoding_format: 'float' } }, { purpose: o.purpose });
      const reply = flow.reply!;
      const res = JSON.parse(reply.kind === 'json' ? reply.body : '{}') as EmbeddingsResponse;
      const vectors = [...res.data].sort((a, b) => a.index - b.index).map((d) => d.embedding as number[]);
      return { vectors, usage: { prompt_tokens: flow.outcome!.usage.prompt_tokens, total_tokens: flow.outcome!.usage.total_tokens }, costUsd: flow.facts.costUsd, label: flow.outcome!.target.label, traceId: flow.req.traceId };
    },
  };
}

export type InternalApi = ReturnType<typeof createInternal>;
