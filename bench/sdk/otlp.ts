/**
 * OTLP/HTTP ingestion throughput: spans/s that Aether on embedded PGlite commits from OTLP/protobuf
 * ExportTraceServiceRequests (100 traces × 10 GenAI/OpenInference spans each) posted by several
 * concurrent clients, first as `npm start` runs it (`aether serve` with its evaluation worker), then
 * API-only (`--no-worker`), each beside a bare node:http server that reads the same requests and
 * answers 200 (the ceiling), in the same run. Target (issue 15): ≥ 20,000 spans/s on PGlite.
 * Writes bench/results/otlp.json and bench/results/otlp.md and prints the Markdown.
 *
 *   npm run build && npx tsx bench/sdk/otlp.ts
 *
 * Env: BENCH_DURATION_S (15), BENCH_WARMUP_S (3), BENCH_CLIENTS (6). Three targets: ~1.5 min in all.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeExportRequest } from '../../src/ingest/index.js';
import { runBench, cleanupOnSignals, cleanupScope } from '../lib/cleanup.js';
import { writeResults } from '../lib/results.js';
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

type TargetName = 'bare' | 'pglite_default' | 'pglite';
const LABELS: Record<TargetName, string> = {
  bare: 'bare node:http (ceiling: reads the body, answers 200)',
  pglite_default: 'Aether · `npm start` defaults (aether serve with its evaluation worker, embedded PGlite)',
  pglite: 'Aether · embedded PGlite (API only, --no-worker)',
};

/** Start one target on a fresh data dir, warm it up, measure it, stop it. */
async function bench(name: TargetName, t: { body: Buffer; offsets: number[] }, logDir: string) {
  const teardown = cleanupScope();
  try {
    console.error(`\n▶ ${LABELS[name]}: starting…`);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let key = 'unused';
    let child;
    if (name === 'bare') {
      child = spawnNode(['--import', 'tsx', join(root, 'bench/ingest/bare-server.ts'), '--port', String(port)], { cwd: root, env: cleanEnv({}), logFile: join(logDir, 'bare.log') });
      await waitForOk(`${url}/health/ready`, child);
    } else {
      const dataDir = tempDir('aether-bench-otlp-');
      const args = [join(root, 'bin/aether.js'), 'serve', ...(name === 'pglite' ? ['--no-worker'] : []), '--port', String(port), '--data-dir', dataDir];
      // The `npm start` row keeps every default, its access log included; the API-only row logs warnings only.
      child = spawnNode(args, { cwd: root, env: cleanEnv(name === 'pglite' ? { LOG_LEVEL: 'warn' } : {}), logFile: join(logDir, `${name}.log`) });
      await waitForOk(`${url}/health/ready`, child);
      key = (JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { api_key: string }).api_key;
    }
    const counted = name !== 'bare';
    console.error(`  warm-up ${warmupS} s, then ${durationS} s measured…`);
    await load(url, key, t, warmupS);
    const before = counted ? await spansCommitted(url) : 0;
    const cpu0 = cpuSeconds(child.proc.pid);
    const t0 = performance.now();
    const w = await load(url, key, t, durationS);
    const elapsed = (performance.now() - t0) / 1000;
    const serverCpu = cpuSeconds(child.proc.pid) - cpu0;
    const committed = counted ? (await spansCommitted(url)) - before : null;
    await child.stop();
    const spans = w.ok * TRACES * SPANS;
    if (committed !== null && committed < 0.99 * spans) throw new Error(`${name}: acknowledged ${spans} spans but the server committed ${committed}`);
    const r = {
      requests_ok: w.ok,
      requests_failed: w.failed,
      status_codes: w.statuses,
      elapsed_s: round(elapsed),
      requests_per_s: round(w.ok / elapsed),
      traces_per_s: round((w.ok * TRACES) / elapsed, 0),
      spans_per_s: round(spans / elapsed, 0),
      server_committed_spans: committed,
      latency_ms: summarize(w.latencies),
      // Load-independent view: how much CPU the server needed per span, and how much it got.
      server_cpu_s: round(serverCpu),
      server_cpu_share: round(serverCpu / elapsed),
      spans_per_server_cpu_s: round(spans / serverCpu, 0),
    };
    console.error(`    ${r.spans_per_s} spans/s, p50 ${r.latency_ms.p50} ms, p99 ${r.latency_ms.p99} ms, ${w.failed} failed`);
    return r;
  } finally {
    await teardown();
  }
}

