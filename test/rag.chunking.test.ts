// Chunking properties over generated documents: no text lost, overlaps as configured, budgets kept,
// ids stable across re-ingestion, code blocks and headings respected.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { chunkText, loadTokenizer, type Tokenizer } from '../src/rag/index.js';
import { parseFile } from '../src/rag/index.js';

const word = fc.constantFrom('the', 'cat', 'sat', 'on', 'a', 'mat', 'retrieval', 'augmented', 'generation', 'vector', 'índice', 'naïve', '42', 'x', 'tokenizer', '🙂');
const sentence = fc.array(word, { minLength: 1, maxLength: 25 }).map((w) => `${w.join(' ')}.`);
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 8 }).map((s) => s.join(' '));
const code = fc.array(fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => `  ${w.join('_')}();`), { minLength: 1, maxLength: 6 }).map((l) => `\`\`\`ts\n${l.join('\n\n')}\n\`\`\``);
const block = fc.oneof({ weight: 6, arbitrary: paragraph }, { weight: 1, arbitrary: code }, { weight: 1, arbitrary: word.map((w) => `## ${w}`) });
const markdown = fc.array(block, { minLength: 1, maxLength: 14 }).map((b) => b.join('\n\n'));
/** Anything at all, including text with no structure (one long run, control characters, emoji). */
const anyText = fc.oneof(markdown, fc.string({ maxLength: 3000, unit: 'grapheme' }), fc.string({ minLength: 1, maxLength: 2000, unit: fc.constantFrom('a', 'b', ' ', '\n', '.', '#', '`', 'é') }));
const opts = fc.record({ maxTokens: fc.integer({ min: 16, max: 200 }), overlap: fc.integer({ min: 0, max: 60 }) });

describe('chunking', () => {
  let tok: Tokenizer;
  before(async () => {
    tok = await loadTokenizer();
  });

  it('loses no text: the chunks are ranges of the document whose own parts tile it exactly', () => {
    fc.assert(
      fc.property(anyText, opts, (text, o) => {
        const chunks = chunkText('doc', text, tok, o);
        if (text.length === 0) return chunks.length === 0;
        assert.equal(chunks[0]!.start, 0);
        assert.equal(chunks.at(-1)!.end, text.length);
        let rebuilt = '';
        chunks.forEach((c, i) => {
          assert.equal(c.text, text.slice(c.start, c.end));
          assert.equal(c.position, i);
          if (i > 0) assert.equal(c.ownStart, chunks[i - 1]!.end);
          rebuilt += text.slice(c.ownStart, c.end);
        });
        assert.equal(rebuilt, text);
        return true;
      }),
      { numRuns: 150 },
    );
  });

  it('keeps budgets and overlaps as configured', () => {
    fc.assert(
      fc.property(markdown, opts, (text, o) => {
        const overlap = Math.min(o.overlap, Math.floor(o.maxTokens / 2));
        const chunks = chunkText('doc', text, tok, o);
        chunks.forEach((c, i) => {
          assert.ok(tok.count(text.slice(c.ownStart, c.end)) <= o.maxTokens - overlap, 'own text within the budget');
          const ov = tok.count(text.slice(c.start, c.ownStart));
          assert.ok(ov <= overlap, `overlap ${ov} <= ${overlap}`);
          if (i === 0 || overlap === 0) assert.equal(c.start, c.ownStart);
          else {
            const prev = chunks[i - 1]!;
            assert.ok(c.start >= prev.ownStart, 'overlap comes from the previous chunk only');
            // Overlaps start at a word: they fall short of their size by at most one word (and a space).
            const longest = Math.max(...text.slice(prev.ownStart, prev.end).split(/\s+/).map((w) => tok.count(w)));
            if (tok.count(text.slice(prev.ownStart, prev.end)) >= overlap + longest) assert.ok(ov >= overlap - longest - 1, `overlap ${ov} near ${overlap}`);
          }
        });
        return true;
      }),
      { numRuns: 120 },
    );
  });

  it('gives the same ids to the same document, and keeps earlier sections’ ids when a later one changes', () => {
    fc.assert(
      fc.property(fc.array(paragraph, { minLength: 2, maxLength: 5 }), paragraph, opts, (sections, replacement, o) => {
        const doc = (last: string) => [...sections.slice(0, -1), last].map((s, i) => `# Part ${i}\n\n${s}`).join('\n\n');
        const a = chunkText('doc-1', doc(sections.at(-1)!), tok, o);
        const b = chunkText('doc-1', doc(sections.at(-1)!), tok, o);
        assert.deepEqual(a.map((c) => c.id), b.map((c) => c.id));
        const changed = chunkText('doc-1', doc(replacement), tok, o);
        const lastStart = doc(sections.at(-1)!).lastIndexOf('# Part');
        const stable = a.filter((c) => c.end <= lastStart - 2).map((c) => c.id);
        assert.deepEqual(changed.slice(0, stable.length).map((c) => c.id), stable);
        const other = chunkText('doc-2', doc(sections.at(-1)!), tok, o);
        assert.ok(other.every((c, i) => c.id !== a[i]!.id), 'ids depend on the document');
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it('starts a chunk at each heading and keeps a fitting code block whole', () => {
    const text = '# Intro\n\nShort intro.\n\n## Install\n\n```sh\nnpm install aether\n\nnpx aether serve\n```\n\nThen open the dashboard.';
    const chunks = chunkText('d', text, tok, { maxTokens: 200, overlap: 0 });
    assert.deepEqual(chunks.map((c) => c.text.split('\n')[0]), ['# Intro', '## Install']);
    assert.ok(chunks[1]!.text.includes('```sh\nnpm install aether\n\nnpx aether serve\n```'));
    const tight = chunkText('d', text, tok, { maxTokens: 20, overlap: 0 });
    assert.ok(tight.some((c) => c.text.includes('```sh\nnpm install aether\n\nnpx aether serve\n```')), 'the fence is not cut at its blank line');
  });

  it('reads Markdown, text, HTML, JSON and JSONL files into documents', () => {
    assert.equal(parseFile('a.md', '# Title\n\nbody')[0]!.title, 'Title');
    const h = parseFile('p.html', '<html><head><title>T &amp; C</title><style>x{}</style></head><body><h2>Terms</h2><p>Be nice.</p><script>evil()</script></body></html>')[0]!;
    assert.equal(h.title, 'T & C');
    assert.equal(h.text, '## Terms\n\nBe nice.');
    const j = parseFile('d.jsonl', '{"id":"1","title":"One","text":"first","metadata":{"k":1}}\n\n{"content":"second"}\n');
    assert.deepEqual(j.map((d) => [d.id, d.text]), [['1', 'first'], ['d.jsonl#2', 'second']]);
    assert.deepEqual(j[0]!.metadata, { k: 1 });
    assert.equal(parseFile('e.json', '[{"body":"x"}]')[0]!.text, 'x');
    assert.throws(() => parseFile('bad.jsonl', '{"a":1}\n{oops'), /bad\.jsonl:2/);
    assert.throws(() => parseFile('x.pdf', ''), /unsupported/);
  });
});
