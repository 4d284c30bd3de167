// The gateway's prompt resolver (rendering named prompts, applying experiment variants), and
// experiments through real HTTP on both stores: lifecycle, sticky weighted assignment, per-variant
// results from traces and evaluations, guardrails, an automatic winner that promotes its label.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createExperiments, createPromptResolver } from '../src/prompts/index.js';
import { PromptClient } from '../sdk/src/index.js';
import { isAetherError } from '../src/core/errors.js';
import { storeCases } from './helpers/stores.js';
import { startTestApp, type TestApp } from './helpers/app.js';

type Json = Record<string, unknown>;

for (const c of storeCases) {
  const skip = await c.skip();
  describe(`prompt resolver and experiments: ${c.kind}`, { skip }, () => {
    let t: TestApp;
    let base: string;
    const call = async <T = Json>(method: string, path: string, body?: unknown, key = t.key): Promise<{ status: number; body: T }> => {
      const r = await fetch(base + path, { method, headers: { 'x-api-key': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      const text = await r.text();
      return { status: r.status, body: (text ? JSON.parse(text) : {}) as T };
    };
    const resolve = (body: Json, headers: Record<string, string> = {}, model?: string) =>
      createPromptResolver({ prompts: t.aether.prompts, experiments: t.aether.experiments })({ projectId: t.projectId, model, body, headers });

    before(async () => {
      t = await startTestApp(c, { AETHER_WORKER: 'false' });
      base = await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
      await call('POST', '/api/v1/prompts', { name: 'qa', type: 'chat', prompt: [{ role: 'system', content: 'Answer as {{persona}}.' }], variables: { persona: { type: 'string', default: 'a librarian' } }, config: { model: 'gpt-4o-mini', temperature: 0.1 }, labels: ['production'] });
      await call('POST', '/api/v1/prompts', { name: 'qa', type: 'chat', prompt: [{ role: 'system', content: 'Answer briefly as {{persona}}.' }], variables: { persona: { type: 'string', default: 'a librarian' } }, config: { model: 'gpt-4o', temperature: 0.7 }, labels: ['staging'] });
      await call('POST', '/api/v1/prompts', { name: 'sum', prompt: 'Summarize: {{text}}' });
    });
    after(async () => t?.close());

    it('resolver: header name@label / #version or body prompt renders into messages; config fills the gaps; trace metadata', async () => {
      assert.equal(await resolve({ model: 'x', messages: [{ role: 'user', content: 'hi' }] }), null, 'a request naming no prompt is left alone');
      const r = (await resolve({ messages: [{ role: 'user', content: 'Where is the book?' }], prompt_variables: { persona: 'a pirate' }, max_tokens: 20 }, { 'x-aether-prompt': 'qa' }))!;
      assert.deepEqual(r.body.messages, [{ role: 'system', content: 'Answer as a pirate.' }, { role: 'user', content: 'Where is the book?' }]);
      assert.equal(r.model, 'gpt-4o-mini');
      assert.equal(r.body.temperature, 0.1);
      assert.equal(r.body.max_tokens, 20);
      assert.equal(r.body.prompt_variables, undefined);
      assert.deepEqual(r.prompt, { name: 'qa', version: 1, label: 'production' });
      assert.deepEqual(r.metadata, { prompt_name: 'qa', prompt_version: 1, prompt_label: 'production' });
      const staged = (await resolve({ temperature: 0 }, { 'x-aether-prompt': 'qa@staging' }, 'my-model'))!;
      assert.deepEqual(staged.body.messages, [{ role: 'system', content: 'Answer briefly as a librarian.' }]);
      assert.equal(staged.model, 'my-model', "the request's model wins over the prompt's config");
      assert.equal(staged.body.temperature, 0);
      assert.equal((await resolve({}, { 'x-aether-prompt': 'qa#1' }))!.prompt!.version, 1);
      const text = (await resolve({ prompt: { name: 'sum', label: 'latest', variables: { text: 'long story' } }, messages: [{ role: 'user', content: 'go' }] }))!;
      assert.deepEqual(text.body.messages, [{ role: 'system', content: 'Summarize: long story' }, { role: 'user', content: 'go' }]);
      assert.equal(text.body.prompt, undefined);
      const alone = (await resolve({ prompt: { name: 'sum', version: 1, variables: { text: 'x' } } }))!;
      assert.deepEqual(alone.body.messages, [{ role: 'user', content: 'Summarize: x' }]);
      await assert.rejects(resolve({ prompt: { name: 'sum', label: 'latest' } }), (e: unknown) => isAetherError(e) && e.status === 400 && /missing variables: text/.test(e.message));
      await assert.rejects(resolve({}, { 'x-aether-prompt': 'qa@canary' }), (e: unknown) => isAetherError(e) && e.status === 404);
      await assert.rejects(resolve({}, { 'x-aether-prompt': 'bad name!' }), (e: unknown) => isAetherError(e) && e.status === 400);
    });

    let expId = '';
    it('experiments: validation, lifecycle draft → running → paused → completed, conflicts', async () => {
      const bad = await call('POST', '/api/v1/experiments', { name: 'x', variants: [{ name: 'a', prompt_version: 1 }, { name: 'a' }] });
      assert.equal(bad.status, 400);
      assert.equal((await call('POST', '/api/v1/experiments', { name: 'x', prompt_name: 'qa', variants: [{ name: 'a', prompt_version: 1 }, { name: 'b', prompt_version: 9 }] })).status, 404, 'unknown prompt versions are refused');
      const created = await call<{ id: string; status: string }>('POST', '/api/v1/experiments', {
        name: 'brief vs long',
        prompt_name: 'qa',
        variants: [
          { name: 'control', prompt_version: 1, weight: 1 },
          { name: 'brief', prompt_version: 2, weight: 3, params: { temperature: 0.3 } },
        ],
        settings: { min_samples: 100, promote_label: 'production' },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.equal(created.body.status, 'draft');
      expId = created.body.id;
      const draft = await call('POST', `/api/v1/experiments/${expId}/assign`, { user_id: 'u1' });
      assert.equal(draft.status, 409, JSON.stringify(draft.body));
      assert.equal((await call('POST', `/api/v1/experiments/${expId}/pause`)).status, 409);
      assert.equal((await call<{ status: string }>('POST', `/api/v1/experiments/${expId}/start`)).body.status, 'running');
      assert.equal((await call<{ status: string }>('POST', `/api/v1/experiments/${expId}/pause`)).body.status, 'paused');
      const paused = await call<{ variant: { name: string } }>('POST', `/api/v1/experiments/${expId}/assign`, { user_id: 'u1' });
      assert.equal(paused.body.variant.name, 'control', 'a paused experiment serves the control');
      assert.equal((await call('POST', `/api/v1/experiments/${expId}/start`)).status, 200);
      assert.equal((await call('POST', `/api/v1/experiments/${expId}/assign`, {})).status, 400, 'a user experiment needs user_id');
      assert.equal((await call('GET', `/api/v1/experiments/${expId}`, undefined, t.other.key)).status, 404, 'other projects do not see it');
    });

    it('sticky weighted assignment: the same user always gets the same variant, in a fresh instance too; weights hold', async () => {
      const first = new Map<string, string>();
      for (let i = 0; i < 40; i++) first.set(`user-${i}`, (await call<{ variant: { name: string } }>('POST', `/api/v1/experiments/${expId}/assign`, { user_id: `user-${i}` })).body.variant.name);
      for (let i = 0; i < 40; i++) assert.equal((await call<{ variant: { name: string } }>('POST', `/api/v1/experiments/${expId}/assign`, { user_id: `user-${i}` })).body.variant.name, first.get(`user-${i}`));
      const sdk = new PromptClient({ apiKey: t.key, baseUrl: base });
      assert.equal((await sdk.assignVariant(expId, { userId: 'user-3' })).variant.name, first.get('user-3'), 'the SDK gets the same sticky answer');
      // A new service instance (as after a restart) assigns from the stored experiment alone.
      const fresh = createExperiments({ repo: t.aether.store.experiments, checkPrompt: async () => {}, promote: async () => {} });
      let brief = 0;
      for (let i = 0; i < 4000; i++) {
        const a = await fresh.assign(t.projectId, expId, `user-${i}`);
        if (i < 40) assert.equal(a.variant.name, first.get(`user-${i}`));
        if (a.variant.name === 'brief') brief++;
      }
      assert.ok(Math.abs(brief / 4000 - 0.75) < 0.03, `weight 3:1 gives ~75% brief, got ${brief / 4000}`);
    });

    it('the resolver applies the assigned variant (prompt version and params) and records it', async () => {
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const user = `user-${i}`;
        const r = (await resolve({ user, messages: [{ role: 'user', content: 'q' }] }, { 'x-aether-prompt': 'qa' }))!;
        const assigned = (await call<{ variant: { name: string } }>('POST', `/api/v1/experiments/${expId}/assign`, { user_id: user })).body.variant.name;
        assert.equal(r.experiment?.variant, assigned);
        assert.equal(r.metadata.experiment_id, expId);
        assert.equal(r.prompt!.version, assigned === 'brief' ? 2 : 1);
        if (assigned === 'brief') assert.equal(r.body.temperature, 0.3);
        seen.add(assigned);
      }
      assert.deepEqual([...seen].sort(), ['brief', 'control']);
    });

    it('results: per-variant rates, latency and cost from traces and evaluations; a winner completes and promotes its label', async () => {
      const traces: Json[] = [];
      const evals: Array<{ trace_id: string; hallucinated: boolean }> = [];
      const add = (variant: string, n: number, successRate: number, latency: number) => {
        for (let i = 0; i < n; i++) {
          const id = randomUUID();
          const ok = i < Math.round(n * successRate);
          traces.push({ id, query: 'q', response: 'a', latency_ms: latency + (i % 10), cost_usd: variant === 'brief' ? 0.001 : 0.002, status: ok ? 'success' : 'error', metadata: { experiment_id: expId, experiment_variant: variant } });
          if (i % 2 === 0) evals.push({ trace_id: id, hallucinated: false });
        }
      };
      add('control', 400, 0.6, 800);
      add('brief', 400, 0.9, 300);
      for (let i = 0; i < traces.length; i += 500) assert.equal((await call('POST', '/api/v1/traces/batch', { traces: traces.slice(i, i + 500) })).status, 207);
      await t.aether.ingest.writer.flushed();
      await t.aether.store.evaluations.upsert(evals.map((e) => ({ project_id: t.projectId, trace_id: e.trace_id, metric: 'hallucination', metric_version: '1', evaluator: 'test', score: e.hallucinated ? 1 : 0, label: null, reason: null, details: {}, cost_usd: 0, tokens: 0 })));
      const r = await call<{ variants: Array<{ name: string; n: number; success_rate: number; error_rate: number; hallucination_rate: number; latency_p50_ms: number; cost_per_request_usd: number; vs_control: { success: { diff: number; ci: [number, number]; significant: boolean } } | null }>; decision: { state: string; winner: string }; experiment: { status: string; winner: string } }>('GET', `/api/v1/experiments/${expId}/results`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const [ctl, brief] = [r.body.variants.find((v) => v.name === 'control')!, r.body.variants.find((v) => v.name === 'brief')!];
      assert.equal(ctl.n, 400);
      assert.equal(ctl.success_rate, 0.6);
      assert.equal(brief.error_rate, 0.1);
      assert.equal(brief.hallucination_rate, 0);
      assert.ok(brief.latency_p50_ms >= 300 && brief.latency_p50_ms < 310);
      assert.ok(Math.abs(brief.cost_per_request_usd - 0.001) < 1e-9);
      assert.ok(brief.vs_control!.success.significant);
      assert.ok(brief.vs_control!.success.ci[0] > 0 && brief.vs_control!.success.ci[0] < 0.3 && brief.vs_control!.success.ci[1] > 0.3);
      assert.equal(r.body.decision.state, 'winner');
      assert.equal(r.body.decision.winner, 'brief');
      assert.equal(r.body.experiment.status, 'completed', 'auto_complete');
      assert.equal((await call<{ version: number }>('GET', '/api/v1/prompts/qa')).body.version, 2, 'production moved to the winner’s version');
      assert.equal((await call<{ variant: { name: string } }>('POST', `/api/v1/experiments/${expId}/assign`, { user_id: 'anyone' })).body.variant.name, 'brief', 'a completed experiment serves its winner');
    });

    it('guardrail: a variant significantly worse on errors is stopped and gets no more traffic', async () => {
      const e = await call<{ id: string }>('POST', '/api/v1/experiments', { name: 'guard', unit: 'request', variants: [{ name: 'a', model: 'm-a' }, { name: 'b', model: 'm-b' }], settings: { min_samples: 50, auto_complete: false, guardrails: ['errors'] } });
      await call('POST', `/api/v1/experiments/${e.body.id}/start`);
      const traces: Json[] = [];
      for (let i = 0; i < 200; i++) traces.push({ id: randomUUID(), query: 'q', response: 'a', status: i % 2 === 0 || i >= 100 ? 'success' : 'error', metadata: { experiment_id: e.body.id, experiment_variant: i < 100 ? 'b' : 'a' } });
      await call('POST', '/api/v1/traces/batch', { traces });
      await t.aether.ingest.writer.flushed();
      const r = await call<{ decision: { state: string; stopped: string[]; winner: string | null } }>('GET', `/api/v1/experiments/${e.body.id}/results`);
      assert.deepEqual(r.body.decision.stopped, ['b']);
      assert.equal(r.body.decision.winner, 'a', 'with every challenger stopped the control stands');
      for (let i = 0; i < 30; i++) assert.equal((await call<{ variant: { name: string } }>('POST', `/api/v1/experiments/${e.body.id}/assign`, {})).body.variant.name, 'a');
      const viaGateway = (await resolve({ model: 'whatever' }, { 'x-aether-experiment': e.body.id }))!;
      assert.equal(viaGateway.model, 'm-a');
      assert.equal(viaGateway.experiment?.variant, 'a');
    });
  });
}
