// Retrievers return documents in many shapes; these are the common ones, mapped to the
// `{text, source, score, metadata}` the evaluators read.
import type { ContextBody } from './types.js';

const TEXT_KEYS = ['text', 'pageContent', 'page_content', 'content', 'document', 'chunk', 'body'] as const;
const SOURCE_KEYS = ['source', 'id', 'doc_id', 'document_id', 'url', 'uri', 'path'] as const;
const SCORE_KEYS = ['score', 'relevance_score', 'similarity', 'relevanceScore'] as const;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function first<T>(o: Record<string, unknown>, keys: readonly string[], ok: (v: unknown) => v is T): T | undefined {
  for (const k of keys) {
    const v = o[k];
    if (ok(v)) return v;
  }
  return undefined;
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isSource = (v: unknown): v is string | number => (typeof v === 'string' && v.length > 0) || typeof v === 'number';
const isScore = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * One context from a string, a `{text|pageContent|content, source|id|metadata.source, score}` object,
 * or a `[document, score]` pair (what vector stores' "search with score" return).
 */
export function toContext(v: unknown, maxText: number): ContextBody | undefined {
  if (typeof v === 'string') return { text: v.slice(0, maxText) };
  if (Array.isArray(v) && v.length === 2 && isScore(v[1])) {
    const c = toContext(v[0], maxText);
    if (c && c.score === undefined) c.score = v[1];
    return c;
  }
  if (!isRecord(v)) return v === undefined || v === null ? undefined : { text: String(v).slice(0, maxText) };
  const meta = isRecord(v.metadata) ? v.metadata : undefined;
  let text = first(v, TEXT_KEYS, isString);
  if (text === undefined) {
    try {
      text = JSON.stringify(v) ?? '';
    } catch {
      text = String(v);
    }
  }
  const c: ContextBody = { text: text.slice(0, maxText) };
  const source = first(v, SOURCE_KEYS, isSource) ?? (meta ? first(meta, SOURCE_KEYS, isSource) : undefined);
  if (source !== undefined) c.source = String(source).slice(0, 2048);
  const score = first(v, SCORE_KEYS, isScore) ?? (meta ? first(meta, SCORE_KEYS, isScore) : undefined);
  if (score !== undefined) c.score = score;
  if (meta) c.metadata = meta;
  return c;
}
