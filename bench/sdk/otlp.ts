/**
 * OTLP/HTTP ingestion throughput: spans/s that `aether serve --no-worker` on embedded PGlite commits
 * from OTLP/protobuf ExportTraceServiceRequests (100 traces × 10 GenAI/OpenInference spans each)
 * posted by several concurrent clients. Target (issue 7): ≥ 20,000 spans/s.
 * Writes bench/results/otlp.json and bench/results/otlp.md and prints the Markdown.
 *
 *   npm run build && npx tsx bench/sdk/otlp.ts
 *
 * Env: BENCH_DURATION_S (15), BENCH_WARMUP_S (3), BENCH_CLIENTS (6).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeExportRequest } from '../../src/ingest/index.js';
import { cleanupAll, cleanupOnSignals } from '../lib/cleanup.js';
import { cleanEnv, freePort, spawnNode, tempDir, waitForOk } from '../lib/proc.js';
import { round, summarize } from '../lib/stats.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const durationS = Number(process.env.BENCH_DURATION_S ?? 15);
const warmupS = Number(process.env.BENCH_WARMUP_S ?? 3);
const clients = Number(process.env.BENCH_CLIENTS ?? 6);
const TRACES = 100;
const SPANS = 10;
const TARGET = 20_000;

const str = (key: string, v: string) => ({ key, value: { stringValue: v } });
const int = (key: string, v: number) => ({ key, value: { intValue: v } });
const dbl = (key: string, v: number) => ({ key, value: { doubleValue: v } });

// Placeholder trace ids: 8 marker bytes, then the trace's index. Each request overwrites the marker
// with its own sequence number, so every request carries new traces without re-encoding.
const MARKER = Buffer.from('a37c0ffee0d15ea5', 'hex');
const traceIdOf = (i: number) => Buffer.concat([MARKER, Buffer.from(i.toString(16).padStart(16, '0'), 'hex')]);
const spanIdOf = (t: number, s: number) => Buffer.from(((t * SPANS + s + 1) >>> 0).toString(16).padStart(16, '0'), 'hex');

/** One RAG trace as instrumented apps send it: chain root, retriever, two LLM calls, tools. */
function spansOf(t: number, startNs: bigint): Record<string, unknown>[] {
  const traceId = traceIdOf(t);
  const span = (s: number, name: string, attributes: unknown[], parent = 0) => ({
    traceId,
    spanId: spanIdOf(t, s),
    ...(s === 0 ? {} : { parentSpanId: spanIdOf(t, parent) }),
    name,
    kind: s === 0 ? 2 : 1,
    startTimeUnixNano: (startNs + BigInt(s) * 1_000_000n).toString(),
    endTimeUnixNano: (startNs + BigInt(s) * 1_000_000n + (s === 0 ? 900_000_000n : 50_000_000n)).toString(),
    attributes,
    status: { code: 1 },
  });
  const docs = [0, 1, 2].flatMap((d) => [
    str(`retrieval.documents.${d}.document.id`, `doc-${t}-${d}`),
    str(`retrieval.documents.${d}.document.content`, `Paris is the capital of France. Passage ${d} of trace ${t}.`),
    dbl(`retrieval.documents.${d}.document.score`, 0.9 - d / 10),
  ]);
  const llm = (s: number, model: string) =>
    span(s, `chat ${model}`, [
      str('gen_ai.operation.name', 'chat'),
      str('gen_ai.provider.name', 'openai'),
      str('gen_ai.request.model', model),
      int('gen_ai.usage.input_tokens', 120 + s),
      int('gen_ai.usage.output_tokens', 30 + s),
      str('gen_ai.output.messages', JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Paris.' }] }])),
    ]);
  return [
    span(0, 'rag.answer', [str('openinference.span.kind', 'CHAIN'), str('input.value', `What is the capital of France? (#${t})`), str('output.value', 'Paris is the capital of France.'), str('user.id', `user-${t % 50}`), str('session.id', `s-${t % 20}`)]),
    span(1, 'vector.search', [str('openinference.span.kind', 'RETRIEVER'), str('input.value', 'capital of France'), ...docs]),
    llm(2, 'gpt-4o-mini'),
    span(3, 'rerank', [str('openinference.span.kind', 'RERANKER'), int('reranker.top_k', 3)]),
    llm(4, 'gpt-4o'),
    ...[5, 6, 7, 8, 9].map((s) => span(s, `execute_tool step_${s}`, [str('gen_ai.operation.name', 'execute_tool'), str('gen_ai.tool.name', `step_${s}`), str('input.value', '{"q": 1}')], 4)),
  ];
}

/** The encoded template request and the offsets of every trace id marker in it. */
function template(): { body: Buffer; offsets: number[] } {
  const now = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: TRACES }, (_v, t) => spansOf(t, now)).flat();
  const req = {
    resourceSpans: [{ resource: { attributes: [str('service.name', 'otlp-bench'), str('telemetry.sdk.language', 'nodejs')] }, scopeSpans: [{ scope: { name: 'bench', version: '1' }, spans }] }],
  };
  const body = Buffer.from(encodeExportRequest(req));
  const offsets: number[] = [];
  for (let i = body.indexOf(MARKER); i >= 0; i = body.indexOf(MARKER, i + 1)) offsets.push(i);
  if (offsets.length !== TRACES * SPANS) throw new Error(`template: found ${offsets.length} trace ids, expected ${TRACES * SPANS}`);
  return { body, offsets };
}

