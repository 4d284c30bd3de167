// Valid-shaped bodies of the feature APIs added after the first fuzz suite: prompts, experiments,
// monitors, retrieval collections, the router, per-project prices and retention, and the Langfuse
// public API. Shapes follow the routes' schemas; mutations (values.ts) make them hostile.
import fc from 'fast-check';
import { cleanId, cleanJson, cleanString } from './values.js';

export const promptNameArb = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,40}$/);
export const labelArb = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,20}$/).filter((l) => l !== 'latest');
const dict = fc.dictionary(cleanId, cleanJson, { maxKeys: 3 });
const varName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/);

const textPrompt = fc.record(
  {
    name: fc.oneof(fc.constant('fz-prompt'), promptNameArb),
    type: fc.constant('text'),
    prompt: fc.tuple(cleanString(100), varName).map(([t, v]) => `${t} {{${v}}}`),
    labels: fc.uniqueArray(labelArb, { maxLength: 3 }),
    config: dict,
    variables: fc.dictionary(varName, fc.constantFrom('string', 'number', 'json'), { maxKeys: 2 }),
    commit_message: cleanString(40),
    tags: fc.array(cleanString(20), { maxLength: 3 }),
    category: cleanString(20),
  },
  { requiredKeys: ['name', 'type', 'prompt'] },
);
const chatPrompt = fc.record(
  {
    name: fc.oneof(fc.constant('fz-chat'), promptNameArb),
    type: fc.constant('chat'),
    prompt: fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant'), content: cleanString(80) }), { minLength: 1, maxLength: 3 }),
    labels: fc.uniqueArray(labelArb, { maxLength: 2 }),
  },
  { requiredKeys: ['name', 'type', 'prompt'] },
);
/** POST /api/v1/prompts. */
export const promptBody = fc.oneof({ weight: 3, arbitrary: textPrompt }, { weight: 1, arbitrary: chatPrompt });
export const labelMoveBody = fc.record({ label: labelArb, version: fc.integer({ min: 1, max: 4 }) });
export const renderBody = fc.record({ label: fc.constantFrom('production', 'latest'), variables: dict }, { requiredKeys: [] });
export const protectedLabelsBody = fc.record({ protected_labels: fc.uniqueArray(labelArb, { maxLength: 3 }) });

/** POST /api/v1/experiments: two or three uniquely named variants. */
export const experimentBody = fc
  .record(
    {
      name: cleanString(40),
      prompt_name: fc.constant('fz-prompt'),
      unit: fc.constantFrom('user', 'session', 'request'),
      weights: fc.array(fc.double({ min: 0.1, max: 10, noNaN: true }), { minLength: 2, maxLength: 3 }),
      model: fc.constantFrom('mock/echo', 'mock/a'),
      settings: fc.record({ alpha: fc.double({ min: 0.001, max: 0.2, noNaN: true }), min_samples: fc.integer({ min: 10, max: 1000 }), auto_complete: fc.boolean() }, { requiredKeys: [] }),
    },
    { requiredKeys: ['name', 'weights'] },
  )
  .map(({ weights, model, ...e }) => ({ ...e, variants: weights.map((weight, i) => ({ name: `v${i}`, weight, ...(model ? { model } : {}) })) }));
export const assignBody = fc.record({ user_id: cleanString(20), session_id: cleanString(20) }, { requiredKeys: [] });

/** POST /api/v1/monitors: the spec as JSON (source aether, local metrics, no schedule or an hourly one). */
export const monitorBody = fc.record(
  {
    name: fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/), fc.nat()).map(([a, n]) => `fz-${a}-${n}`),
    description: cleanString(40),
    source: fc.record({ type: fc.constant('aether'), filters: fc.record({ tag: cleanString(10) }, { requiredKeys: [] }) }, { requiredKeys: ['type'] }),
    sampling: fc.oneof(fc.constant({ strategy: 'all' }), fc.integer({ min: 1, max: 20 }).map((n) => ({ strategy: 'most_recent', n }))),
    metrics: fc.uniqueArray(fc.constantFrom('pii', 'toxicity', 'token_overlap'), { minLength: 1, maxLength: 2 }).map((ms) => ms.map((name) => ({ name }))),
    schedule: fc.constant({ interval_minutes: 60 }),
  },
  { requiredKeys: ['name', 'source', 'metrics'] },
);
export const monitorYaml = fc.tuple(fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/), fc.constantFrom('all', 'most_recent')).map(([n, s]) => `name: fz-${n}\nsource: { type: aether }\nsampling: { strategy: ${s}${s === 'all' ? '' : ', n: 3'} }\nmetrics:\n  - name: pii\n`);
export const monitorRunBody = fc.record({ yaml: monitorYaml, dry_run: fc.constant(true) });

