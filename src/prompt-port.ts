// The prompt registry as a gateway resolver, wired at the composition root (the gateway never
// imports prompts): a request naming a prompt (x-aether-prompt, or body `prompt`) is sent with the
// rendered version, and its trace records prompt and experiment variant.
import { errors } from './core/errors.js';
import type { ModelResolver } from './gateway/index.js';
import type { PromptResolver } from './prompts/index.js';

type ChatBody = Extract<Parameters<ModelResolver>[0]['body'], { messages: unknown }>;

/** A gateway resolver over the prompt registry's resolver; chat only (embeddings pass through). */
export function promptModelResolver(resolve: PromptResolver): ModelResolver {
  return async (r) => {
    if (r.operation !== 'chat') return;
    const out = await resolve({ projectId: r.project.id, model: r.model, body: r.body as unknown as Record<string, unknown>, headers: r.headers });
    if (out) {
      r.body = out.body as unknown as ChatBody;
      if (out.model) r.model = out.model;
      Object.assign(r.metadata, out.metadata);
    }
    const messages = (r.body as ChatBody).messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      throw errors.badRequest('messages must hold at least one message, or name a prompt (x-aether-prompt: name[@label|#version], or the body field prompt)');
    }
  };
}