let seq = 0;
/** A copy of the template whose traces are new (the request's sequence number in each trace id). */
function nextBody(t: { body: Buffer; offsets: number[] }): Buffer {
  const b = Buffer.from(t.body);
  const tag = Buffer.alloc(8);
  tag.writeUInt32BE(process.pid, 0);
  tag.writeUInt32BE(++seq, 4);
  for (const o of t.offsets) tag.copy(b, o);
  return b;
}

interface Window {
  ok: number;
  failed: number;
  statuses: Record<string, number>;
  latencies: number[];
}

async function load(url: string, key: string, t: { body: Buffer; offsets: number[] }, seconds: number): Promise<Window> {
  const w: Window = { ok: 0, failed: 0, statuses: {}, latencies: [] };
  const until = Date.now() + seconds * 1000;
  const client = async () => {
    while (Date.now() < until) {
      const body = nextBody(t);
      const t0 = performance.now();
      const r = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf', 'x-api-key': key }, body });
      await r.arrayBuffer();
      w.latencies.push(performance.now() - t0);
      w.statuses[r.status] = (w.statuses[r.status] ?? 0) + 1;
      if (r.status === 200) w.ok++;
      else w.failed++;
    }
  };
  await Promise.all(Array.from({ length: clients }, client));
  return w;
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

async function spansCommitted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('aether_spans_ingested_total '));
  return line ? Number(line.split(' ')[1]) : NaN;
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  cleanupOnSignals();
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const started = new Date();
  const loadBefore = loadavg()[0]!;
  const dataDir = tempDir('aether-bench-otlp-');
  const logDir = tempDir('aether-bench-otlp-logs-');
  const port = await freePort();
  const args = [join(root, 'bin/aether.js'), 'serve', '--no-worker', '--port', String(port), '--data-dir', dataDir];
  const child = spawnNode(args, { cwd: root, env: cleanEnv({ LOG_LEVEL: 'warn' }), logFile: join(logDir, 'aether.log') });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/health/ready`, child);
  const key = (JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { api_key: string }).api_key;
  const t = template();
  console.error(`request: ${TRACES} traces × ${SPANS} spans, ${(t.body.length / 1024).toFixed(0)} KiB protobuf; ${clients} clients`);
  console.error(`warm-up ${warmupS} s…`);
  await load(url, key, t, warmupS);
  const before = await spansCommitted(url);
  console.error(`measuring ${durationS} s…`);
  const cpu0 = cpuSeconds(child.proc.pid);
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  const w = await load(url, key, t, durationS);
  const elapsed = (performance.now() - t0) / 1000;
  const serverCpu = cpuSeconds(child.proc.pid) - cpu0;
  const own = process.cpuUsage(own0);
  const committed = (await spansCommitted(url)) - before;
  await child.stop();
  const spansPerS = round((w.ok * TRACES * SPANS) / elapsed, 0);
  const result = {
    generated_at: started.toISOString(),
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    machine: { node: process.version, platform: `${platform()} ${release()}`, cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, mem_gib: Math.round(totalmem() / 2 ** 30), loadavg_1m_at_start: round(loadBefore) },
    settings: { command: 'node bin/aether.js serve --no-worker (embedded PGlite, fresh data dir)', traces_per_request: TRACES, spans_per_trace: SPANS, request_bytes: t.body.length, clients, warmup_s: warmupS, duration_s: durationS },
    requests_ok: w.ok,
    requests_failed: w.failed,
    status_codes: w.statuses,
    elapsed_s: round(elapsed),
    requests_per_s: round(w.ok / elapsed),
    traces_per_s: round((w.ok * TRACES) / elapsed, 0),
    spans_per_s: spansPerS,
    server_committed_spans: committed,
    latency_ms: summarize(w.latencies),
    // Load-independent view: how much CPU the server needed per span, and how much it got.
    server_cpu_s: round(serverCpu),
    server_cpu_share: round(serverCpu / elapsed),
    spans_per_server_cpu_s: round((w.ok * TRACES * SPANS) / serverCpu, 0),
    client_cpu_s: round((own.user + own.system) / 1e6),
    goal: { target: `≥ ${TARGET.toLocaleString('en-US')} spans/s`, met: spansPerS >= TARGET },
  };
  if (committed < 0.99 * w.ok * TRACES * SPANS) throw new Error(`acknowledged ${w.ok * TRACES * SPANS} spans but the server committed ${committed}`);
  const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
  const md = [
    '# OTLP/HTTP ingestion benchmark',
    '',
    `- ${result.generated_at} · commit ${result.commit.slice(0, 7)}${result.dirty ? ' (uncommitted changes)' : ''}`,
    `- Node ${process.version} · ${result.machine.platform} · ${result.machine.cpus} × ${result.machine.cpu_model ?? 'CPU'} · ${result.machine.mem_gib} GiB · 1-min load average ${result.machine.loadavg_1m_at_start} at start`,
    `- \`aether serve --no-worker\` on embedded PGlite (fresh data dir) · POST /v1/traces, application/x-protobuf, ${TRACES} traces × ${SPANS} spans (${fmt(t.body.length / 1024)} KiB) per request · ${clients} concurrent clients · ${warmupS} s warm-up + ${durationS} s measured`,
    '',
    '| Spans/s | Traces/s | Requests/s | p50 ms | p99 ms | max ms | 200 | other | Server-committed spans | Server CPU (cores) | Spans per server CPU-second |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    `| ${fmt(result.spans_per_s)} | ${fmt(result.traces_per_s)} | ${result.requests_per_s} | ${result.latency_ms.p50} | ${result.latency_ms.p99} | ${result.latency_ms.max} | ${w.ok} | ${w.failed} | ${fmt(committed)} | ${result.server_cpu_share} | ${fmt(result.spans_per_server_cpu_s)} |`,
    '',
    `Goal (issue 7): ${result.goal.target} on PGlite: ${result.goal.met ? '✅ met' : '❌ not met'} (${fmt(result.spans_per_s)} spans/s).`,
    '',
    '## Notes',
    '',
    '- Each request carries new trace ids (the template is encoded once; ids are patched per request), so every span is inserted, not deduplicated.',
    '- Spans carry GenAI and OpenInference attributes (retrieval documents, token usage, messages) and go through the full path: decode, mapping, validation, group commit with evaluation jobs.',
    '- The load generator runs on the same 2 cores as the server; spans/s counts only spans of 200 responses, cross-checked with the server\'s `aether_spans_ingested_total`.',
    '- Server CPU is the `aether serve` process\'s user + system time (main thread and the PGlite worker thread) over the measured window: on a busy machine (see the load average) it gets less than its 2 cores, and spans per server CPU-second depends much less on that (contention still costs some efficiency).',
    '- Where the server\'s CPU goes (profiles of this benchmark): most of it in the PGlite thread running the group-commit INSERT of traces, spans and evaluation jobs (`jsonb_to_recordset` over one JSON parameter); OTLP decoding and mapping to traces take ~10 ms per 1,000 spans on the main thread, validation and serialization of the rows about as much again.',
    '',
  ].join('\n');
  const out = join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'otlp.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(out, 'otlp.md'), md);
  console.log(md);
}

try {
  await main();
} finally {
  await cleanupAll();
}
