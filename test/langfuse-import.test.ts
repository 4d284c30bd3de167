// `aether import langfuse`: every shared Langfuse export imported into a fresh store, checked against
// expectations read from the export files themselves.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importLangfuseFiles } from '../src/cli/import.js';
import type { Store } from '../src/storage/index.js';
import { runCli } from './helpers/process.js';
import { storeCases, tempDir } from './helpers/stores.js';

const SHARED = process.env.AETHER_SHARED_DIR ?? fileURLToPath(new URL('../../shared/', import.meta.url));
const DIR = resolve(SHARED, 'data/traces/langfuse');
const TRACE_FILES = readdirSync(DIR).filter((f) => f.endsWith('.trace.json')).sort().map((f) => join(DIR, f));
const CHATML_FILES = readdirSync(DIR).filter((f) => f.endsWith('.chatml.json')).sort().map((f) => join(DIR, f));

interface Obs {
  id: string;
  type: string;
  parentObservationId: string | null;
  startTime: string;
  model: string | null;
  usageDetails?: Record<string, number>;
}
interface Export {
  trace: { id: string; userId: string | null; sessionId: string | null; tags: string[] };
  observations: Obs[];
}

const load = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Export;

/** Expected totals straight from the file: generations' usage, minus a generation that wraps another one's call. */
function expectedUsage(x: Export): { input: number | null; output: number | null } {
  const gens = x.observations.filter((o) => o.type === 'GENERATION' && o.usageDetails && Object.keys(o.usageDetails).length);
  const wrappers = new Set(gens.map((g) => g.parentObservationId));
  const counted = gens.filter((g) => !wrappers.has(g.id));
  const sum = (k: string) => (counted.some((g) => g.usageDetails![k] !== undefined) ? counted.reduce((n, g) => n + (g.usageDetails![k] ?? 0), 0) : null);
  return { input: sum('input'), output: sum('output') };
}

describe('aether import langfuse', () => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let projectId: string;

  before(async () => {
    assert.ok(TRACE_FILES.length >= 10, `expected the shared Langfuse exports in ${DIR}`);
    ({ store, cleanup } = await storeCases[0]!.open());
    const org = await store.organizations.create({ name: 'Default', slug: 'default' });
    projectId = (await store.projects.create({ orgId: org.id, name: 'default', slug: 'default' })).id;
  });
  after(async () => cleanup?.());

  it('imports every shared export with its spans, models, usage and nesting', async () => {
    const summary = await importLangfuseFiles(store, 'default', [...TRACE_FILES, ...CHATML_FILES]);
    const exports = TRACE_FILES.map(load);
    assert.equal(summary.imported, exports.length);
    assert.equal(summary.spans, exports.reduce((n, x) => n + x.observations.length, 0));
    assert.equal(summary.rejected, 0, JSON.stringify(summary.files.flatMap((f) => f.errors)));
    assert.ok(summary.files.filter((f) => f.kind === 'chatml').every((f) => (f.matched ?? 0) > 0));
    assert.equal(await store.traces.count(projectId), exports.length);

    for (const [i, x] of exports.entries()) {
      const file = TRACE_FILES[i]!;
      const tr = await store.traces.get(projectId, x.trace.id);
      assert.ok(tr, `${file}: trace ${x.trace.id} stored`);
      const spans = tr.spans ?? [];
      assert.equal(spans.length, x.observations.length, `${file}: one span per observation`);
      const byId = new Map(spans.map((s) => [s.id, s]));
      for (const o of x.observations) {
        const s = byId.get(o.id);
        assert.ok(s, `${file}: observation ${o.id} kept its id`);
        assert.equal(s.parent_id, o.parentObservationId, `${file}: ${o.id} keeps its parent`);
        assert.equal(s.model, o.model, `${file}: ${o.id} model`);
        assert.equal(s.input_tokens, o.usageDetails?.input ?? null, `${file}: ${o.id} input tokens`);
        assert.equal(s.output_tokens, o.usageDetails?.output ?? null, `${file}: ${o.id} output tokens`);
        assert.equal(s.start_time, new Date(o.startTime).toISOString(), `${file}: ${o.id} start`);
        assert.equal(s.kind === 'llm', o.type === 'GENERATION', `${file}: ${o.id} generation ↔ llm span`);
      }
      // Nesting intact: every parent is a span of the same trace, and the roots are the file's roots.
      for (const s of spans) if (s.parent_id) assert.ok(byId.has(s.parent_id), `${file}: parent ${s.parent_id} exists`);
      assert.equal(spans.filter((s) => !s.parent_id).length, x.observations.filter((o) => !o.parentObservationId).length);
      const models = new Set(x.observations.map((o) => o.model).filter(Boolean));
      assert.deepEqual(new Set(spans.map((s) => s.model).filter(Boolean)), models, `${file}: models`);
      const firstGen = [...x.observations].filter((o) => o.type === 'GENERATION').sort((a, b) => a.startTime.localeCompare(b.startTime))[0];
      assert.equal(tr.model, firstGen?.model ?? null, `${file}: trace model`);
      const usage = expectedUsage(x);
      assert.equal(tr.input_tokens, usage.input, `${file}: trace input tokens`);
      assert.equal(tr.output_tokens, usage.output, `${file}: trace output tokens`);
      assert.equal(tr.user_id, x.trace.userId, `${file}: user`);
      assert.equal(tr.session_id, x.trace.sessionId, `${file}: session`);
      assert.deepEqual(tr.tags, x.trace.tags, `${file}: tags`);
      assert.ok(tr.query.length > 0, `${file}: has a query`);
    }
    const pydantic = await store.traces.get(projectId, exports.find((x) => x.trace.tags.includes('pydantic-ai'))!.trace.id);
    assert.equal(pydantic?.query, 'What is Langfuse?');
    assert.match(pydantic?.response ?? '', /^Langfuse is a tool designed for observability/);
  });

  it('is idempotent: importing the same files again stores nothing new', async () => {
    const before = await store.traces.count(projectId);
    const again = await importLangfuseFiles(store, 'default', TRACE_FILES);
    assert.equal(again.imported, 0);
    assert.equal(again.spans, 0);
    assert.equal(again.duplicates, TRACE_FILES.length);
    assert.equal(await store.traces.count(projectId), before);
  });

  it('runs as a CLI command with a summary, and refuses files that are not Langfuse exports', () => {
    const t = tempDir();
    try {
      const env = { AETHER_DATA_DIR: t.dir };
      assert.equal(runCli(['projects', 'create', 'Imports'], env).status, 0);
      const r = runCli(['import', 'langfuse', '--project', 'imports', ...TRACE_FILES.slice(0, 3)], env);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /imported 3 trace\(s\) with \d+ span\(s\) into project imports; 0 duplicate\(s\) skipped; 0 rejected/);
      const again = runCli(['--json', 'import', 'langfuse', '--project', 'imports', TRACE_FILES[0]!], env);
      assert.equal(again.status, 0, again.stderr);
      assert.deepEqual((JSON.parse(again.stdout) as { imported: number; duplicates: number }).imported, 0);
      const bad = runCli(['import', 'langfuse', '--project', 'imports', resolve('package.json')], env);
      assert.equal(bad.status, 1);
      assert.match(bad.stdout, /package\.json: not imported: Not a Langfuse export/);
    } finally {
      t.remove();
    }
  });
});
