/**
 * Fuzz measurement (issue 17, "Done when"): 10,000 generated requests over every endpoint of a real
 * server on embedded PGlite, from the same generators and checks as test/fuzz.test.ts, without
 * stopping at the first failure. Counts status codes per endpoint, 500s, crashes (uncaught
 * exceptions in the server: `aether serve` would exit), lost writes, valid data turned away and
 * event-loop blocks, and keeps the shortest example of each distinct failure.
 * Writes bench/results/fuzz.json and fuzz.md and prints the Markdown.
 *
 *   npm run fuzz
 *
 * Env: FUZZ_REQUESTS (10000), FUZZ_SEED (random), FUZZ_LANES (4 concurrent clients; failures that
 * need attributing — crashes, blocked /health — are replayed alone to confirm), FUZZ_MAX_S (230,
 * a time guard that stops early and says so; replays get 40 s more), FUZZ_WORKER (false: the evaluation worker stays off).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { Stats, type Ctx, type Endpoint } from '../../test/fuzz/check.js';
import { allEndpoints } from '../../test/fuzz/endpoints/index.js';
import { startFuzzServer, Violation } from '../../test/fuzz/harness.js';
import { markdown, type Failure, type FuzzReport } from './report.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 10_000);
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const LANES = Number(process.env.FUZZ_LANES ?? 4);
const MAX_MS = Number(process.env.FUZZ_MAX_S ?? 230) * 1000;
const WORKER = process.env.FUZZ_WORKER ?? 'false';

const load = loadavg()[0]!;
const t0 = Date.now();
const s = await startFuzzServer({ AETHER_WORKER: WORKER });
const endpoints = await allEndpoints(s);
console.error(`server up in ${Math.round((Date.now() - t0) / 1000)} s`);
const stats = new Stats();
const failures = new Map<string, Failure>();
const ctx: Ctx = { s, stats, healthLimitMs: 1000 };
const suspects: Array<{ e: Endpoint<unknown>; input: unknown; v: Violation }> = [];

/** One class per endpoint, kind, status and server-side cause (ids and numbers folded). */
let unattributed = 0;
function record(endpoint: string, v: Violation, confirmed = true): void {
  if (!confirmed) {
    unattributed++; // seen with other requests in flight, gone when replayed alone: the culprit is recorded on its own
    return;
  }
  const first = v.message.split('\n')[0]!;
  const cause = (v.kind === 'crash' ? first.split(' | ')[0]! : first).replace(/"[^"]{12,}"/g, '"…"').replace(/\d{3,}/g, 'N').slice(0, 240);
  const key = `${endpoint} | ${cause}`;
  const example = v.message.split('\n').slice(1).join('\n');
  const f = failures.get(key);
  if (!f) failures.set(key, { endpoint, kind: v.kind, cause, count: 1, confirmed, example });
  else {
    f.count++;
    if (example.length < f.example.length) f.example = example;
  }
}

// Inputs per endpoint in proportion to its weight, generated in rounds as the lanes need them and
// interleaved so reads meet what hostile writes left behind.
const totalWeight = endpoints.reduce((n, e) => n + e.weight, 0);
const ROUNDS = 20;
const perRound = endpoints.map((e) => Math.max(1, Math.ceil((REQUESTS * e.weight) / totalWeight / ROUNDS)));
const work: Array<{ e: Endpoint<unknown>; input: unknown }> = [];
let round = 0;
function refill(): void {
  if (round >= ROUNDS * 2) return; // concurrent targets send several requests per input; twice the rounds is plenty
  const batches = endpoints.map((e, i) => fc.sample(e.arb, { seed: SEED + i * 1000 + round, numRuns: perRound[i]! }).map((input) => ({ e, input })));
  for (let j = 0; batches.some((b) => j < b.length); j++) for (const b of batches) if (j < b.length) work.push(b[j]!);
  round++;
}
let sent = 0;
const timeByEndpoint = new Map<string, number>();
let stoppedEarly = false;
const fuzzRequests = () => stats.total - [...stats.byEndpoint].filter(([k]) => k.includes('(read-back)')).reduce((n, [, m]) => n + [...m.values()].reduce((a, b) => a + b, 0), 0);

