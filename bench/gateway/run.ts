/**
 * Gateway benchmark: the same OpenAI chat request sent directly to a mock upstream, through a bare
 * node:http pass-through proxy (the ceiling of a Node gateway), through Aether
 * as `npm start` runs it (evaluation worker in the process, tracing on), through Aether API-only
 * (`--no-worker`, tracing on and off), and through the Portkey gateway; added latency p50/p99 sequentially and at 50
 * clients, throughput, streaming time-to-first-byte, and Aether's RSS over 100,000 requests.
 * Writes bench/results/gateway.json and gateway.md and prints the Markdown.
 *
 *   npm run build && npx tsx bench/gateway/run.ts
 *
 * Portkey binds every interface, so the whole run re-executes itself in a private network
 * namespace (`unshare -n`, loopback only); without one, Portkey is skipped and the reason recorded.
 * Env: BENCH_SEQ (2000), BENCH_WARMUP_SEQ (3000), BENCH_DURATION_S (10), BENCH_WARMUP_S (3),
 * BENCH_MEMORY_REQUESTS (100000), BENCH_CPU_PROF (a folder for V8 CPU profiles of Aether), BENCH_TARGETS (comma-separated target names to run, e.g.
 * `proxy,aether`; direct, the baseline, always runs; default: all).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { cleanupAll, cleanupOnSignals, cleanupScope } from '../lib/cleanup.js';
import { tempDir } from '../lib/proc.js';
import { concurrent, probe, rssMiB, sequential, type Sequential } from './load.js';
import { added, goals, LABELS, markdown, shareOfDirect, type Memory, type TargetName, type TargetResult } from './report.js';
import { startAether, startPortkey, startProxy, startUpstream, type Target } from './targets.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SEQ = Number(process.env.BENCH_SEQ ?? 2000);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 3);
const MEMORY_REQUESTS = Number(process.env.BENCH_MEMORY_REQUESTS ?? 100_000);
const CLIENTS = 50;
const WARMUP_SEQ = Number(process.env.BENCH_WARMUP_SEQ ?? 3000);
const ONLY = process.env.BENCH_TARGETS ? new Set(process.env.BENCH_TARGETS.split(',').map((s) => s.trim())) : undefined;

/** Re-run this script inside `unshare -n` with loopback up; returns false when that is impossible. */
function reexecInNetns(): { ran: true; status: number } | { ran: false; why: string } {
  const probe = spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return { ran: false, why: `unshare -n is not available here (${probe.error?.message ?? `exit ${probe.status}`}; it needs root or user namespaces)` };
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync('unshare', ['-n', 'sh', '-c', 'ip link set lo up && exec "$0" "$@"', process.execPath, '--import', 'tsx', self], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, BENCH_IN_NETNS: '1' },
  });
  return { ran: true, status: r.status ?? 1 };
}

/** Sequential, streamed and 50-client figures for one target (each kind checked with one request first). */
async function measure(t: Target): Promise<Extract<TargetResult, { status: 'ok' }>> {
  const plain = await probe(t, false);
  if (plain.status !== 200) throw new Error(`${t.name}: a chat request answered HTTP ${plain.status}: ${plain.body}`);
  console.error(`  sequential: ${SEQ} requests on one connection…`);
  const seq = await sequential(t, SEQ, WARMUP_SEQ);
  console.error(`    p50 ${seq.latency_ms.p50} ms, p99 ${seq.latency_ms.p99} ms`);
  const streamed = await probe(t, true);
  let stream: Sequential | { failed: string };
  if (streamed.status === 200) {
    stream = await sequential(t, Math.round(SEQ / 4), 100, true);
    console.error(`  streams: TTFB p50 ${stream.ttfb_ms!.p50} ms, p99 ${stream.ttfb_ms!.p99} ms`);
  } else {
    stream = { failed: `HTTP ${streamed.status} ${streamed.body.replace(/\s+/g, ' ').slice(0, 120)}` };
    console.error(`  streams: not measured, ${stream.failed}`);
  }
  console.error(`  ${CLIENTS} clients: ${WARMUP_S} s warm-up + ${DURATION_S} s…`);
  const conc = await concurrent(t, CLIENTS, DURATION_S, WARMUP_S);
  console.error(`    ${conc.requests_per_s} req/s, p50 ${conc.latency_ms.p50} ms, p99 ${conc.latency_ms.p99} ms, non-2xx ${conc.non_2xx}, errors ${conc.errors}`);
  if (conc.ok_2xx < conc.requests * 0.99) throw new Error(`${t.name}: only ${conc.ok_2xx} of ${conc.requests} responses were 2xx; see ${t.child.logFile}`);
  return { status: 'ok', startup_ms: t.startup_ms, sequential: seq, stream, concurrent: conc, rss_after_load_mib: rssMiB(t.child.proc.pid!) };
}

