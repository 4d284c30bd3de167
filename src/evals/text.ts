// Text helpers for the lexical metrics, built on the detector's tokenizer so every metric counts
// words the same way.
import { tokenize } from './detector/text.js';

/** Lowercased surface words and numbers, in order. */
export function words(text: string): string[] {
  return tokenize(text).map((t) => t.lower);
}

/** Normalized content tokens: stemmed words and canonical numbers, function words dropped. */
export function contentTokens(text: string): string[] {
  return tokenize(text)
    .filter((t) => !t.stop)
    .map((t) => t.norm);
}

/** Share of `tokens` found in `reference` (0 for no tokens). */
export function coverage(tokens: string[], reference: Set<string>): number {
  if (tokens.length === 0) return 0;
  let hit = 0;
  for (const t of tokens) if (reference.has(t)) hit++;
  return hit / tokens.length;
}

/** Sentences (split on . ! ? before a capital, digit or quote, and on newlines). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}"'(])|\n+/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
