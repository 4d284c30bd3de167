// The example trace of the README's quick start, the start-up banner and the dashboard's first-trace
// page: one body, scored faithful (test/readme-examples.test.ts posts it and checks the label).

/** A RAG answer every statement of which its context supports. */
export const EXAMPLE_TRACE = {
  query: 'What is the capital of France?',
  response: 'Paris is the capital of France.',
  contexts: [{ text: 'Paris is the capital and most populous city of France.', source: 'doc_001', score: 0.95 }],
  token_count: 150,
  latency_ms: 850,
  cost_usd: 0.002,
};
