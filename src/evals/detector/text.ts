// Hand-written tokenizer, light stemmer and word lists for the faithfulness detector. Everything is
// a single left-to-right character scan (no backtracking regular expressions) so that scoring a
// trace stays well under a millisecond.

export type TokenKind = 'word' | 'number';

export interface Token {
  /** Normalized form used for matching: stemmed lowercase word, or canonical number ("181674817", "6.213"). */
  norm: string;
  /** Lowercased surface form (possessive "'s" removed). */
  lower: string;
  kind: TokenKind;
  /** First character is an upper-case letter. */
  cap: boolean;
  /** Function word (or summary boilerplate word): ignored for coverage. */
  stop: boolean;
  /** A negation cue: not, no, never, n't, none, neither, nor, without, ... */
  neg: boolean;
  /** First token of a sentence (capitalization carries no information there). */
  sentenceStart: boolean;
  start: number;
  end: number;
}

const STOPWORDS = new Set(
  (
    'a an the and or but if then than so as of at by for from in into on onto to with within without about above ' +
    'after again against all also am among any are around because been before being below between both can could ' +
    'did do does doing down during each either else ever few further had has have having he her here hers herself ' +
    'him himself his how however i is it its itself just may me might more most much must my myself neither no ' +
    'nor not now of off once one only other others our ours ourselves out over own same shall she should since ' +
    'some such that their theirs them themselves there these they this those though through thus too under until ' +
    'up upon very was we were what when where whether which while who whom whose why will would yet you your ' +
    'yours yourself be is are was were been being has had have do does did s t ll ve re d m o via per ' +
    'said says like well even still already yes another many several whereas whilst although additionally furthermore moreover besides meanwhile ' +
    'therefore hence instead rather currently actually really quite'
  ).split(' '),
);

/**
 * Words that describe the response itself rather than the world ("The passage states that ...",
 * "Here is a concise summary"). They are never evidence of an unsupported claim.
 */
const META_WORDS = new Set(
  (
    'passage article text document context contexts summary summarize summarized summarizes summarise ' +
    'provided mention mentions mentioned according concise information detail details describe describes ' +
    'described discuss discusses discussed highlight highlights highlighted overall following explain ' +
    'explains explained brief briefly'
  ).split(' '),
);

const NEGATIONS = new Set(['not', 'no', 'never', 'none', 'neither', 'nor', 'without', 'nobody', 'nothing', 'nowhere', 'cannot']);

const NUMBER_WORDS = new Map<string, string>([
  ['two', '2'], ['three', '3'], ['four', '4'], ['five', '5'], ['six', '6'], ['seven', '7'], ['eight', '8'],
  ['nine', '9'], ['ten', '10'], ['eleven', '11'], ['twelve', '12'], ['thirteen', '13'], ['fourteen', '14'],
  ['fifteen', '15'], ['sixteen', '16'], ['seventeen', '17'], ['eighteen', '18'], ['nineteen', '19'],
  ['twenty', '20'], ['thirty', '30'], ['forty', '40'], ['fifty', '50'], ['sixty', '60'], ['seventy', '70'],
  ['eighty', '80'], ['ninety', '90'], ['hundred', '100'], ['dozen', '12'],
]);

/** Auxiliaries and very common verbs: used to tell full sentences from answer fragments. */
const VERBISH = new Set(
  (
    'is are was were be been being am has have had do does did will would can could shall should may might must ' +
    'became become becomes won wins made makes make known located based born died founded formed released ' +
    'played plays starred stars wrote writes directed produced published aired served serves include includes ' +
    'included contains contain lived lives took takes went goes held holds remains remained'
  ).split(' '),
);

export const isStopword = (lower: string): boolean => STOPWORDS.has(lower);
export const isMetaWord = (lower: string): boolean => META_WORDS.has(lower);
export const isVerbish = (lower: string): boolean => VERBISH.has(lower) || (lower.length > 4 && lower.endsWith('ed'));

const LETTER_RE = /\p{L}|\p{M}/u;

