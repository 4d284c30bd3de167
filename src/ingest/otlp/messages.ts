// Finding the user's question and the model's answer in the many shapes instrumentations record:
// GenAI messages ({role, parts:[{type:'text', content}]}), OpenAI chat messages and completions,
// OpenInference flattened messages ({'message.role', 'message.content'}), LangChain ({type:'human'}),
// Gemini ({role:'model', parts:[{text}]}), and JSON-encoded strings of any of these.

import { indexed, parseAttrJson } from './attrs.js';
import type { Attributes } from './model.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const USER = new Set(['user', 'human']);
const ASSISTANT = new Set(['assistant', 'ai', 'model', 'bot']);

/** Parse JSON-looking strings (repeatedly: exports often double-encode). */
export function unwrapJson(v: unknown, depth = 0): unknown {
  if (typeof v !== 'string' || depth > 3) return v;
  const t = v.trim();
  if (!(t.startsWith('{') || t.startsWith('[') || (t.startsWith('"') && t.endsWith('"')))) return v;
  try {
    return unwrapJson(parseAttrJson(t), depth + 1);
  } catch {
    return v;
  }
}

function roleOf(m: Obj): string | undefined {
  const r = m.role ?? m['message.role'] ?? m.type;
  return typeof r === 'string' ? r.toLowerCase() : undefined;
}

/** The text of one message or content part list, or undefined when it has none. */
export function messageText(m: unknown, depth = 0): string | undefined {
  if (typeof m === 'string') return m;
  if (depth > 16) return undefined; // attribute JSON is the client's: bound the recursion
  if (Array.isArray(m)) {
    const parts = m.map((p) => (typeof p === 'string' ? p : isObj(p) && (p.type === undefined || p.type === 'text' || p.type === 'input_text' || p.type === 'output_text') ? textField(p) : undefined));
    const texts = parts.filter((p): p is string => typeof p === 'string' && p !== '');
    return texts.length ? texts.join('\n') : undefined;
  }
  if (!isObj(m)) return undefined;
  for (const k of ['content', 'message.content', 'text', 'parts', 'contents']) {
    const t = messageText(m[k], depth + 1);
    if (t) return t;
  }
  // OpenInference content items, flattened (`message.contents.0.message_content.text`) or as a list.
  const items = indexed(m as Attributes, 'message.contents');
  const t = messageText(items.map((p) => p['message_content.text']).filter((x) => typeof x === 'string'));
  if (t) return t;
  if (isObj(m.message)) return messageText(m.message, depth + 1);
  return undefined;
}

function textField(p: Obj): string | undefined {
  for (const k of ['text', 'content']) if (typeof p[k] === 'string') return p[k];
  return undefined;
}

const looksLikeMessages = (a: unknown[]) => a.length > 0 && a.every((m) => isObj(m) && roleOf(m) !== undefined);

/** The last user message's text in a list of messages. */
export function lastUserText(messages: unknown[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (isObj(m) && USER.has(roleOf(m) ?? '')) {
      const t = messageText(m);
      if (t) return t;
    }
  }
  return undefined;
}

/** The assistant's text in output messages (the first choice), or the last assistant turn of a history. */
export function assistantText(messages: unknown[], last = false): string | undefined {
  const order = last ? [...messages].reverse() : messages;
  for (const m of order) if (isObj(m) && ASSISTANT.has(roleOf(m) ?? '')) {
    const t = messageText(m);
    if (t) return t;
  }
  return undefined;
}

const QUERY_KEYS = ['query', 'question', 'input', 'prompt', 'user_input', 'messages', 'new_message', 'contents', 'message', 'text', 'content'];
const RESPONSE_KEYS = ['output', 'response', 'answer', 'choices', 'candidates', 'content', 'text', 'result', 'completion', 'message', 'messages', 'final_output'];

/**
 * The question (`query`) or answer (`response`) inside an input/output value of unknown shape.
 * Undefined when nothing text-like is found; callers then keep the value as it is.
 */
export function findText(value: unknown, want: 'query' | 'response', depth = 0): string | undefined {
  const v = unwrapJson(value);
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (depth > 4 || v === null || typeof v !== 'object') return undefined;
  if (Array.isArray(v)) {
    if (looksLikeMessages(v)) return want === 'query' ? lastUserText(v) : (assistantText(v, true) ?? messageText(v[v.length - 1]));
    const first = v[0];
    return first !== undefined && v.length === 1 ? findText(first, want, depth + 1) : undefined;
  }
  const o = v as Obj;
  if (roleOf(o) && (want === 'response' ? !USER.has(roleOf(o)!) : USER.has(roleOf(o)!))) {
    const t = messageText(o);
    if (t) return t;
  }
  for (const k of want === 'query' ? QUERY_KEYS : RESPONSE_KEYS) {
    if (o[k] === undefined || o[k] === null) continue;
    const t = findText(o[k], want, depth + 1);
    if (t) return t;
  }
  return undefined;
}

/** A value as display text: strings as they are, anything else as compact JSON. */
export function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  return JSON.stringify(v);
}
