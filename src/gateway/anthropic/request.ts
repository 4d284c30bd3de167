// OpenAI chat requests ⇄ Anthropic Messages requests: system prompts, content parts, tool calls and
// tool results, tool definitions and choice, sampling parameters.
import { GatewayError } from '../errors.js';
import { textOf, type ChatMessage, type ChatRequest, type ContentPart, type ToolChoice } from '../types.js';
import type { AnthropicBlock, AnthropicMessage, AnthropicRequest, AnthropicToolChoice } from './types.js';

/** Anthropic requires max_tokens; OpenAI does not. Used when the caller gave none. */
export const DEFAULT_MAX_TOKENS = 4096;

function parseArgs(s: string): unknown {
  try {
    return s ? JSON.parse(s) : {};
  } catch {
    return {};
  }
}

function imageBlock(url: string): AnthropicBlock {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { type: 'image', source: { type: 'base64', media_type: m[1]!, data: m[2]! } } : { type: 'image', source: { type: 'url', url } };
}

function userBlocks(content: ChatMessage['content']): AnthropicBlock[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const out: AnthropicBlock[] = [];
  for (const p of content ?? []) {
    if (p.type === 'text' && p.text) out.push({ type: 'text', text: p.text });
    else if (p.type === 'image_url' && p.image_url) out.push(imageBlock(p.image_url.url));
  }
  return out;
}

function toolChoice(c: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  let out: AnthropicToolChoice | undefined;
  if (c === 'auto') out = { type: 'auto' };
  else if (c === 'none') out = { type: 'none' };
  else if (c === 'required') out = { type: 'any' };
  else if (c && typeof c === 'object') out = { type: 'tool', name: c.function.name };
  if (parallel === false) out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

/** An OpenAI chat request as an Anthropic Messages request for `model`. */
export function toAnthropicRequest(req: ChatRequest, model: string): AnthropicRequest {
  if ((req.n ?? 1) > 1) throw new GatewayError(400, 'unsupported_parameter', 'n > 1 is not supported by Anthropic models: ask for one choice');
  const system: string[] = [];
  const messages: AnthropicMessage[] = [];
  // Anthropic merges consecutive turns of one role; doing it here keeps tool results in one turn.
  const push = (role: 'user' | 'assistant', blocks: AnthropicBlock[]) => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };
  for (const m of req.messages) {
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content));
    else if (m.role === 'user') push('user', userBlocks(m.content));
    else if (m.role === 'assistant') {
      const text = textOf(m.content);
      const blocks: AnthropicBlock[] = text ? [{ type: 'text', text }] : [];
      for (const tc of m.tool_calls ?? []) blocks.push({ type: 'tool_use', id: tc.id, name: tc.function.name, input: parseArgs(tc.function.arguments) });
      push('assistant', blocks);
    } else {
      push('user', [{ type: 'tool_result', tool_use_id: m.tool_call_id ?? m.name ?? '', content: textOf(m.content) }]);
    }
  }
  const out: AnthropicRequest = { model, messages, max_tokens: req.max_completion_tokens ?? req.max_tokens ?? DEFAULT_MAX_TOKENS };
  if (system.length) out.system = system.join('\n\n');
  if (req.temperature != null) out.temperature = Math.min(1, req.temperature); // Anthropic's range is 0–1
  if (req.top_p != null) out.top_p = req.top_p;
  if (req.stop != null) out.stop_sequences = Array.isArray(req.stop) ? req.stop : [req.stop];
  if (req.user) out.metadata = { user_id: req.user };
  if (req.tools?.length) {
    out.tools = req.tools.map((t) => ({
      name: t.function.name,
      ...(t.function.description ? { description: t.function.description } : {}),
      input_schema: t.function.parameters ?? { type: 'object', properties: {} },
    }));
  }
  const choice = toolChoice(req.tool_choice, req.parallel_tool_calls);
  if (choice && req.tools?.length) out.tool_choice = choice;
  return out;
}

const blocksText = (c: string | AnthropicBlock[] | undefined) =>
  typeof c === 'string' ? c : (c ?? []).filter((b) => b.type === 'text').map((b) => b.text ?? '').join('\n');

function partOf(b: AnthropicBlock): ContentPart | undefined {
  if (b.type === 'text') return { type: 'text', text: b.text ?? '' };
  if (b.type === 'image' && b.source) {
    const url = b.source.type === 'base64' ? `data:${b.source.media_type};base64,${b.source.data}` : (b.source.url ?? '');
    return { type: 'image_url', image_url: { url } };
  }
  return undefined;
}

function fromToolChoice(c: AnthropicToolChoice | undefined): ToolChoice | undefined {
  if (!c) return undefined;
  if (c.type === 'any') return 'required';
  if (c.type === 'tool' && c.name) return { type: 'function', function: { name: c.name } };
  return c.type === 'none' ? 'none' : 'auto';
}

/** An Anthropic Messages request as an OpenAI chat request (the gateway's canonical form). */
export function fromAnthropicRequest(req: AnthropicRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  if (req.system) messages.push({ role: 'system', content: blocksText(req.system) });
  for (const m of req.messages) {
    if (typeof m.content === 'string') {
      messages.push({ role: m.role, content: m.content });
      continue;
    }
    if (m.role === 'assistant') {
      const toolCalls = m.content
        .filter((b) => b.type === 'tool_use')
        .map((b) => ({ id: b.id ?? '', type: 'function' as const, function: { name: b.name ?? '', arguments: JSON.stringify(b.input ?? {}) } }));
      messages.push({ role: 'assistant', content: blocksText(m.content) || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
      continue;
    }
    for (const b of m.content) {
      if (b.type === 'tool_result') messages.push({ role: 'tool', tool_call_id: b.tool_use_id ?? '', content: blocksText(b.content) });
    }
    const parts = m.content.map(partOf).filter((p): p is ContentPart => p !== undefined);
    if (parts.length) messages.push({ role: 'user', content: parts.every((p) => p.type === 'text') ? parts.map((p) => p.text).join('\n') : parts });
  }
  const out: ChatRequest = { model: req.model, messages, max_tokens: req.max_tokens };
  if (req.stream) out.stream = true;
  if (req.temperature !== undefined) out.temperature = req.temperature;
  if (req.top_p !== undefined) out.top_p = req.top_p;
  if (req.stop_sequences?.length) out.stop = req.stop_sequences;
  if (req.metadata?.user_id) out.user = req.metadata.user_id;
  if (req.tools?.length) {
    out.tools = req.tools.map((t) => ({
      type: 'function' as const,
      function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema ?? { type: 'object', properties: {} } },
    }));
    const choice = fromToolChoice(req.tool_choice);
    if (choice) out.tool_choice = choice;
    if (req.tool_choice?.disable_parallel_tool_use) out.parallel_tool_calls = false;
  }
  return out;
}
