// Support features of each claim against the contexts (and the question), plus response-level features.
// All features are shares, indicators or capped logs, so a long response does not drift towards
// "unsupported" just because it is long.
import { splitClaimsWithTokens, type ClaimTokens } from './claims.js';
import { sentencesOf, tokenize, type Token } from './text.js';

/**
 * Revision of the tokenizer, claim splitter and feature definitions. Bump it whenever any of them
 * changes what a feature means; the fit script folds it into DETECTOR_VERSION.
 */
export const FEATURES_REVISION = 2;

/** Per-claim feature names, in vector order. */
export const CLAIM_FEATURES = [
  'coverage', // share of the claim's content tokens found in the contexts
  'novelShare', // share of content tokens found neither in the contexts nor in the question
  'novelTokens', // log(1 + content tokens absent from contexts and question), capped at 10 tokens
  'bigramCoverage', // share of adjacent content-token pairs also adjacent in the contexts
  'bestSentenceCoverage', // best share of content tokens found in one context sentence (pronouns resolved to the previous one)
  'bestPairCoverage', // ... in the best such window plus the one window that adds most (multi-hop claims)
  'unsupportedNumber', // 1 when a number/date/year is absent from the contexts and the question
  'unsupportedNumberShare', // share of the claim's numbers that are absent
  'unsupportedEntity', // 1 when a capitalized name is absent from the contexts and the question
  'unsupportedEntityShare', // share of the claim's names that are absent
  'brokenName', // 1 when two adjacent name words ("Amy Johnson") are not adjacent in the contexts or the question
  'negationFlip', // the claim and its best-matching context sentence disagree on negation
  'length', // log(1 + content tokens), capped at 30 tokens
  'questionFocused', // a short answer read together with the question
  'answerInQuestion', // question-focused: share of the answer that merely repeats the question
  'answerFitsQuestion', // question-focused: share of question words in the context sentence holding the answer
  'noContent', // the claim has no content token ("yes", "no")
] as const;

/** Response-level features, added to every claim's logit. */
export const RESPONSE_FEATURES = [
  'responseCoverage', // share of the response's content tokens found in the contexts
  'responseNovelShare', // share of distinct content tokens found neither in the contexts nor in the question
] as const;

export type ClaimFeatureName = (typeof CLAIM_FEATURES)[number];
export type ResponseFeatureName = (typeof RESPONSE_FEATURES)[number];

/** Evidence kept for explaining a verdict (surface forms from the response). */
export interface ClaimEvidence {
  contentTokens: number;
  missingNumbers: string[];
  missingEntities: string[];
  /** Two name words found in the contexts, but never next to each other ("Amy Johnson"). */
  brokenName: string | null;
  novelWords: string[];
  negationFlip: 'claim' | 'context' | null;
  coverage: number;
  /** Best share of the claim's content words found in a single context sentence. */
  bestSentenceCoverage: number;
}

export interface ClaimFeatures {
  claim: ClaimTokens;
  /** Values in CLAIM_FEATURES order. */
  x: number[];
  /** Claims without content (a bare "Here is a summary:") are shown but not scored. */
  checkable: boolean;
  evidence: ClaimEvidence;
}

export interface ResponseFeatures {
  claims: ClaimFeatures[];
  /** Values in RESPONSE_FEATURES order. */
  r: number[];
}

interface SentenceIndex {
  /** Content norms of the sentence (and of the one before it when it opens with a pronoun). */
  norms: Set<string>;
  /** Content norms in the scope of a negation cue ("never officially recorded" → officially, recorded). */
  negated: Set<string>;
}

/** Token sets of some texts (the contexts, or the question), built once per call. */
export interface TextIndex {
  norms: Set<string>;
  bigrams: Set<string>;
  sentences: SentenceIndex[];
}

const isContent = (t: Token): boolean => !t.stop;

const ANAPHORS = new Set(['it', 'he', 'she', 'they', 'its', 'his', 'her', 'their', 'this', 'these', 'there', 'both']);

/** Tokens a negation cue reaches: the next few words, within the sentence. */
const NEGATION_SCOPE = 4;

