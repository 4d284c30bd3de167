// Split a response into atomic claims with character offsets into the response.
import { isVerbish, sentencesOf, tokenize, type Token } from './text.js';

export interface Claim {
  /** Exactly response.slice(start, end). */
  text: string;
  start: number;
  end: number;
  /**
   * A short answer fragment ("Delhi", "Arthur's Magazine") that only makes a claim when read together
   * with the question.
   */
  questionFocused: boolean;
}

/** A claim with its tokens (internal: lets features reuse the tokenization). */
export interface ClaimTokens extends Claim {
  tokens: Token[];
}

/** Conjunctions that may join two independent clauses. */
const CLAUSE_JOINERS = new Set(['and', 'but', 'while', 'whereas', 'although', 'though']);
/** Words that can open an independent clause (its subject). */
const SUBJECT_OPENERS = new Set(['he', 'she', 'it', 'they', 'we', 'i', 'this', 'these', 'those', 'there', 'the', 'its', 'his', 'her', 'their', 'a', 'an', 'one']);

/** Auxiliaries that open a second predicate sharing the sentence's subject. */
const VERB_OPENERS = new Set(['is', 'was', 'are', 'were', 'has', 'had', 'have', 'will', 'would', 'can', 'could', 'became', 'becomes', 'remains', 'remained']);

const OPENING_PUNCT = '"\'(\u201c\u2018$£€[';
const CLOSING_PUNCT = '.!?"\')\u201d\u2019%]:;,';

/** Most words a fragment answer may have and still be read against the question. */
const SHORT_ANSWER_WORDS = 4;
const FRAGMENT_WORDS = 15;

function hasVerb(tokens: Token[], from: number, to: number): boolean {
  for (let k = from; k < to; k++) {
    const t = tokens[k];
    if (t && t.kind === 'word' && isVerbish(t.lower)) return true;
  }
  return false;
}

function spanOf(response: string, tokens: Token[], questionFocused: boolean, trailing: boolean): ClaimTokens | null {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  if (!first || !last) return null;
  let start = first.start;
  while (start > 0 && OPENING_PUNCT.includes(response[start - 1] ?? ' ')) start--;
  let end = last.end;
  if (trailing) {
    while (end < response.length && CLOSING_PUNCT.includes(response[end] ?? ' ')) end++;
    // do not swallow a separator that starts the next piece
    while (end > last.end && ',;:'.includes(response[end - 1] ?? ' ')) end--;
  } else {
    while (end < response.length && '"\')\u201d%'.includes(response[end] ?? ' ')) end++;
  }
  return { text: response.slice(start, end), start, end, questionFocused, tokens };
}

/** Split one sentence's tokens at ';' and at conjunctions that join two full clauses. */
function splitClauses(response: string, sent: Token[]): Token[][] {
  const parts: Token[][] = [];
  let from = 0;
  for (let k = 1; k < sent.length; k++) {
    const prev = sent[k - 1];
    const t = sent[k];
    if (!prev || !t) continue;
    const gap = response.slice(prev.end, t.start);
    if (gap.includes(';')) {
      if (k - from >= 2 && sent.length - k >= 2) {
        parts.push(sent.slice(from, k));
        from = k;
      }
      continue;
    }
    if (t.kind !== 'word' || !CLAUSE_JOINERS.has(t.lower)) continue;
    const next = sent[k + 1];
    if (!next) continue;
    // the left clause must be a sentence of its own, the right one must open with a subject and hold a verb
    const leftOk = k - from >= 3 && hasVerb(sent, from, k);
    // "X is in Paris and was completed in 1889": a second predicate of the same subject
    const opensWithPredicate = next.kind === 'word' && !next.cap && (VERB_OPENERS.has(next.lower) || isVerbish(next.lower));
    const opensWithSubject = opensWithPredicate || SUBJECT_OPENERS.has(next.lower) || (next.cap && next.kind === 'word' && !next.stop);
    let rightEnd = sent.length;
    for (let j = k + 1; j < sent.length; j++) {
      const tj = sent[j];
      const pj = sent[j - 1];
      if (tj && pj && response.slice(pj.end, tj.start).includes(';')) {
        rightEnd = j;
        break;
      }
    }
    const rightOk = opensWithPredicate ? rightEnd - (k + 1) >= 2 : rightEnd - (k + 1) >= 3 && hasVerb(sent, k + 2, rightEnd);
    if (leftOk && opensWithSubject && rightOk) {
      parts.push(sent.slice(from, k));
      from = k + 1; // the conjunction belongs to neither claim
    }
  }
  parts.push(sent.slice(from));
  return parts.filter((p) => p.length > 0);
}

/** Claims with their tokens; see splitClaims. */
export function splitClaimsWithTokens(response: string, question?: string | null, tokens: Token[] = tokenize(response)): ClaimTokens[] {
  if (tokens.length === 0) return [];
  const hasQuestion = !!question && question.trim().length > 0;
  const words = tokens.filter((t) => t.kind === 'word' || t.kind === 'number').length;
  const singleSentence = sentencesOf(tokens).length === 1;
  if (
    hasQuestion &&
    singleSentence &&
    (words <= SHORT_ANSWER_WORDS || (words <= FRAGMENT_WORDS && !hasVerb(tokens, 0, tokens.length)))
  ) {
    const c = spanOf(response, tokens, true, true);
    return c ? [c] : [];
  }
  const out: ClaimTokens[] = [];
  for (const sent of sentencesOf(tokens)) {
    const clauses = splitClauses(response, sent);
    clauses.forEach((clause, idx) => {
      const c = spanOf(response, clause, false, idx === clauses.length - 1);
      if (c) out.push(c);
    });
  }
  return out;
}

/**
 * Split a response into atomic claims: sentences (and list items), then independent clauses joined by
 * ';' or a conjunction. A short answer to a question ("Delhi") is one claim marked questionFocused:
 * it is judged together with the question. start/end are offsets into the response.
 */
export function splitClaims(response: string, question?: string | null): Claim[] {
  return splitClaimsWithTokens(response, question).map(({ text, start, end, questionFocused }) => ({ text, start, end, questionFocused }));
}
