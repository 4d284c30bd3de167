// Embedders: the port, the local deterministic one, the gateway-backed one and the fallback chain.
import { createHash } from 'node:crypto';
import { terms } from './text.js';

/** Turns texts into vectors. `name` identifies the vector space: vectors of two names are never compared. */
export interface Embedder {
  name: string;
  /** Dimensions, when known before the first call (a remote model tells by answering). */
  dims: number | undefined;
  embed(texts: string[], signal?: AbortSignal): Promise<number[][]>;
  /** Whether its vectors are worth caching (false for one cheaper to recompute than to read back). */
  cache?: boolean;
}

/** An embedding answered by one tier of a chain: which tier, so the vector lands in its own space. */
export interface TieredEmbeddings {
  embedder: string;
  vectors: number[][];
}

/** FNV-1a, 32-bit: cheap, stable across platforms and versions. */
function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The local embedder: feature hashing of stemmed content words and their character 3- to 5-grams
 * (optionally word bigrams) into `dims` signed buckets, sub-linear weights, L2-normalised. Defaults
 * picked on SciFact with bench/rag/embedder-eval.ts. It is lexical, not semantic:
 * it matches shared words and word pieces (so it survives typos and inflections), never synonyms
 * or paraphrases. It needs no model and no network, and the same text always gives the same vector.
 */
export interface LocalEmbedderOptions {
  dims?: number;
  /** Weight of each character n-gram relative to a word (n from 3 to `ngramMax`). */
  ngramWeight?: number;
  ngramMax?: number;
  bigramWeight?: number;
}

export function localEmbedder(dimsOrOptions: number | LocalEmbedderOptions = 384): Embedder {
  const o = typeof dimsOrOptions === 'number' ? { dims: dimsOrOptions } : dimsOrOptions;
  const dims = o.dims ?? 384;
  const ngramWeight = o.ngramWeight ?? 0.05;
  const ngramMax = o.ngramMax ?? 5;
  const bigramWeight = o.bigramWeight ?? 0;
  // Features are keyed by their 32-bit hash (bucket and sign come from it), and a word's features
  // are hashed once and remembered: texts share most of their words.
  const wordFeatures = new Map<string, Uint32Array>();
  const featuresOf = (w: string): Uint32Array => {
    let f = wordFeatures.get(w);
    if (f) return f;
    const out = [fnv(`w:${w}`)];
    if (ngramWeight > 0) {
      const padded = `<${w}>`;
      for (let n = 3; n <= ngramMax; n++) for (let i = 0; i + n <= padded.length; i++) out.push(fnv(`c:${padded.slice(i, i + n)}`));
    }
    f = Uint32Array.from(out);
    if (wordFeatures.size >= 100_000) wordFeatures.clear();
    wordFeatures.set(w, f);
    return f;
  };
  const one = (text: string): number[] => {
    const v = new Float64Array(dims);
    const counts = new Map<number, number>();
    const bump = (h: number, w: number) => counts.set(h, (counts.get(h) ?? 0) + w);
    const ts = terms(text);
    for (let i = 0; i < ts.length; i++) {
      bump(featuresOf(ts[i]!)[0]!, 1);
      if (i > 0 && bigramWeight > 0) bump(fnv(`b:${ts[i - 1]} ${ts[i]}`), bigramWeight);
    }
    // Character n-grams of the content words (stopwords carry no signal here either), once per distinct word.
    if (ngramWeight > 0) {
      for (const w of new Set(ts)) {
        const f = featuresOf(w);
        for (let j = 1; j < f.length; j++) bump(f[j]!, ngramWeight);
      }
    }
    for (const [h, c] of counts) v[h % dims]! += (h & 0x80000000 ? -1 : 1) * (c <= 1 ? c : 1 + Math.log(c)); // sub-linear in repeats
    let norm = 0;
    for (const x of v) norm += x * x;
    norm = Math.sqrt(norm) || 1;
    return Array.from(v, (x) => Math.round((x / norm) * 1e6) / 1e6);
  };
  return { name: `local-hash-${dims}`, dims, cache: false, embed: async (texts) => texts.map(one) };
}

