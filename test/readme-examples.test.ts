// The README's example traces, read from its markdown (not restated here), posted to a real server on
// PGlite; the labels the evaluation worker gives them must be the ones the README's text promises.
// The start-up banner and the dashboard's first-trace curl send the README's first body.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { EXAMPLE_TRACE } from '../src/core/example-trace.js';
import { firstTraceCurl } from '../web/src/lib/first-trace.js';
import { startTestApp, type TestApp } from './helpers/app.js';
import { storeCases } from './helpers/stores.js';

interface Example {
  body: Record<string, unknown>;
  /** What the README says: the `hallucination` and `faithfulness` labels. */
  hallucination: string;
  faithfulness: string;
}

/** The JSON after `-d '` in a curl command. */
const curlBody = (cmd: string): Record<string, unknown> => JSON.parse(cmd.slice(cmd.indexOf("-d '") + 4, cmd.lastIndexOf("'"))) as Record<string, unknown>;

/** Each ```bash block that posts a trace, with the labels stated in the prose that follows it. */
function readmeExamples(markdown: string): Example[] {
  const parts = markdown.split(/^```/m); // odd parts are code blocks
  const out: Example[] = [];
  for (let i = 1; i < parts.length; i += 2) {
    const block = parts[i]!;
    if (!block.startsWith('bash') || !/curl -X POST \S+\/api\/v1\/traces/.test(block)) continue;
    const prose = parts[i + 1] ?? '';
    const said = /scores this trace \*\*(\w+)\*\*\s+\(`hallucination` label `(\w+)`, `faithfulness`\s+label `(\w+)`\)/.exec(prose);
    assert.ok(said, `the README says what label the example in block ${(i + 1) / 2} gets`);
    assert.equal(said[1], said[2]);
    out.push({ body: curlBody(block), hallucination: said[2]!, faithfulness: said[3]! });
  }
  return out;
}

describe('README example traces', () => {
  const examples = readmeExamples(readFileSync(new URL('../README.md', import.meta.url), 'utf8'));
  let t: TestApp;
  let base: string;

  before(async () => {
    t = await startTestApp(storeCases.find((c) => c.kind === 'pglite')!, { AETHER_QUEUE_POLL_MS: '20' });
    await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${t.aether.server.addresses().find((a) => a.family === 'IPv4')!.port}`;
  });
  after(async () => t?.close());

  async function labels(body: Record<string, unknown>): Promise<Record<string, string | null>> {
    const r = await fetch(`${base}/api/v1/traces/`, { method: 'POST', headers: { 'x-api-key': t.key, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(r.status, 201, await r.clone().text());
    const { id } = (await r.json()) as { id: string };
    for (const end = Date.now() + 20_000; Date.now() < end; await new Promise((res) => setTimeout(res, 50))) {
      const tr = (await (await fetch(`${base}/api/v1/traces/${id}`, { headers: { 'x-api-key': t.key } })).json()) as { evaluations: Array<{ metric: string; label: string | null }> };
      const by = Object.fromEntries(tr.evaluations.map((e) => [e.metric, e.label]));
      if ('hallucination' in by && 'faithfulness' in by) return by;
    }
    throw new Error(`trace ${id} was not evaluated`);
  }

  it('finds a faithful and a hallucinated example in the README', () => {
    assert.deepEqual(examples.map((e) => e.hallucination).sort(), ['faithful', 'hallucinated']);
  });

  it('scores each example as the README says', async () => {
    for (const e of examples) {
      const got = await labels(e.body);
      assert.equal(got.hallucination, e.hallucination, JSON.stringify(e.body));
      assert.equal(got.faithfulness, e.faithfulness, JSON.stringify(e.body));
    }
  });

  it('the start-up banner and the dashboard send the README’s first example', async () => {
    assert.deepEqual(EXAMPLE_TRACE, examples[0]!.body);
    const { project_id: projectId, ...dashboard } = curlBody(firstTraceCurl('http://x', t.projectId));
    assert.equal(projectId, t.projectId);
    assert.deepEqual(dashboard, examples[0]!.body);
    assert.equal((await labels({ ...dashboard, project_id: projectId })).hallucination, examples[0]!.hallucination);
  });
});
