// In-process pipeline overhead: sequential chat requests to mock/echo, tracing into a no-op sink.
// Usage: npx tsx bench/gateway/pipeline-overhead.mts [repo root]  (default: this checkout).
/* eslint-disable */
const root = process.argv[2] ?? new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const gwm: any = await import(`${root}/src/gateway/index.ts`);
const { silentLogger }: any = await import(`${root}/src/core/logger.ts`);
const repo: any = { list: async () => [], get: async () => undefined, put: async () => undefined, delete: async () => false };
const gw = gwm.createGateway({
  settings: gwm.parseGatewaySettings({}),
  env: { openaiBaseUrl: 'http://x', anthropicBaseUrl: 'http://x', openrouterBaseUrl: 'http://x' },
  credentials: { repo, sealer: { seal: (s: string) => s, open: (s: string) => s } },
  traceSink: async () => undefined,
  logger: silentLogger,
});
const p = { keyId: 'k', project: { id: 'p', slug: 'p' } };
const sig = new AbortController().signal;
const body = { model: 'mock/echo', messages: [{ role: 'user', content: 'hello' }] };
const one = async () => { const r = await gw.chat(p, body, {}, sig); if (r.kind !== 'json') throw new Error('x'); };
for (let i = 0; i < 3000; i++) await one();
const t: number[] = [];
for (let i = 0; i < 5000; i++) { const s = performance.now(); await one(); t.push(performance.now() - s); }
t.sort((a, b) => a - b);
console.log(root, 'p50', t[2500]!.toFixed(4), 'ms p99', t[4950]!.toFixed(4), 'ms');
await gw.flushTraces();
gw.close();