/** Calls the gateway's `/v1/embeddings` for a project (given by the composition root). */
export type GatewayEmbed = (model: string, texts: string[], signal?: AbortSignal) => Promise<number[][]>;

/** An embedder served by the gateway's provider fabric (its breakers, retries, credentials and tracing apply). */
export function gatewayEmbedder(model: string, call: GatewayEmbed): Embedder {
  return { name: `gateway:${model}`, dims: undefined, embed: (texts, signal) => call(model, texts, signal) };
}

export interface ChainOptions {
  /** Consecutive failures that open a tier's breaker. */
  failureThreshold?: number;
  /** How long an open tier is skipped before one call probes it again. */
  cooldownMs?: number;
  /** Texts per call to a tier. */
  batchSize?: number;
  now?: () => number;
  onFallback?: (tier: string, error: unknown) => void;
}

interface TierState {
  failures: number;
  openUntil: number;
}

export interface EmbeddingChain {
  tiers: Embedder[];
  /** Embed with the first tier that answers; each batch may land on a different tier. */
  embed(texts: string[], signal?: AbortSignal): Promise<TieredEmbeddings[]>;
  /** Embed with a given tier only (a query must be embedded in the same space as the chunks it is compared to). */
  embedWith(tier: string, texts: string[], signal?: AbortSignal): Promise<number[][] | undefined>;
  state(): Array<{ tier: string; open: boolean; failures: number }>;
}

/**
 * Tiers in order, each behind its own breaker: a failing tier is skipped (falls through to the next)
 * until its cool-down has passed, then probed again, so the chain recovers when the tier comes back.
 * The last tier should be one that cannot fail (the local embedder).
 */
export function embeddingChain(tiers: Embedder[], opts: ChainOptions = {}): EmbeddingChain {
  const threshold = opts.failureThreshold ?? 1;
  const cooldown = opts.cooldownMs ?? 30_000;
  const batch = opts.batchSize ?? 128;
  const now = opts.now ?? Date.now;
  const states = new Map<string, TierState>(tiers.map((t) => [t.name, { failures: 0, openUntil: 0 }]));

  async function attempt(t: Embedder, texts: string[], signal?: AbortSignal): Promise<number[][] | undefined> {
    const s = states.get(t.name)!;
    if (s.openUntil > now()) return undefined;
    try {
      const v = await t.embed(texts, signal);
      if (v.length !== texts.length || v.some((x) => !Array.isArray(x) || x.length === 0 || x.length !== v[0]!.length)) {
        throw new Error(`${t.name} answered ${v.length} vectors for ${texts.length} texts`);
      }
      s.failures = 0;
      s.openUntil = 0;
      return v;
    } catch (e) {
      if (signal?.aborted) throw e;
      s.failures++;
      if (s.failures >= threshold) s.openUntil = now() + cooldown;
      opts.onFallback?.(t.name, e);
      return undefined;
    }
  }

  return {
    tiers,
    async embed(texts, signal) {
      const out: TieredEmbeddings[] = [];
      for (let i = 0; i < texts.length; i += batch) {
        const part = texts.slice(i, i + batch);
        let done = false;
        for (const t of tiers) {
          const v = await attempt(t, part, signal);
          if (!v) continue;
          const last = out[out.length - 1];
          if (last?.embedder === t.name) last.vectors.push(...v);
          else out.push({ embedder: t.name, vectors: v });
          done = true;
          break;
        }
        if (!done) throw new Error(`Every embedding tier failed (${tiers.map((t) => t.name).join(', ')})`);
      }
      return out;
    },
    async embedWith(tier, texts, signal) {
      const t = tiers.find((x) => x.name === tier);
      return t ? attempt(t, texts, signal) : undefined;
    },
    state: () => tiers.map((t) => ({ tier: t.name, open: states.get(t.name)!.openUntil > now(), failures: states.get(t.name)!.failures })),
  };
}

/** SHA-256 of a text: the key of the embedding cache and of document idempotence. */
export function contentHash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
