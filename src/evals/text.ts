// Small text utilities shared by the lexical metrics.

const STOPWORDS = new Set(
  `a an the and or but if then else of to in on at by for with from as is are was were be been being it its this that these those
  there here which who whom whose what when where why how i you he she we they me him her us them my your his our their not no
  do does did done have has had having will would shall should can could may might must so such than too very just also into
  about over under again further once all any both each few more most other some own same only nor s t can't don't`.split(/\s+/),
);

/** Lowercased word tokens (letters/digits, keeping inner apostrophes and decimal points). */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+(?:['.,][\p{L}\p{N}]+)*/gu) ?? [];
}

/** Words minus stopwords, with a light suffix strip so "capitals" meets "capital". */
export function contentTokens(text: string): string[] {
  return words(text)
    .filter((w) => !STOPWORDS.has(w))
    .map(stem);
}

/** A tiny stemmer: plural and common verb endings only (enough for overlap scores). */
export function stem(w: string): string {
  if (w.length <= 3 || /\d/.test(w)) return w;
  if (w.endsWith('ies') && w.length > 4) return w.slice(0, -3) + 'y';
  if (w.endsWith('ing') && w.length > 5) return w.slice(0, -3);
  if (w.endsWith('ed') && w.length > 4) return w.slice(0, -2);
  if (w.endsWith('es') && w.length > 4 && /(sh|ch|x|z|ss)es$/.test(w)) return w.slice(0, -2);
  if (w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}

/** Share of `tokens` found in `reference` (1 when tokens is empty is avoided: callers check). */
export function coverage(tokens: string[], reference: Set<string>): number {
  if (tokens.length === 0) return 0;
  let hit = 0;
  for (const t of tokens) if (reference.has(t)) hit++;
  return hit / tokens.length;
}

/** Sentences (split on . ! ? followed by space and a capital/digit, and on newlines). */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}"'(])|\n+/u)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
