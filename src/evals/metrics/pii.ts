import type { Metric } from '../contract.js';

export interface PiiFinding {
  type: string;
  field: 'query' | 'response';
  start: number;
  end: number;
  /** The match with its middle masked, safe to display. */
  preview: string;
}

function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

function ibanValid(raw: string): boolean {
  const s = raw.replace(/\s+/g, '').toUpperCase();
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

interface Detector {
  type: string;
  re: RegExp;
  /** `before`/`after`: the text around the match, to tell a phone number from an order number or a price. */
  valid?: (match: string, before: string, after: string) => boolean;
}

// A bare NXX-XXXX is also how order numbers, prices, ranges and part numbers look: the words just
// before or after it decide. N11 exchanges (411, 911) are service codes, not subscriber numbers.
const NOT_A_PHONE_BEFORE = /(?:[#$€£¥]|\b(?:order|invoice|ticket|ref(?:erence)?|sku|part|item|id|serial|tracking|confirmation|booking|reservation|account|acct|po|case|model|version|v|pages?|pp|between|range|build|release|no)\b\.?\s*(?:#|no\.?|number|num|:)?)\s*$/i;
const NOT_A_PHONE_AFTER = /^\s*(?:[$€£¥%]|(?:dollars?|usd|eur|euros?|gbp|cents?|items?|units?|pages?|km|kg|mg|ml|miles?|words?|tokens?|ms|px)\b)/i;
function localPhone(m: string, before: string, after: string): boolean {
  if (/^[2-9]11/.test(m)) return false;
  return !NOT_A_PHONE_BEFORE.test(before.slice(-24)) && !NOT_A_PHONE_AFTER.test(after.slice(0, 12));
}

// Secrets first: their patterns are the most specific.
const DETECTORS: Detector[] = [
  { type: 'private_key', re: /-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----/g },
  { type: 'api_key', re: /\b(?:sk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}|ae_[A-Za-z0-9_-]{40,}|AIza[0-9A-Za-z_-]{35}|gh[pousr]_[A-Za-z0-9]{36,}|xox[abprs]-[A-Za-z0-9-]{10,}|sk_live_[A-Za-z0-9]{20,})\b/g },
  { type: 'aws_access_key', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/g },
  { type: 'jwt', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g },
  { type: 'email', re: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g },
  { type: 'credit_card', re: /\b(?:\d[ -]?){12,18}\d\b/g, valid: (m) => luhn(m.replace(/\D/g, '')) && /^[3-6]/.test(m.replace(/\D/g, '')) },
  { type: 'iban', re: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g, valid: ibanValid },
  { type: 'us_ssn', re: /\b(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}\b/g },
  { type: 'uk_nino', re: /\b(?![DFIQUV])[A-CEGHJ-PR-TW-Z](?![DFIQUVO])[A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b/g },
  // Not followed by more digit groups: a card or account number is not a phone number.
  { type: 'phone', re: /(?<![\w+]|\d[ .-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?)?\d{2,4}[ .-]\d{3,4}[ .-]\d{3,4}\b(?![ .-]?\d)/g, valid: (m) => m.replace(/\D/g, '').length >= 9 },
  // A 7-digit local US number (NXX-XXXX, or the fictional 555-01XX written with a space or dot).
  { type: 'phone', re: /(?<![\w+.,/:-]|\d[ .-])(?:[2-9]\d{2}-\d{4}|555[ .]01\d{2})\b(?![.,-]?\d)/g, valid: localPhone },
];

const mask = (s: string) => (s.length <= 6 ? '*'.repeat(s.length) : `${s.slice(0, 3)}${'*'.repeat(Math.min(12, s.length - 5))}${s.slice(-2)}`);

/** Find personal data and secrets in text; overlapping matches keep the first (most specific) type. */
export function findPii(text: string, field: PiiFinding['field']): PiiFinding[] {
  const found: PiiFinding[] = [];
  const taken: Array<[number, number]> = [];
  for (const d of DETECTORS) {
    for (const m of text.matchAll(d.re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (taken.some(([a, b]) => start < b && end > a)) continue;
      if (d.valid && !d.valid(m[0], text.slice(Math.max(0, start - 40), start), text.slice(end, end + 40))) continue;
      taken.push([start, end]);
      found.push({ type: d.type, field, start, end, preview: mask(m[0]) });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Whether `text` holds any personal data or secret (`findPii(text).length > 0`, stopping at the first). */
export function hasPii(text: string): boolean {
  for (const d of DETECTORS) {
    for (const m of text.matchAll(d.re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (!d.valid || d.valid(m[0], text.slice(Math.max(0, start - 40), start), text.slice(end, end + 40))) return true;
    }
  }
  return false;
}

/** PII and secrets in the query or response. Score 1 when any is found (a risk score). */
export const pii: Metric = {
  name: 'pii',
  description: 'Personal data and secrets (email, phone, card numbers with Luhn, IBAN, national ids, API keys) in query or response; 1 = found',
  higherIsBetter: false,
  requires: {},
  async evaluate(trace) {
    const findings = [...findPii(trace.query, 'query'), ...findPii(trace.response ?? '', 'response')];
    const types = [...new Set(findings.map((f) => f.type))];
    return {
      score: findings.length ? 1 : 0,
      label: findings.length ? 'pii_detected' : 'clean',
      reason: findings.length ? `found ${findings.length} item(s): ${types.join(', ')}` : 'no personal data or secrets found',
      details: { findings, types },
      evaluator: 'local',
      version: '2',
    };
  },
};