async function main(): Promise<void> {
  cleanupOnSignals();
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const started = new Date();
  const loadBefore = loadavg()[0]!;
  const logDir = tempDir('aether-bench-otlp-logs-');
  const t = template();
  console.error(`request: ${TRACES} traces × ${SPANS} spans, ${(t.body.length / 1024).toFixed(0)} KiB protobuf; ${clients} clients`);
  const own0 = process.cpuUsage();
  const bare = await bench('bare', t, logDir);
  const targets = { bare, pglite_default: await bench('pglite_default', t, logDir), pglite: await bench('pglite', t, logDir) };
  const own = process.cpuUsage(own0);
  const share = (n: TargetName) => round(targets[n].spans_per_s / bare.spans_per_s, 3);
  const result = {
    generated_at: started.toISOString(),
    commit: git('rev-parse', 'HEAD'),
    dirty: git('status', '--porcelain', '--untracked-files=no') !== '',
    machine: { node: process.version, platform: `${platform()} ${release()}`, cpus: cpus().length, cpu_model: cpus()[0]?.model ?? null, mem_gib: Math.round(totalmem() / 2 ** 30), loadavg_1m_at_start: round(loadBefore) },
    settings: { targets: LABELS, traces_per_request: TRACES, spans_per_trace: SPANS, request_bytes: t.body.length, clients, warmup_s: warmupS, duration_s: durationS },
    targets,
    ratios: { pglite_default_vs_bare: share('pglite_default'), pglite_vs_bare: share('pglite'), pglite_default_vs_pglite: round(targets.pglite_default.spans_per_s / targets.pglite.spans_per_s, 3) },
    client_cpu_s: round((own.user + own.system) / 1e6),
    goals: (['pglite_default', 'pglite'] as const).map((n) => ({ goal: `${LABELS[n]}: OTLP spans/s`, target: `≥ ${TARGET.toLocaleString('en-US')} spans/s`, measured: targets[n].spans_per_s, met: targets[n].spans_per_s >= TARGET })),
  };
  const fmt = (v: number) => Math.round(v).toLocaleString('en-US');
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  const rows = (Object.keys(LABELS) as TargetName[]).map((n) => {
    const r = targets[n];
    return `| ${LABELS[n]} | ${fmt(r.spans_per_s)} | ${n === 'bare' ? '100%' : pct(share(n))} | ${fmt(r.traces_per_s)} | ${r.requests_per_s} | ${r.latency_ms.p50} | ${r.latency_ms.p99} | ${r.latency_ms.max} | ${r.requests_ok} | ${r.requests_failed} | ${r.server_committed_spans === null ? '–' : fmt(r.server_committed_spans)} | ${r.server_cpu_share} | ${fmt(r.spans_per_server_cpu_s)} |`;
  });
  const md = [
    '# OTLP/HTTP ingestion benchmark',
    '',
    `- ${result.generated_at} · commit ${result.commit.slice(0, 7)}${result.dirty ? ' (uncommitted changes)' : ''}`,
    `- Node ${process.version} · ${result.machine.platform} · ${result.machine.cpus} × ${result.machine.cpu_model ?? 'CPU'} · ${result.machine.mem_gib} GiB · 1-min load average ${result.machine.loadavg_1m_at_start} at start`,
    `- POST /v1/traces, application/x-protobuf, ${TRACES} traces × ${SPANS} spans (${fmt(t.body.length / 1024)} KiB) per request · ${clients} concurrent clients · per target (each on a fresh data dir): ${warmupS} s warm-up (discarded) + ${durationS} s measured`,
    '',
    '| Target | Spans/s | vs bare | Traces/s | Requests/s | p50 ms | p99 ms | max ms | 200 | other | Server-committed spans | Server CPU (cores) | Spans per server CPU-second |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    '## Goals (issue 15)',
    '',
    '| Goal | Target | Measured | Result |',
    '| --- | --- | --- | --- |',
    ...result.goals.map((g) => `| ${g.goal} | ${g.target} | ${fmt(g.measured)} spans/s | ${g.met ? '✅ met' : '❌ not met'} |`),
    '',
    '## Notes',
    '',
    '- The `npm start` row is what a user meets first: the evaluation worker runs in the same process and scores every trace as it arrives; `--no-worker` is an API-only process.',
    '- The bare server reads each request body and answers 200 with an empty body; it decodes nothing, so it is the HTTP ceiling of this load generator on this machine, not a fair OTLP receiver.',
    '- Each request carries new trace ids (the template is encoded once; ids are patched per request), so every span is inserted, not deduplicated.',
    '- Spans carry GenAI and OpenInference attributes (retrieval documents, token usage, messages) and go through the full path: decode, mapping, validation, group commit with evaluation jobs.',
    '- The load generator runs on the same 2 cores as the server; spans/s counts only spans of 200 responses, cross-checked with the server\'s `aether_spans_ingested_total`.',
    '- Server CPU is the server process\'s user + system time (all its threads) over the measured window: on a busy machine (see the load average) it gets less than its 2 cores, and spans per server CPU-second depends much less on that (contention still costs some efficiency).',
    '',
  ].join('\n');
  writeResults('otlp', result, md);
}

await runBench(main);