function negatedNorms(tokens: readonly Token[]): Set<string> {
  const out = new Set<string>();
  for (let k = 0; k < tokens.length; k++) {
    if (!tokens[k]?.neg) continue;
    for (let j = k + 1; j < tokens.length && j <= k + NEGATION_SCOPE; j++) {
      const t = tokens[j];
      if (!t || t.sentenceStart) break;
      if (isContent(t)) out.add(t.norm);
    }
  }
  return out;
}

/** Index texts: content norms, adjacent content bigrams, and per-sentence sets. */
export function indexTexts(texts: readonly string[]): TextIndex {
  const norms = new Set<string>();
  const bigrams = new Set<string>();
  const sentences: SentenceIndex[] = [];
  for (const text of texts) {
    let previous: SentenceIndex | null = null;
    for (const sent of sentencesOf(tokenize(text))) {
      const sNorms = new Set<string>();
      let prev: string | null = null;
      for (const t of sent) {
        if (!isContent(t)) continue;
        norms.add(t.norm);
        sNorms.add(t.norm);
        if (prev !== null) bigrams.add(prev + ' ' + t.norm);
        prev = t.norm;
      }
      if (!sNorms.size) continue;
      const own: SentenceIndex = { norms: sNorms, negated: negatedNorms(sent) };
      // "X is a bridge in Carlow. It opened in 1932.": a sentence that opens with a pronoun is read
      // with the sentence before it, where the pronoun usually points.
      sentences.push(
        previous && ANAPHORS.has(sent[0]?.lower ?? '')
          ? { norms: new Set([...previous.norms, ...own.norms]), negated: new Set([...previous.negated, ...own.negated]) }
          : own,
      );
      previous = own;
    }
  }
  return { norms, bigrams, sentences };
}

const EMPTY_INDEX: TextIndex = { norms: new Set(), bigrams: new Set(), sentences: [] };
const log1p = (v: number) => Math.log(1 + v);
const share = (part: number, whole: number, empty: number) => (whole === 0 ? empty : part / whole);

/**
 * A capitalized word that names something. At the start of a sentence capitalization says nothing,
 * so there a word counts only as part of a multi-word name ("Polaris Industries") or in a short answer.
 */
function isName(tokens: Token[], k: number, shortAnswer: boolean): boolean {
  const t = tokens[k];
  if (!t || t.kind !== 'word' || !t.cap || t.stop) return false;
  if (!t.sentenceStart || shortAnswer) return true;
  const next = tokens[k + 1];
  return !!next && next.kind === 'word' && next.cap && !next.stop;
}