/** RSS of the target after each tenth of `total` requests at 50 clients, then once its traces are written. */
async function memory(t: Target, total: number): Promise<Memory> {
  const pid = t.child.proc.pid!;
  const rss = [rssMiB(pid)];
  const step = Math.ceil(total / 10);
  let ok = 0;
  let seconds = 0;
  for (let i = 0; i < 10; i++) {
    const r = await concurrent(t, CLIENTS, 0, 0, step);
    ok += r.ok_2xx;
    seconds += r.duration_s;
    rss.push(rssMiB(pid));
  }
  // Wait until the trace count stops moving (the last batches committed).
  let last = -1;
  for (let i = 0; i < 30 && t.counters; i++) {
    await sleep(1000);
    const { traces } = await t.counters();
    if (traces === last) break;
    last = traces;
  }
  const mid = Math.ceil(rss.length / 2);
  return {
    requests: ok,
    rss_mib: rss,
    rss_settled_mib: rssMiB(pid),
    peak_first_half_mib: Math.max(...rss.slice(1, mid)),
    peak_second_half_mib: Math.max(...rss.slice(mid)),
    requests_per_s: Math.round(ok / seconds),
  };
}

async function bench(name: TargetName, start: () => Promise<Target>, withMemory: boolean): Promise<TargetResult> {
  if (ONLY && name !== 'direct' && !ONLY.has(name)) return { status: 'skipped', reason: 'not in BENCH_TARGETS' };
  const teardown = cleanupScope();
  try {
    console.error(`\n▶ ${LABELS[name]}: starting…`);
    const t = await start();
    const r = await measure(t);
    if (withMemory) {
      console.error(`  memory: ${MEMORY_REQUESTS.toLocaleString('en-US')} requests at ${CLIENTS} clients…`);
      r.memory = await memory(t, MEMORY_REQUESTS);
      console.error(`    RSS ${r.memory.rss_mib.join(' → ')} MiB; ${r.memory.rss_settled_mib} MiB settled`);
    }
    if (t.counters) {
      const c = await t.counters();
      r.traces_committed = c.traces;
      r.requests_answered = c.requests;
    }
    return r;
  } finally {
    await teardown();
  }
}

