import { normalizeTrace, type NormalizedTrace } from '../../src/ingest/index.js';
import { traceInputSchema } from '../../src/core/index.js';

/** The trace body from the seed README's curl, with the project filled in. */
export function seedTrace(projectId?: string): Record<string, unknown> {
  return {
    ...(projectId ? { project_id: projectId } : {}),
    query: 'What is the capital of France?',
    response: 'Paris is the capital of France.',
    contexts: [{ text: 'Paris is the capital...', source: 'doc_001', score: 0.95 }],
    token_count: 150,
    latency_ms: 850,
    cost_usd: 0.002,
  };
}

/** A validated, normalized trace for repository tests. */
export function makeTrace(projectId: string, over: Record<string, unknown> = {}): NormalizedTrace {
  return normalizeTrace(projectId, traceInputSchema.parse({ ...seedTrace(), ...over }));
}
