// MMLU routing data (RouteLLM's, see shared/data/routing/README.md): the split, prices and the sweep
// metrics (cost saved at a share of GPT-4's accuracy, APGR), shared by the live and offline benches.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { resolvePrice } from '../../src/core/pricing/index.js';

export const M = 'mixtral-8x7b-instruct';
export const G = 'gpt-4-1106-preview';
export const priceM = resolvePrice('together_ai/mistralai/Mixtral-8x7B-Instruct-v0.1')!.price;
export const priceG = resolvePrice('gpt-4-1106-preview')!.price;

export interface Row {
  id: string;
  prompt: string;
  correct: Record<string, boolean>;
}

/** The train and test halves (SHA-256 of the id: even → train). */
export function loadMmlu(path = process.env.MMLU ?? '../shared/data/routing/mmlu.jsonl.gz'): { train: Row[]; test: Row[] } {
  const rows = gunzipSync(readFileSync(path))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Row);
  const even = (id: string) => BigInt('0x' + createHash('sha256').update(id).digest('hex')) % 2n === 0n;
  return { train: rows.filter((r) => even(r.id)), test: rows.filter((r) => !even(r.id)) };
}

const tokensOf = new Map<string, number>();
/** What a call costs: the prompt's tokens and a one-token answer. */
export const cost = (r: Row, model: string) => {
  let t = tokensOf.get(r.id);
  if (t === undefined) tokensOf.set(r.id, (t = countTokens(r.prompt)));
  const p = model === G ? priceG : priceM;
  return t * p.input + 1 * p.output;
};

export interface Point {
  gpt4Share: number;
  accuracy: number;
  saved: number;
}

/** Route the prompts in `order` to GPT-4 one by one: the curve a continuous threshold sweep traces. */
export function curve(test: Row[], order: Row[]): Point[] {
  const n = test.length;
  const costG = test.reduce((s, r) => s + cost(r, G), 0);
  let acc = test.filter((r) => r.correct[M]).length;
  let c = test.reduce((s, r) => s + cost(r, M), 0);
  const out: Point[] = [{ gpt4Share: 0, accuracy: acc / n, saved: 1 - c / costG }];
  order.forEach((r, i) => {
    acc += (r.correct[G] ? 1 : 0) - (r.correct[M] ? 1 : 0);
    c += cost(r, G) - cost(r, M);
    out.push({ gpt4Share: (i + 1) / n, accuracy: acc / n, saved: 1 - c / costG });
  });
  return out;
}

/** Cost saved at ≥ `frac` of GPT-4's accuracy, at ≥ 97%, and APGR (averaged over the GPT-4 share, as RouteLLM does). */
export function scoreCurve(test: Row[], pts: Point[]): { saved_at_95: number; saved_at_97: number; apgr: number } {
  const n = test.length;
  const accM = test.filter((r) => r.correct[M]).length / n;
  const accG = test.filter((r) => r.correct[G]).length / n;
  const savedAt = (frac: number) => Math.max(...pts.filter((p) => p.accuracy >= frac * accG).map((p) => p.saved), Number.NEGATIVE_INFINITY);
  const apgr = pts.reduce((s, p) => s + (p.accuracy - accM) / (accG - accM), 0) / pts.length;
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return { saved_at_95: r3(savedAt(0.95)), saved_at_97: r3(savedAt(0.97)), apgr: r3(apgr) };
}
