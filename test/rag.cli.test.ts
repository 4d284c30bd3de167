// `aether rag add PATH…` as a user runs it: files of each format indexed into a collection, a second
// run skips what did not change, and `rag search` finds them.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from './helpers/process.js';
import { tempDir } from './helpers/stores.js';

describe('aether rag CLI', () => {
  const data = tempDir();
  const docs = tempDir('aether-rag-docs-');
  after(() => {
    data.remove();
    docs.remove();
  });
  const env = { AETHER_DATA_DIR: data.dir, LOG_LEVEL: 'silent' };

  it('indexes Markdown, text, HTML and JSONL, idempotently, and searches them', { timeout: 400_000 }, () => {
    assert.equal(runCli(['projects', 'create', 'kb'], env).status, 0);
    mkdirSync(join(docs.dir, 'sub'));
    writeFileSync(join(docs.dir, 'guide.md'), '# Install\n\nRun npm install to get the server.\n\n## Upgrade\n\nStop the server, then migrate.');
    writeFileSync(join(docs.dir, 'notes.txt'), 'Backups run nightly at two in the morning.');
    writeFileSync(join(docs.dir, 'sub', 'page.html'), '<html><head><title>Pricing</title></head><body><h1>Plans</h1><p>The team plan costs ten dollars.</p></body></html>');
    writeFileSync(join(docs.dir, 'sub', 'faq.jsonl'), '{"id":"q1","title":"Refunds","text":"Refunds take five days."}\n{"id":"q2","text":"Support answers within a day."}\n');
    writeFileSync(join(docs.dir, 'ignored.png'), 'x');
    const first = runCli(['--json', 'rag', 'add', docs.dir, '--project', 'kb', '--collection', 'help'], env);
    assert.equal(first.status, 0, first.stderr);
    const s1 = JSON.parse(first.stdout) as { documents: number; created: number; unchanged: number };
    assert.equal(s1.documents, 5);
    assert.equal(s1.created, 5);
    const again = JSON.parse(runCli(['--json', 'rag', 'add', docs.dir, '--project', 'kb', '--collection', 'help'], env).stdout) as { unchanged: number; chunks: number };
    assert.equal(again.unchanged, 5);
    assert.equal(again.chunks, 0);
    const hit = runCli(['--json', 'rag', 'search', 'team plan price', '--project', 'kb', '--collection', 'help', '--mode', 'bm25'], env);
    assert.equal(hit.status, 0, hit.stderr);
    const r = JSON.parse(hit.stdout) as { contexts: Array<{ source: string; text: string }> };
    assert.match(r.contexts[0]!.text, /team plan costs ten dollars/);
    assert.match(r.contexts[0]!.source, /page\.html$/);
  });

  it('refuses an unsupported file named on the command line with a clear message', () => {
    writeFileSync(join(docs.dir, 'x.pdf'), '%PDF');
    const r = runCli(['rag', 'add', join(docs.dir, 'x.pdf'), '--project', 'kb'], env);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unsupported file type/);
  });
});
