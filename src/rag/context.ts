// Context assembly: ranked chunks become trace `contexts` ({text, source, score, metadata}) within a
// token budget, near-duplicates dropped, each with a citation number and where it came from.
import type { Context } from '../core/index.js';
import { words } from './text.js';

export interface Candidate {
  chunkId: string;
  documentId: string;
  position: number;
  text: string;
  title: string | null;
  source: string | null;
  metadata: Record<string, unknown>;
  tokens: number;
  score: number;
}

export interface AssembleOptions {
  k: number;
  /** Token budget over all contexts (default: none). */
  maxTokens?: number | undefined;
  /** Jaccard similarity of word 3-shingles at or above which a chunk counts as a duplicate. */
  duplicateThreshold?: number;
}

function shingles(text: string): Set<string> {
  const w = words(text);
  const s = new Set<string>();
  if (w.length < 3) s.add(w.join(' '));
  for (let i = 0; i + 3 <= w.length; i++) s.add(`${w[i]} ${w[i + 1]} ${w[i + 2]}`);
  return s;
}

/** Jaccard similarity of two shingle sets. */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Pick contexts in rank order: skip near-duplicates and what no longer fits the budget. */
export function assembleContexts(ranked: Candidate[], opts: AssembleOptions): { contexts: Context[]; dropped: { duplicates: number; overBudget: number } } {
  const threshold = opts.duplicateThreshold ?? 0.85;
  const kept: Array<{ c: Candidate; sh: Set<string> }> = [];
  let used = 0;
  let duplicates = 0;
  let overBudget = 0;
  for (const c of ranked) {
    if (kept.length >= opts.k) break;
    const sh = shingles(c.text);
    // Jaccard is at most the ratio of the set sizes: most pairs are ruled out without a scan.
    if (kept.some((k) => Math.min(k.sh.size, sh.size) >= threshold * Math.max(k.sh.size, sh.size) && jaccard(k.sh, sh) >= threshold)) {
      duplicates++;
      continue;
    }
    if (opts.maxTokens !== undefined && used + c.tokens > opts.maxTokens) {
      overBudget++;
      continue;
    }
    used += c.tokens;
    kept.push({ c, sh });
  }
  const contexts = kept.map(({ c }, i): Context => ({
    text: c.text,
    source: c.source ?? c.title ?? c.documentId,
    score: Math.round(c.score * 1e6) / 1e6,
    metadata: {
      citation: i + 1,
      document_id: c.documentId,
      chunk_id: c.chunkId,
      position: c.position,
      ...(c.title ? { title: c.title } : {}),
      tokens: c.tokens,
      document: c.metadata,
    },
  }));
  return { contexts, dropped: { duplicates, overBudget } };
}
