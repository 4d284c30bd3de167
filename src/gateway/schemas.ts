// Request bodies the gateway accepts. Loose on purpose: only what the gateway reads is checked
// (with messages that name the field); every other field passes through to the upstream.
import { z } from 'zod';
import { cleanString } from './safety.js';

// A model name is an identifier: control characters (CR, LF, NUL…) and unpaired surrogates are
// refused here rather than carried into headers, upstream URLs and traces.
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const clean = (s: string) => !/[\u0000-\u001f\u007f]/.test(s) && cleanString(s) === s;
const modelName = z.string().min(1).max(256).refine(clean, 'must not contain control characters (CR, LF, NUL…) or unpaired surrogates');

const part = z.looseObject({ type: z.string().min(1) });

const toolCall = z.looseObject({
  id: z.string(),
  type: z.literal('function'),
  function: z.looseObject({ name: z.string(), arguments: z.string() }),
});

const message = z.looseObject({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(part), z.null()]).optional(),
  tool_calls: z.array(toolCall).optional(),
  tool_call_id: z.string().optional(),
});

const tool = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({ name: z.string().min(1), description: z.string().optional(), parameters: z.record(z.string(), z.unknown()).optional() }),
});

const count = z.number().int().positive().nullish();

/** `POST /v1/chat/completions`. */
export const chatRequestSchema = z.looseObject({
  model: modelName,
  messages: z.array(message),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  tools: z.array(tool).optional(),
  tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.literal('function'), function: z.looseObject({ name: z.string() }) })]).optional(),
  n: count,
  max_tokens: count,
  max_completion_tokens: count,
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  user: z.string().max(256).optional(),
});

const ROLES: ReadonlySet<unknown> = new Set(message.shape.role.options);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null;
const count1 = (v: unknown) => absent(v) || (Number.isSafeInteger(v) && (v as number) > 0);
const within = (v: unknown, max: number) => absent(v) || (typeof v === 'number' && v >= 0 && v <= max);

function plainMessage(m: unknown): boolean {
  if (!isObject(m) || !ROLES.has(m.role) || m.tool_calls !== undefined || (m.tool_call_id !== undefined && typeof m.tool_call_id !== 'string')) return false;
  const c = m.content;
  if (c === undefined || c === null || typeof c === 'string') return true;
  return Array.isArray(c) && c.every((p) => isObject(p) && typeof p.type === 'string' && p.type.length > 0);
}

/**
 * The common chat request (model, plain messages, the usual sampling fields) checked by hand:
 * the body itself when `chatRequestSchema` would surely accept it unchanged, else undefined and
 * the schema decides (and words the 400). Under load the schema's walk was a few percent of the
 * gateway's CPU; this check is a fraction of that.
 */
export function plainChatRequest(body: unknown): z.output<typeof chatRequestSchema> | undefined {
  if (!isObject(body)) return undefined;
  const b = body;
  if (typeof b.model !== 'string' || b.model.length === 0 || b.model.length > 256 || !clean(b.model)) return undefined;
  if (!Array.isArray(b.messages) || !b.messages.every(plainMessage)) return undefined;
  if (!(absent(b.stream) || typeof b.stream === 'boolean') || !absent(b.stream_options) || b.tools !== undefined || b.tool_choice !== undefined) return undefined;
  if (!count1(b.n) || !count1(b.max_tokens) || !count1(b.max_completion_tokens) || !within(b.temperature, 2) || !within(b.top_p, 1)) return undefined;
  if (!(absent(b.stop) || typeof b.stop === 'string') || !(b.user === undefined || (typeof b.user === 'string' && b.user.length <= 256))) return undefined;
  return b as z.output<typeof chatRequestSchema>;
}

const anthropicBlock = z.looseObject({ type: z.string().min(1) });

/** `POST /v1/messages` (Anthropic Messages). */
export const messagesRequestSchema = z.looseObject({
  model: modelName,
  max_tokens: z.number().int().positive(),
  messages: z.array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(anthropicBlock)]) })).min(1),
  system: z.union([z.string(), z.array(anthropicBlock)]).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z.array(z.looseObject({ name: z.string().min(1), description: z.string().optional(), input_schema: z.record(z.string(), z.unknown()).optional() })).optional(),
  tool_choice: z.looseObject({ type: z.enum(['auto', 'any', 'none', 'tool']), name: z.string().optional(), disable_parallel_tool_use: z.boolean().optional() }).optional(),
  metadata: z.looseObject({ user_id: z.string().optional() }).optional(),
});

/** `POST /v1/embeddings`. */
export const embeddingsRequestSchema = z.looseObject({
  model: modelName,
  input: z.union([z.string(), z.array(z.string()).min(1).max(2048), z.array(z.number()).min(1), z.array(z.array(z.number())).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().max(256).optional(),
});

/** `PUT /api/v1/projects/{id}/providers/{provider}`. */
export const credentialInputSchema = z.strictObject({
  // It goes into an upstream header and its ends into a stored hint: printable ASCII only.
  api_key: z.string().min(1).max(4096).regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  base_url: z.url().nullish().describe('optional: this project talks to the provider at this URL instead'),
});
