// Token counting for chunking: the o200k_base tokenizer from gpt-tokenizer (the one the gateway
// counts with), loaded lazily because its tables take a moment to parse.
export interface Tokenizer {
  count(text: string): number;
  encode(text: string): number[];
  decode(tokens: number[]): string;
}

let loading: Promise<Tokenizer> | undefined;

/** The shared tokenizer (loaded once). */
export function loadTokenizer(): Promise<Tokenizer> {
  loading ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => ({
    count: (t: string) => (t ? m.countTokens(t) : 0),
    encode: (t: string) => m.encode(t),
    decode: (t: number[]) => m.decode(t),
  }));
  return loading;
}