function claimFeatures(claim: ClaimTokens, ctx: TextIndex, question: TextIndex): ClaimFeatures {
  const toks = claim.tokens;
  const qf = claim.questionFocused;
  let n = 0;
  let inCtx = 0;
  let novel = 0;
  let inQ = 0;
  let numbers = 0;
  let names = 0;
  const missingNumbers: string[] = [];
  const missingEntities: string[] = [];
  const novelWords: string[] = [];
  const content: Token[] = [];
  toks.forEach((t, k) => {
    if (!isContent(t)) return;
    content.push(t);
    n++;
    const c = ctx.norms.has(t.norm);
    const q = question.norms.has(t.norm);
    if (c) inCtx++;
    if (q) inQ++;
    const surface = claim.text.slice(t.start - claim.start, t.end - claim.start);
    const name = isName(toks, k, qf);
    if (t.kind === 'number') numbers++;
    else if (name) names++;
    if (c || q) return;
    novel++;
    if (t.kind === 'number') missingNumbers.push(surface);
    else if (name) missingEntities.push(surface);
    else novelWords.push(surface);
  });
  let pairs = 0;
  let pairsFound = 0;
  let brokenName: string | null = null;
  for (let k = 1; k < content.length; k++) {
    const a = content[k - 1];
    const b = content[k];
    if (!a || !b) continue;
    pairs++;
    const bigram = a.norm + ' ' + b.norm;
    const found = ctx.bigrams.has(bigram);
    if (found) pairsFound++;
    else if (
      brokenName === null &&
      a.kind === 'word' && b.kind === 'word' && a.cap && b.cap && b.start - a.end <= 1 &&
      ctx.norms.has(a.norm) && ctx.norms.has(b.norm) && !question.bigrams.has(bigram)
    ) {
      brokenName = claim.text.slice(a.start - claim.start, b.end - claim.start);
    }
  }
  // the context sentence that shares most content with the claim
  let best = 0;
  let bestSentence: SentenceIndex | null = null;
  let fits = 0;
  const qSize = question.norms.size;
  for (const s of ctx.sentences) {
    let hit = 0;
    for (const t of content) if (s.norms.has(t.norm)) hit++;
    const cov = share(hit, n, 0);
    if (cov > best) {
      best = cov;
      bestSentence = s;
    }
    if (qf && qSize > 0 && cov >= 0.5) {
      let qHit = 0;
      for (const w of question.norms) if (s.norms.has(w)) qHit++;
      if (qHit / qSize > fits) fits = qHit / qSize;
    }
  }
  // greedy second sentence: the one covering most of what the best sentence leaves out
  let pair = best;
  if (bestSentence && best < 1) {
    const first = bestSentence;
    const rest = content.filter((t) => !first.norms.has(t.norm));
    let add = 0;
    for (const s of ctx.sentences) {
      if (s === first) continue;
      let hit = 0;
      for (const t of rest) if (s.norms.has(t.norm)) hit++;
      if (hit > add) add = hit;
    }
    pair = best + share(add, n, 0);
  }
  // negation flip: a word the claim shares with its best sentence is negated on one side only
  let flip: 'claim' | 'context' | null = null;
  if (!qf && bestSentence && best >= 0.5) {
    const claimNegated = negatedNorms(toks);
    for (const t of content) {
      if (!bestSentence.norms.has(t.norm)) continue;
      const inClaim = claimNegated.has(t.norm);
      if (inClaim !== bestSentence.negated.has(t.norm)) {
        flip = inClaim ? 'claim' : 'context';
        break;
      }
    }
  }
  const coverage = share(inCtx, n, 1);
  const x = [
    coverage,
    share(novel, n, 0),
    log1p(Math.min(novel, 10)),
    share(pairsFound, pairs, coverage),
    n === 0 ? 1 : best,
    n === 0 ? 1 : pair,
    missingNumbers.length > 0 ? 1 : 0,
    share(missingNumbers.length, numbers, 0),
    missingEntities.length > 0 ? 1 : 0,
    share(missingEntities.length, names, 0),
    brokenName !== null ? 1 : 0,
    flip ? 1 : 0,
    log1p(Math.min(n, 30)),
    qf ? 1 : 0,
    qf ? share(inQ, n, 0) : 0,
    qf ? fits : 0,
    n === 0 ? 1 : 0,
  ];
  return {
    claim,
    x,
    checkable: n > 0 || qf,
    evidence: {
      contentTokens: n,
      missingNumbers,
      missingEntities,
      brokenName,
      novelWords,
      negationFlip: flip,
      coverage,
      bestSentenceCoverage: n === 0 ? 1 : best,
    },
  };
}

/** Features of every claim of a response; pass ctx to reuse an index of the same contexts. */
export function extractFeatures(
  input: { question?: string | null; response: string; contexts: readonly string[] },
  ctx: TextIndex = indexTexts(input.contexts),
): ResponseFeatures {
  const question = input.question ? indexTexts([input.question]) : EMPTY_INDEX;
  const tokens = tokenize(input.response);
  const claims = splitClaimsWithTokens(input.response, input.question, tokens).map((c) => claimFeatures(c, ctx, question));
  let total = 0;
  let covered = 0;
  const distinct = new Set<string>();
  const novel = new Set<string>();
  for (const t of tokens) {
    if (!isContent(t)) continue;
    total++;
    distinct.add(t.norm);
    if (ctx.norms.has(t.norm)) covered++;
    else if (!question.norms.has(t.norm)) novel.add(t.norm);
  }
  return { claims, r: [share(covered, total, 1), share(novel.size, distinct.size, 0)] };
}

/** The plain token-overlap baseline: share of the response's content tokens found in the contexts. */
export function tokenOverlap(response: string, contexts: readonly string[]): number | null {
  const ctx = new Set<string>();
  for (const c of contexts) for (const t of tokenize(c)) if (isContent(t)) ctx.add(t.norm);
  let total = 0;
  let hit = 0;
  for (const t of tokenize(response)) {
    if (!isContent(t)) continue;
    total++;
    if (ctx.has(t.norm)) hit++;
  }
  return total === 0 || ctx.size === 0 ? null : hit / total;
}