function git(...args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(portkeySkip: string | undefined): Promise<void> {
  cleanupOnSignals();
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const started = new Date();
  const load = loadavg()[0]!.toFixed(2);
  const logDir = tempDir('aether-bench-gw-logs-');
  const upstream = await startUpstream(root, logDir);
  const results = {} as Record<TargetName, TargetResult>;
  results.direct = await bench('direct', async () => upstream, false);
  results.proxy = await bench('proxy', () => startProxy(root, logDir, upstream.url), false);
  results.aether_default = await bench('aether_default', () => startAether(root, logDir, upstream.url, true, true), false);
  results.aether = await bench('aether', () => startAether(root, logDir, upstream.url), MEMORY_REQUESTS > 0);
  results.aether_untraced = await bench('aether_untraced', () => startAether(root, logDir, upstream.url, false), false);
  results.portkey = portkeySkip && (!ONLY || ONLY.has('portkey')) ? { status: 'skipped', reason: portkeySkip } : await bench('portkey', () => startPortkey(root, logDir, upstream.url), false);

  const goalList = goals(results);
  const version = (p: string) => (JSON.parse(readFileSync(join(root, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;
  const cpu = cpus();
  const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
  const header = [
    `${started.toISOString()} · commit ${git('rev-parse', '--short', 'HEAD')}${dirty ? ' (uncommitted changes)' : ''}`,
    `Node ${process.version} · ${platform()} ${release()} · ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'} · ${Math.round(totalmem() / 2 ** 30)} GiB · 1-min load average ${load} at start`,
    `autocannon ${version('autocannon')} · @portkey-ai/gateway ${version('@portkey-ai/gateway')} · ${process.env.BENCH_IN_NETNS ? 'inside a private network namespace (unshare -n)' : 'on the host network'}`,
    `sequential: ${SEQ} requests on one keep-alive connection after ${WARMUP_SEQ} warm-up (JIT); streams: ${Math.round(SEQ / 4)} after 100; 50 clients: ${WARMUP_S} s warm-up + ${DURATION_S} s; memory: ${MEMORY_REQUESTS.toLocaleString('en-US')} requests at 50 clients`,
  ];
  const notes = [
    'Every process (mock upstream, gateways, load generator, PGlite worker) shares the same 2 cores, so absolute figures are low; compare rows of one run.',
    'The mock upstream answers a fixed OpenAI completion (streams: the recorded "Foo!" stream, first record at once, the rest 5 ms later).',
    'The `npm start` row runs `aether serve` with its evaluation worker in the process (what a user meets first), scoring every gateway trace as it is written. The other Aether rows run `aether serve --no-worker` on embedded PGlite. Tracing on: every request becomes a trace with one span per attempt and (default evaluation config, sampling 1.0) an evaluation job, written in batches off the request path by the PGlite worker thread on the same 2 cores. Tracing off shows the gateway alone, as Portkey runs here (headless, no log store).',
    'Portkey runs its published build (`start-server.js --headless`, NODE_ENV=production) with `x-portkey-provider: openai` and the mock as `x-portkey-custom-host`.',
    'Added latency = the gateway’s percentile minus the direct percentile of the same run.',
    'The pass-through proxy row is the most any gateway written in Node can do on these cores: it forwards the bytes over a keep-alive agent and pipes the answer back, with no parsing, validation, routing, accounting or tracing; its share of direct bounds what the issue’s “≥ 25% of direct” can mean here.',
  ];
  const pk = results.portkey;
  if (pk.status === 'ok' && 'failed' in pk.stream) {
    notes.push(`Portkey's streamed answers failed (${pk.stream.failed}); on Node 20 its response service appends headers to an immutable fetch Response (\`TypeError: immutable\`, Portkey-AI/gateway issues #1389 and #1550), so its streaming time to first byte could not be measured.`);
  }
  const md = markdown(header, results, goalList, notes);
  const json = {
    generated_at: started.toISOString(),
    commit: git('rev-parse', 'HEAD'),
    dirty,
    machine: { node: process.version, platform: `${platform()} ${release()}`, cpus: cpu.length, cpu_model: cpu[0]?.model ?? null, loadavg_1m_at_start: Number(load), netns: Boolean(process.env.BENCH_IN_NETNS) },
    settings: { sequential: SEQ, duration_s: DURATION_S, warmup_s: WARMUP_S, clients: CLIENTS, memory_requests: MEMORY_REQUESTS },
    targets: results,
    ratios_vs_direct_50_clients: Object.fromEntries((['proxy', 'aether_default', 'aether', 'aether_untraced', 'portkey'] as const).map((n) => [n, shareOfDirect(results, n)])),
    added: { proxy: added(results, 'proxy'), aether_default: added(results, 'aether_default'), aether: added(results, 'aether'), aether_untraced: added(results, 'aether_untraced'), portkey: added(results, 'portkey') },
    goals: goalList,
  };
  // A partial run (BENCH_TARGETS) is for looking, not for the record: it writes to the temp folder.
  const out = ONLY ? join(tmpdir(), 'aether-bench-gateway-partial') : join(root, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'gateway.json'), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(join(out, 'gateway.md'), md);
  console.log('\n' + md);
  if (ONLY) console.error(`partial run (BENCH_TARGETS): results in ${out}, bench/results left as they were`);
}

let portkeySkip: string | undefined;
if (!process.env.BENCH_IN_NETNS && !process.argv.includes('--host-network')) {
  const r = reexecInNetns();
  if (r.ran) process.exit(r.status);
  portkeySkip = `${r.why}; Portkey binds every interface, so it is not started outside a private namespace`;
  console.error(`${portkeySkip}: running on the host network without Portkey`);
} else if (!process.env.BENCH_IN_NETNS) {
  portkeySkip = 'run with --host-network: Portkey binds every interface, so it is not started outside a private namespace';
}

try {
  await main(portkeySkip);
} catch (e) {
  console.error(`\nbenchmark failed: ${(e as Error).stack ?? String(e)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