function isLetter(code: number): boolean {
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90);
  return LETTER_RE.test(String.fromCharCode(code));
}
const isDigit = (code: number): boolean => code >= 48 && code <= 57;
const isUpper = (ch: string): boolean => ch !== ch.toLowerCase() && ch === ch.toUpperCase();
const isApostrophe = (code: number): boolean => code === 39 || code === 0x2019;

/** Irregular verb forms and a few near-synonyms, mapped before stemming. */
const LEMMAS = new Map<string, string>(
  (
    'won:win began:begin begun:begin became:become wrote:write written:write took:take taken:take gave:give ' +
    'given:give went:go gone:go held:hold led:lead lost:lose sold:sell told:tell thought:think brought:bring ' +
    'bought:buy built:build fought:fight grew:grow grown:grow knew:know known:know ran:run saw:see seen:see ' +
    'sang:sing sung:sing spoke:speak spoken:speak stood:stand drove:drive driven:drive chose:choose chosen:choose ' +
    'fell:fall fallen:fall felt:feel kept:keep met:meet paid:pay sent:send spent:spend struck:strike taught:teach ' +
    'threw:throw thrown:throw wore:wear worn:wear died:die dies:die dying:die death:die dead:die ' +
    'movie:film movies:film purchased:buy purchase:buy acquired:buy acquire:buy acquisition:buy ' +
    'children:child men:man women:woman people:person'
  )
    .split(' ')
    .map((pair) => pair.split(':') as [string, string]),
);

/** A small suffix-stripping stemmer: the same function runs on both sides, so consistency beats accuracy. */
export function stem(w: string): string {
  let s = LEMMAS.get(w) ?? w;
  if (s.length <= 3) return s;
  if (s.endsWith('ies') && s.length > 4) s = s.slice(0, -3) + 'y';
  else if (s.endsWith('sses')) s = s.slice(0, -2);
  else if (s.endsWith('s') && !s.endsWith('ss') && !s.endsWith('us') && !s.endsWith('is')) s = s.slice(0, -1);
  if (s.length > 6 && s.endsWith('ation')) s = s.slice(0, -5) + 'at';
  else if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  else if (s.length > 5 && s.endsWith('ly')) s = s.slice(0, -2);
  if (s.length > 4 && s.endsWith('e')) s = s.slice(0, -1);
  const n = s.length;
  if (n > 3 && s[n - 1] === s[n - 2] && !'lsz'.includes(s[n - 1] ?? '') && !isDigit(s.charCodeAt(n - 1))) s = s.slice(0, -1);
  return s;
}