async function lane(): Promise<void> {
  for (;;) {
    if (work.length === 0) refill();
    const item = work.shift();
    if (!item || fuzzRequests() >= REQUESTS) return;
    if (Date.now() - t0 > MAX_MS) {
      stoppedEarly = true;
      return;
    }
    const started = performance.now();
    try {
      await item.e.run(ctx, item.input);
    } catch (e) {
      const v = e instanceof Violation ? e : new Violation('status', `checker threw: ${(e as Error).message}`);
      // With several lanes a crash or a blocked loop cannot be pinned on one request: replay it alone.
      if (LANES > 1 && (v.kind === 'crash' || v.kind === 'health' || v.kind === 'no-answer')) suspects.push({ ...item, v });
      else record(item.e.name, v);
    }
    sent++;
    timeByEndpoint.set(item.e.name, (timeByEndpoint.get(item.e.name) ?? 0) + performance.now() - started);
    if (sent % 1000 === 0) console.error(`… ${fuzzRequests()} requests, ${failures.size} failure classes, ${Math.round((Date.now() - t0) / 1000)} s`);
  }
}
await Promise.all(Array.from({ length: LANES }, lane));
console.error(`lanes done at ${Math.round((Date.now() - t0) / 1000)} s; endpoint time ${Math.round([...timeByEndpoint.values()].reduce((a, b) => a + b, 0) / 1000)} s`);
await s.settle();
for (const item of suspects) {
  if (Date.now() - t0 > MAX_MS + 40_000) {
    unattributed++;
    continue;
  }
  // A streamed answer can throw after its request returned: let the previous replay finish first.
  await s.settle();
  await new Promise((ok) => setTimeout(ok, 250));
  try {
    await item.e.run(ctx, item.input);
    record(item.e.name, item.v, false);
  } catch (e) {
    record(item.e.name, e instanceof Violation ? e : item.v, true);
  }
}
const total = fuzzRequests();
const statuses = new Map<string, number>();
for (const [, m] of stats.byEndpoint) for (const [st, n] of m) statuses.set(String(st), (statuses.get(String(st)) ?? 0) + n);
const count = (kind: Failure['kind']) => [...failures.values()].filter((f) => f.kind === kind).reduce((n, f) => n + f.count, 0);
let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
} catch {
  // not a git checkout
}
const report: FuzzReport = {
  date: new Date().toISOString(),
  commit,
  machine: `Node ${process.version} · ${platform()} ${release()} · ${cpus().length} × ${cpus()[0]?.model.split(' ').slice(0, 2).join(' ')} · 1-min load average ${load.toFixed(2)} at start`,
  seed: SEED,
  lanes: LANES,
  worker: WORKER === 'true',
  requested: REQUESTS,
  requests: total,
  readBacks: stats.total - total,
  endpoints: endpoints.length,
  seconds: Math.round((Date.now() - t0) / 1000),
  stoppedEarly,
  statuses: Object.fromEntries([...statuses].sort()),
  totals: { status5xx: count('status'), crashes: count('crash'), lostWrites: count('lost-write'), rejectedValid: count('rejected-valid'), healthBlocks: count('health'), noAnswer: count('no-answer'), leaks: count('leak') },
  suspectsReplayed: suspects.length,
  unattributed,
  byEndpoint: stats.toJSON(),
  failures: [...failures.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint) || b.count - a.count),
};
if (process.env.FUZZ_PROFILE) console.error([...timeByEndpoint].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([e, ms]) => `${Math.round(ms)} ms  ${e}`).join('\n'));
await s.close();
const outDir = join(root, 'bench/results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'fuzz.json'), `${JSON.stringify(report, null, 2)}\n`);
const md = markdown(report);
writeFileSync(join(outDir, 'fuzz.md'), md);
console.log(md);
process.exit(0);
