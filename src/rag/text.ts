// Lexical analysis shared by BM25 and the local embedder: lower-case word tokens, English stopwords
// removed (the `stopword` package's list), Porter-stemmed (the `stemmer` package).
import { stemmer } from 'stemmer';
import { eng } from 'stopword';

const STOP = new Set(eng);
const WORD = /[\p{L}\p{N}]+/gu;

/** Lower-case words of `text`, in order (no stemming, stopwords kept). */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

// Stemming is the costly step and vocabularies are small next to texts: remember the stems.
const stems = new Map<string, string>();
function stem(w: string): string {
  let s = stems.get(w);
  if (s === undefined) {
    s = (/^\p{N}+$/u.test(w) ? w : stemmer(w)).slice(0, 64);
    if (stems.size >= 200_000) stems.clear();
    stems.set(w, s);
  }
  return s;
}

/** Index terms of `text`: words minus stopwords, stemmed; very long tokens are cut to 64 chars. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const w of words(text)) if (!STOP.has(w)) out.push(stem(w));
  return out;
}

/** Term frequencies of `text`. */
export function termCounts(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms(text)) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}
