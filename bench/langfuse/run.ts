// Langfuse ingestion latency: one POST /api/public/ingestion per batch size (trace-create +
// generation-create + generation-update per trace), against an embedded store on loopback. The
// Langfuse JS SDK gives a request 5 s by default, so a batch must be answered well within that.
// Writes bench/results/langfuse.{json,md}. Run: npm run bench:langfuse
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { startTestApp } from '../../test/helpers/app.js';
import { storeCases } from '../../test/helpers/stores.js';

const SIZES = [1, 5, 50, 200];
const REPEAT = 3;
const t = await startTestApp(storeCases[0]!);
await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
const a = t.aether.server.server.address();
const url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
const k = (await (await fetch(`${url}/api/v1/langfuse/keys`, { method: 'POST', headers: { 'x-api-key': t.key, 'content-type': 'application/json' }, body: '{}' })).json()) as { public_key: string; secret_key: string };
const auth = `Basic ${Buffer.from(`${k.public_key}:${k.secret_key}`).toString('base64')}`;

function batchOf(traces: number) {
  const now = new Date().toISOString();
  return Array.from({ length: traces }, () => {
    const id = randomUUID();
    const g = randomUUID();
    return [
      { id: randomUUID(), type: 'trace-create', timestamp: now, body: { id, input: 'What is the capital of France?', output: 'Paris.' } },
      { id: randomUUID(), type: 'generation-create', timestamp: now, body: { id: g, traceId: id, model: 'gpt-4o-mini', startTime: now, input: 'q' } },
      { id: randomUUID(), type: 'generation-update', timestamp: now, body: { id: g, traceId: id, endTime: now, output: 'Paris.', usage: { input: 10, output: 5 } } },
    ];
  }).flat();
}

async function post(batch: unknown[]): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${url}/api/public/ingestion`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ batch }) });
  const b = (await r.json()) as { errors: unknown[] };
  if (r.status !== 207 || b.errors.length) throw new Error(`ingestion failed: ${r.status} ${JSON.stringify(b.errors.slice(0, 2))}`);
  return performance.now() - t0;
}

await post(batchOf(1)); // warm-up (settings, prices, connections)
const rows: Array<{ traces: number; events: number; median_ms: number; max_ms: number }> = [];
for (const n of SIZES) {
  const ms: number[] = [];
  for (let i = 0; i < REPEAT; i++) ms.push(await post(batchOf(n)));
  ms.sort((x, y) => x - y);
  rows.push({ traces: n, events: n * 3, median_ms: Math.round(ms[Math.floor(ms.length / 2)]!), max_ms: Math.round(ms[ms.length - 1]!) });
}
await t.close();
const note = 'Embedded PGlite store on a 2-core machine shared with other jobs (loaded): figures are noisy upper bounds.';
writeFileSync('bench/results/langfuse.json', JSON.stringify({ date: new Date().toISOString(), note, rows }, null, 2) + '\n');
writeFileSync(
  'bench/results/langfuse.md',
  `# Langfuse ingestion latency\n\n\`npm run bench:langfuse\` — one \`POST /api/public/ingestion\` per batch (3 events per trace), ${REPEAT} runs each.\n${note}\n\n| traces | events | median ms | max ms |\n|---:|---:|---:|---:|\n${rows.map((r) => `| ${r.traces} | ${r.events} | ${r.median_ms} | ${r.max_ms} |`).join('\n')}\n`,
);
console.log(rows);
