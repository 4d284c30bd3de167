// Property-based fuzzing of every write and read endpoint against a real server on PGlite (issue 17).
// For each endpoint, fast-check generates bodies, headers, paths and query strings that mix
// valid-shaped values (from the real schemas) with hostile ones, and every answer is held to:
// no 5xx (gateway routes may pass on an upstream's 502/503/504), no uncaught exception in the
// server, /health quick while a request is slow, every 2xx write readable back, and every clean
// (valid, authenticated) write accepted, alone or next to bad neighbours.
//
// Bounded by time: FUZZ_TIME_S (default 45; ~60 s with boot) is shared across endpoints by weight,
// plus FUZZ_SHRINK_S (4) per failing endpoint to finish shrinking. On failure the
// seed, the counterexample path and the shrunk request are printed. Replay or go longer with
//   FUZZ_SEED=<seed> FUZZ_ONLY='<endpoint>' FUZZ_PATH='<path>' npx tsx scripts/run-tests.ts test/fuzz.test.ts
//   FUZZ_RUNS=2000 FUZZ_TIME_S=600 npx tsx scripts/run-tests.ts test/fuzz.test.ts
// FUZZ_WORKER=true runs the evaluation worker in the same process; FUZZ_HEALTH_MS (1000) is the /health limit.
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { Stats, type Ctx } from './fuzz/check.js';
import { allEndpoints } from './fuzz/endpoints/index.js';
import { startFuzzServer, Violation } from './fuzz/harness.js';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const RUNS = Number(process.env.FUZZ_RUNS ?? 0);
const TIME_MS = Number(process.env.FUZZ_TIME_S ?? 45) * 1000;
const SHRINK_MS = Number(process.env.FUZZ_SHRINK_S ?? 4) * 1000;
const ONLY = process.env.FUZZ_ONLY;
const PATH = process.env.FUZZ_PATH;
const HEALTH_MS = Number(process.env.FUZZ_HEALTH_MS ?? 1000);

// The evaluation worker stays off unless asked: on a 2-core CI it would take most of the budget.
const s = await startFuzzServer({ AETHER_WORKER: process.env.FUZZ_WORKER ?? 'false' });
const endpoints = (await allEndpoints(s)).filter((e) => !ONLY || e.name === ONLY || e.name.includes(ONLY));
const totalWeight = endpoints.reduce((n, e) => n + e.weight, 0);
const stats = new Stats();
const ctx: Ctx = { s, stats, healthLimitMs: HEALTH_MS };
const clip = (t: string, n = 4000) => (t.length > n ? `${t.slice(0, n)}…(${t.length} chars)` : t);

describe(`fuzz (seed ${SEED}, ${Math.round(TIME_MS / 1000)} s over ${endpoints.length} endpoints)`, () => {
  after(async () => {
    console.log(`fuzz: seed ${SEED}, ${stats.total} requests\n${JSON.stringify(stats.toJSON(), null, 1)}`);
    await s.close();
  });

  for (const e of endpoints) {
    it(e.name, async (t) => {
      const budget = Math.max(300, (TIME_MS * e.weight) / totalWeight);
      await s.settle(); // runs of the previous endpoint cut off by its time limit may still be in flight
      const before = stats.total;
      const crashesBefore = s.crashes.length;
      const property = fc.asyncProperty(e.arb, (input) => e.run(ctx, input));
      const check = (path: string | undefined, ms: number | undefined, numRuns = RUNS || 100_000) =>
        fc.check(property, { seed: SEED, ...(path ? { path } : {}), numRuns, ...(ms ? { plugins: [fc.interruptAfterTimeLimit(ms)] } : {}) });
      let details = await check(PATH, budget);
      // A slow machine can use up the budget inside the first run: then check exactly one, untimed.
      if (details.failed && details.counterexample === null && details.errorInstance === null) {
        details = await check(PATH, undefined, 1);
      }
      // Shrinking that ran out of the run budget resumes from where it stopped, for a readable counterexample.
      if (details.failed && details.interrupted && details.counterexamplePath) {
        const more = await check(details.counterexamplePath, SHRINK_MS);
        if (more.failed) details = { ...more, numRuns: details.numRuns, numShrinks: details.numShrinks + more.numShrinks };
      }
      await s.settle();
      const health = await s.send({ method: 'GET', path: '/health', headers: {} }, 10_000);
      t.diagnostic(`${details.numRuns} runs, ${stats.total - before} requests${details.failed ? `, ${details.numShrinks} shrinks` : ''}`);
      if (details.failed) {
        const err = details.errorInstance;
        const why = err instanceof Violation ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
        throw new Error(
          `fuzz failure on ${e.name} after ${details.numRuns} runs, ${details.numShrinks} shrinks${details.interrupted ? ' (shrinking cut short by the time budget)' : ''}\n` +
            `replay: FUZZ_SEED=${details.seed} FUZZ_ONLY='${e.name}' FUZZ_PATH='${details.counterexamplePath}' npx tsx scripts/run-tests.ts test/fuzz.test.ts\n` +
            `${clip(why)}\ncounterexample: ${clip(fc.stringify(details.counterexample), 2000)}`,
        );
      }
      if (s.crashes.length > crashesBefore) throw new Error(`uncaught in the server outside any request: ${s.crashes.at(-1)?.stack}`);
      if (health.status !== 200 || health.ms > HEALTH_MS) throw new Error(`/health after the runs: ${health.status} in ${Math.round(health.ms)} ms`);
    });
  }
});
