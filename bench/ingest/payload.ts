/**
 * Request bodies. No `id`: the server generates one. `[<id>]` is replaced by autocannon with a
 * fresh unique id on every request (`idReplacement`), so no two requests carry the same query.
 */
const MODELS = ['gpt-4o-mini', 'claude-3-5-haiku', 'llama-3.1-8b'];

/** One trace shaped like the seed: query, response, contexts, usage, plus model/user/tags. */
export function traceBody(i: number): Record<string, unknown> {
  return {
    query: `What is the capital of France? (bench [<id>] #${i})`,
    response: 'Paris is the capital and most populous city of France.',
    contexts: [
      { text: 'Paris is the capital of France.', source: 'wiki/France', score: 0.92 },
      { text: 'France is a country in Western Europe; its capital is Paris.', source: 'wiki/Paris', score: 0.81 },
    ],
    token_count: 128 + (i % 64),
    latency_ms: 250 + (i % 500),
    cost_usd: 0.00042,
    model: MODELS[i % MODELS.length],
    user_id: `user-${i % 100}`,
    tags: ['bench', i % 2 === 0 ? 'even' : 'odd'],
  };
}

/** The body of `POST /api/v1/traces`. */
export const singleBody = (): string => JSON.stringify(traceBody(0));

/** The body of `POST /api/v1/traces/batch` with `n` traces. */
export const batchBody = (n: number): string => JSON.stringify({ traces: Array.from({ length: n }, (_v, i) => traceBody(i)) });
