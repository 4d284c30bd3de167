import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countTokens as reference } from 'gpt-tokenizer/encoding/o200k_base';
import { O200K_TOKEN_SPLIT_REGEX } from 'gpt-tokenizer/encodingParams/constants';
import { asciiPieceEnd } from './ascii-split.js';
import { countTokens, preloadTokenizer } from './tokens.js';

// The reference: the tokenizer on the whole text, special tokens taken as text.
const asText = { disallowedSpecial: new Set<string>() };
const exact = (t: string) => reference(t, asText);

let seed = 11;
const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;

// Fragments that exercise the pre-tokenizer: contractions, case runs, digit groups, punctuation
// runs, newlines and space runs, non-Latin scripts, combining marks, emoji, lone surrogates.
const FRAGMENTS = [
  'The', ' quick', ' brown', "'s", "n't", "'LL", ' HTTPServer', 'camelCase', 'snake_case', '1234567', ' 3.14159', '  ', '   \n', '\n\n', '\r\n', '\t', '...', '?!', ' —', '«»', '(){}[]', '=>', '//', '/*', ' <|endoftext|>', '<|im_start|>', '<|fim_prefix|>',
  'Γειά σου', ' Привет', '你好世界', 'こんにちは', '안녕하세요', ' مرحبا', ' שלום', 'नमस्ते', 'e\u0301', 'Å', '👍🏽', '👨‍👩‍👧', '\ud83d', '\u0000', ' x'.repeat(3), 'ǅungla', 'ÀÉÎÕÜ', 'ﬁ',
];

const samples = [
  '',
  'Hello, world!',
  "Don't stop—it's 10:45 p.m.; we'll've been there (I think).",
  'function add(a: number, b: number): number {\n  return a + b; // sum\n}\n',
  '<|endoftext|> is a special token, and so is <|im_start|>user',
  '    leading spaces and trailing spaces    ',
  'Numbers: 1 12 123 1234 12345 123456 0.5 -7 1e10 ١٢٣',
  'a'.repeat(5000),
  ' '.repeat(300) + 'x',
  'MMLU: Which of the following is true?\nA. one\nB. two\nC. three\nD. four\nAnswer:',
];

// Every ASCII character class the split tells apart, and the sequences its regex treats specially.
const ASCII_BITS = ['a', 'z', 'Q', 'HTTP', 'Server', '7', '42', '12345', ' ', '  ', '\t', '\n', '\r\n', '\r', '\v', '\f', "'", "'s", "'S", "'ll", "'l", "'Ve", "'ve", "'v", "'RE", "'r", "'x", "'d", "'mm", "'t", "'M", '/', '//', '.', '!?', '-', '_', '$', '\u0000', '\u0001', '\u007f', '"', '<|', '|>', '#', '~'];

describe('the ASCII split', () => {
  it('cuts an ASCII text into the same pieces as the tokenizer\'s pre-tokenizer regex', () => {
    for (let i = 0; i < 3000; i++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => pick(ASCII_BITS)).join('');
      const want = Array.from(s.matchAll(new RegExp(O200K_TOKEN_SPLIT_REGEX.source, 'gu')), (m) => m[0]);
      const got: string[] = [];
      for (let at = 0, end = 0; at < s.length; at = end) got.push(s.slice(at, (end = asciiPieceEnd(s, at, s.length))));
      assert.deepEqual(got, want, JSON.stringify(s));
    }
  });
});

describe('countTokens', () => {
  it('matches the tokenizer on varied text, special tokens counted as text', async () => {
    await preloadTokenizer();
    for (const s of samples) assert.equal(countTokens(s), exact(s), JSON.stringify(s.slice(0, 80)));
    for (let i = 0; i < 400; i++) {
      const s = Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => pick(FRAGMENTS)).join(rnd() < 0.5 ? '' : pick([' ', '\n', '']));
      assert.equal(countTokens(s), exact(s), JSON.stringify(s));
      const ascii = Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => pick(ASCII_BITS)).join('');
      assert.equal(countTokens(ascii), exact(ascii), JSON.stringify(ascii));
    }
  });

  it('stays exact once pieces are cached, and after the cache has started over', async () => {
    await preloadTokenizer();
    const text = samples.join('\n');
    assert.equal(countTokens(text), countTokens(text));
    assert.equal(countTokens(text), exact(text));
    // More distinct pieces than the cache holds.
    const many = Array.from({ length: 20_000 }, (_, i) => ` w${i.toString(36)}q`).join('');
    assert.equal(countTokens(many), exact(many));
    assert.equal(countTokens(text), exact(text));
  });
});
