// The one token counter: the bundled o200k_base tokenizer (pure JS, loaded in the background).
// Until it has loaded, a text counts about four characters per token.

let counter: ((text: string) => number) | undefined;
let loading: Promise<void> | undefined;

/** Load the tokenizer off the request path; resolves when it is ready (or failed to load). */
export function preloadTokenizer(): Promise<void> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base')
    .then((m) => {
      counter = (t) => m.countTokens(t);
    })
    .catch(() => undefined);
  return loading;
}

/** Tokens in `text` (about four characters per token until the tokenizer has loaded). */
export function countTokens(text: string): number {
  if (!text) return 0;
  return counter ? counter(text) : Math.ceil(text.length / 4);
}