/** POST /api/v1/rag/collections, …/documents and …/search. */
export const collectionBody = fc.record({ name: fc.oneof(fc.constant('fz-coll'), cleanString(40)) });
export const documentsBody = fc.record({
  documents: fc.array(fc.record({ id: cleanId, text: cleanString(300), title: cleanString(30), source: cleanString(30), metadata: dict }, { requiredKeys: ['text'] }), { minLength: 1, maxLength: 3 }),
});
export const searchBody = fc.record({ query: cleanString(60), k: fc.integer({ min: 1, max: 20 }), mode: fc.constantFrom('bm25', 'vector', 'hybrid'), filters: dict, max_tokens: fc.integer({ min: 1, max: 2000 }), trace: fc.boolean() }, { requiredKeys: ['query'] });

/** POST /api/v1/router/route and PUT /api/v1/router/settings. */
export const routeBody = fc.record(
  {
    model: fc.constantFrom('auto', 'auto:cheapest', 'auto:fastest', 'auto:best', 'auto:utility'),
    messages: fc.array(fc.record({ role: fc.constantFrom('user', 'system'), content: cleanString(100) }), { minLength: 1, maxLength: 3 }),
    candidates: fc.array(fc.record({ model: fc.constantFrom('mock/a', 'mock/b', 'gpt-4o-mini'), input_per_token: fc.double({ min: 0, max: 0.001, noNaN: true }), output_per_token: fc.double({ min: 0, max: 0.001, noNaN: true }) }), { minLength: 1, maxLength: 3 }),
    max_tokens: fc.integer({ min: 1, max: 4096 }),
    explore: fc.boolean(),
  },
  { requiredKeys: ['messages', 'candidates'] },
);
export const routerSettingsBody = fc.record(
  { default_policy: fc.constantFrom('cheapest', 'fastest', 'best', 'utility'), min_quality: fc.double({ min: 0, max: 1, noNaN: true }), max_latency_ms: fc.integer({ min: 1, max: 60_000 }), models: fc.array(fc.constantFrom('mock/a', 'mock/b'), { minLength: 1, maxLength: 2 }) },
  { requiredKeys: [] },
);
export const feedbackBody = fc.record({ score: fc.double({ min: 0, max: 1, noNaN: true }), comment: cleanString(60) }, { requiredKeys: ['score'] });

/** PUT …/prices/:model and …/retention. */
export const priceBody = fc.record({ input_per_mtok: fc.double({ min: 0, max: 100, noNaN: true }), output_per_mtok: fc.double({ min: 0, max: 100, noNaN: true }), cache_read_per_mtok: fc.double({ min: 0, max: 100, noNaN: true }) }, { requiredKeys: ['input_per_mtok', 'output_per_mtok'] });
export const retentionBody = fc.record({ days: fc.oneof(fc.integer({ min: 30, max: 36_500 }), fc.constant(null)) });

const iso = fc.integer({ min: -86_400_000, max: 0 }).map((dt) => new Date(Date.now() + dt).toISOString());
const usage = fc.record({ input: fc.integer({ min: 0, max: 10_000 }), output: fc.integer({ min: 0, max: 10_000 }) });
/** One Langfuse ingestion event; trace ids come from `traceIds` so observations attach to few traces. */
export function langfuseEvent(traceId: fc.Arbitrary<string>): fc.Arbitrary<{ id: string; type: string; timestamp: string; body: Record<string, unknown> }> {
  const id = fc.tuple(cleanId, fc.nat()).map(([a, n]) => `${a}-${n.toString(36)}`);
  const trace = fc.record({ id: traceId, name: cleanString(30), input: cleanJson, output: cleanJson, metadata: dict, userId: cleanString(20), sessionId: cleanString(20), tags: fc.array(cleanString(10), { maxLength: 3 }) }, { requiredKeys: ['id'] });
  const obs = fc.record({ id, traceId, name: cleanString(30), startTime: iso, endTime: iso, input: cleanJson, output: cleanJson, metadata: dict, model: fc.constantFrom('gpt-4o-mini', 'mock/echo'), usage }, { requiredKeys: ['id', 'traceId'] });
  const score = fc.record({ id, traceId, name: cleanString(20), value: fc.double({ min: 0, max: 1, noNaN: true }) });
  return fc.tuple(id, fc.constantFrom('trace-create', 'span-create', 'generation-create', 'event-create', 'span-update', 'score-create'), iso, trace, obs, score).map(([eid, type, timestamp, t, o, s]) => ({
    id: eid,
    type,
    timestamp,
    body: type === 'trace-create' ? t : type === 'score-create' ? s : o,
  }));
}
export const langfuseScoreBody = (traceIds: string[]) => fc.record({ traceId: fc.constantFrom(...traceIds), name: cleanString(20), value: fc.double({ min: 0, max: 1, noNaN: true }), comment: cleanString(40) }, { requiredKeys: ['traceId', 'name', 'value'] });
export const langfusePromptBody = fc.record({ name: fc.oneof(fc.constant('fz-lf-prompt'), promptNameArb), type: fc.constant('text'), prompt: cleanString(100), labels: fc.uniqueArray(labelArb, { maxLength: 2 }), config: dict }, { requiredKeys: ['name', 'prompt'] });