const ORDINAL_SUFFIX = new Set(['st', 'nd', 'rd', 'th']);
const ABBREVIATIONS = new Set(['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'vs', 'no', 'co', 'inc', 'ltd', 'mt', 'ft', 'approx', 'etc', 'e.g', 'i.e', 'u.s', 'u.k', 'gen', 'gov', 'sen', 'rep', 'prof', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);

/**
 * Tokenize text. Numbers keep their digits ("181,674,817" → "181674817", "32nd" → "32"), words are
 * lowercased and stemmed, "n't" becomes a separate negation token, "'s" is dropped.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  let sentenceStart = true;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isDigit(c)) {
      const start = i;
      let digits = '';
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isDigit(d)) {
          digits += text[i];
          i++;
        } else if ((d === 44 || d === 46) && i + 1 < n && isDigit(text.charCodeAt(i + 1)) && digits.length > 0) {
          // 181,674,817 (thousands) or 6.213 (decimal)
          if (d === 46) digits += '.';
          i++;
        } else break;
      }
      // ordinal suffix: 32nd, 3rd
      if (i + 1 < n) {
        const suf = text.slice(i, i + 2).toLowerCase();
        const after = i + 2 < n ? text.charCodeAt(i + 2) : 32;
        if (ORDINAL_SUFFIX.has(suf) && !isLetter(after)) i += 2;
      }
      if (digits.length <= 2 && atLineStart(text, start) && i + 1 < n && (text[i] === '.' || text[i] === ')') && (text[i + 1] === ' ' || text[i + 1] === '\t')) {
        i++; // "1. item": a list marker, not a number
        continue;
      }
      const norm = digits.includes('.') ? digits.replace(/0+$/, '').replace(/\.$/, '') : digits.replace(/^0+(?=\d)/, '');
      out.push({ norm, lower: norm, kind: 'number', cap: false, stop: false, neg: false, sentenceStart, start, end: i });
      sentenceStart = false;
      continue;
    }
    if (isLetter(c)) {
      const start = i;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isLetter(d) || isDigit(d)) i++;
        else if (isApostrophe(d) && i + 1 < n && isLetter(text.charCodeAt(i + 1))) i++;
        else if (d === 46 && i + 1 < n && isLetter(text.charCodeAt(i + 1)) && i + 2 < n && text.charCodeAt(i + 2) === 46) i++; // U.S.
        else break;
      }
      const raw = text.slice(start, i);
      let lower = raw.toLowerCase().replace(/\u2019/g, "'");
      let neg = false;
      const end = i;
      if (lower.endsWith("'s")) lower = lower.slice(0, -2);
      else if (lower.endsWith("n't")) {
        lower = lower === "won't" ? 'will' : lower === "can't" ? 'can' : lower.slice(0, -3);
        neg = true;
      } else if (lower.endsWith("'")) lower = lower.slice(0, -1);
      const first = raw[0] ?? '';
      const cap = isUpper(first);
      if (NUMBER_WORDS.has(lower)) {
        const norm = NUMBER_WORDS.get(lower) ?? lower;
        out.push({ norm, lower, kind: 'number', cap, stop: false, neg: false, sentenceStart, start, end });
      } else {
        const dotless = lower.includes('.') ? lower.replace(/\./g, '') : lower;
        const stop = STOPWORDS.has(dotless) || META_WORDS.has(dotless) || dotless.length < 2;
        const isNeg = NEGATIONS.has(dotless);
        out.push({
          norm: stem(dotless),
          lower: dotless,
          kind: 'word',
          cap,
          stop,
          neg: isNeg,
          sentenceStart,
          start,
          end,
        });
        if (neg) out.push({ norm: 'not', lower: 'not', kind: 'word', cap: false, stop: true, neg: true, sentenceStart: false, start: end - 3, end });
      }
      sentenceStart = false;
      // sentence end directly after this word ("century.First", "Delhi. The")
      if (i < n && (text.charCodeAt(i) === 46 || text.charCodeAt(i) === 33 || text.charCodeAt(i) === 63)) {
        const isAbbrev = text.charCodeAt(i) === 46 && (ABBREVIATIONS.has(lower) || (raw.length === 1 && cap));
        if (!isAbbrev) sentenceStart = nextIsSentenceStart(text, i + 1);
      }
      continue;
    }
    if (c === 10) sentenceStart = true;
    else if ((c === 46 || c === 33 || c === 63) && !sentenceStart && i > 0 && !isLetter(text.charCodeAt(i - 1))) {
      // after a number or closing quote: "in 2017. The"
      sentenceStart = nextIsSentenceStart(text, i + 1);
    }
    i++;
  }
  return out;
}

function atLineStart(text: string, pos: number): boolean {
  for (let j = pos - 1; j >= 0; j--) {
    const ch = text[j];
    if (ch === '\n') return true;
    if (ch !== ' ' && ch !== '\t') return false;
  }
  return true;
}

/** After a full stop: is the next non-space, non-quote character an upper-case letter or digit? */
function nextIsSentenceStart(text: string, from: number): boolean {
  let j = from;
  while (j < text.length) {
    const ch = text[j] ?? '';
    if (ch === ' ' || ch === '"' || ch === "'" || ch === ')' || ch === '\u201d' || ch === '\u201c' || ch === '\n' || ch === '\t') j++;
    else return isUpper(ch) || isDigit(text.charCodeAt(j));
  }
  return true;
}

/** Tokens grouped into sentences using the sentenceStart marks. */
export function sentencesOf(tokens: Token[]): Token[][] {
  const out: Token[][] = [];
  let cur: Token[] = [];
  for (const t of tokens) {
    if (t.sentenceStart && cur.length) {
      out.push(cur);
      cur = [];
    }
    cur.push(t);
  }
  if (cur.length) out.push(cur);
  return out;
}
