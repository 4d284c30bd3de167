// The simulated supply and workload for bench/router/sim.ts: five models with real list prices,
// log-normal latencies and per-task accuracy, each behind its own OpenAI-compatible HTTP server
// (real `chat.completion` bodies with `usage`), and prompts of five task types from templates.
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';

export const TASKS = ['extraction', 'summarization', 'qa', 'code', 'math'] as const;
export type Task = (typeof TASKS)[number];

export interface SimModel {
  /** `endpoint/model` as the gateway routes it. */
  id: string;
  /** USD per million tokens (list prices from shared/data/model_prices.json). */
  inputPerMtok: number;
  outputPerMtok: number;
  /** Median latency (ms) for a 100-token answer; log-normal spread. */
  p50Ms: number;
  sigma: number;
  /** Probability of a correct answer per task type. */
  accuracy: Record<Task, number>;
}

export const MODELS: SimModel[] = [
  { id: 'sim-groq/llama-3.1-8b-instant', inputPerMtok: 0.05, outputPerMtok: 0.08, p50Ms: 40, sigma: 0.25, accuracy: { extraction: 0.93, summarization: 0.85, qa: 0.8, code: 0.4, math: 0.3 } },
  { id: 'sim-oai-mini/gpt-4o-mini', inputPerMtok: 0.15, outputPerMtok: 0.6, p50Ms: 90, sigma: 0.3, accuracy: { extraction: 0.96, summarization: 0.94, qa: 0.9, code: 0.7, math: 0.62 } },
  { id: 'sim-haiku/claude-3-5-haiku-20241022', inputPerMtok: 0.8, outputPerMtok: 4, p50Ms: 130, sigma: 0.3, accuracy: { extraction: 0.96, summarization: 0.95, qa: 0.91, code: 0.82, math: 0.7 } },
  { id: 'sim-oai/gpt-4o', inputPerMtok: 2.5, outputPerMtok: 10, p50Ms: 180, sigma: 0.35, accuracy: { extraction: 0.97, summarization: 0.95, qa: 0.94, code: 0.92, math: 0.9 } },
  { id: 'sim-sonnet/claude-3-5-sonnet-20241022', inputPerMtok: 3, outputPerMtok: 15, p50Ms: 280, sigma: 0.35, accuracy: { extraction: 0.97, summarization: 0.96, qa: 0.95, code: 0.95, math: 0.91 } },
];

/** Answer length per task type (completion tokens). */
export const OUTPUT_TOKENS: Record<Task, number> = { extraction: 60, summarization: 40, qa: 20, code: 200, math: 80 };

/** A seeded uniform generator (Park–Miller). */
export function rng(seed: number): () => number {
  let s = seed % 2147483647 || 1;
  return () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
}

const WORDS = 'invoice river budget engine garden protocol harbor ledger signal orbit canvas meadow cipher quartz lantern summit copper falcon velvet prairie beacon mosaic tundra ember glacier pepper saddle thimble walnut zephyr'.split(' ');
const NAMES = 'Alice Bruno Chen Dana Elif Farid Greta Hiro Ines Jonas Kemal Lena Mateo Nora Omar Priya'.split(' ');

/** A prompt of the given task type; the same (task, i) always gives the same prompt. */
export function promptFor(task: Task, i: number): string {
  const r = rng(1000 + i * 7 + TASKS.indexOf(task));
  const w = () => WORDS[Math.floor(r() * WORDS.length)]!;
  const n = () => NAMES[Math.floor(r() * NAMES.length)]!;
  const k = () => 2 + Math.floor(r() * 97);
  switch (task) {
    case 'extraction':
      return `Extract the fields name, date and amount as JSON from this note: "${n()} paid ${k()} EUR for the ${w()} ${w()} on 2026-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}, ref ${w()}-${k()}."`;
    case 'summarization':
      return `Summarize in one sentence: The ${w()} team reviewed the ${w()} plan with ${n()}. They agreed the ${w()} ${w()} needs ${k()} more days, the ${w()} budget stays, and ${n()} will report on the ${w()} next week.`;
    case 'qa':
      return `Answer briefly: who manages the ${w()} ${w()} project that ${n()} started in ${1990 + k()}?`;
    case 'code':
      return `Write a Python function \`${w()}_${w()}(items)\` that returns the ${k()} largest ${w()} values of a list, with a docstring and a unit test.`;
    case 'math':
      return `Solve for x and give the value: ${k()}x + ${k()} = ${k() * 10}. Then compute the probability that x exceeds ${k()}.`;
  }
}

/** Mutable world state the bench changes half-way (a model's accuracy drops) and at the end (latency off). */
export interface WorldState {
  /** Accuracy multiplier per model id. */
  degrade: Map<string, number>;
  /** Latency multiplier (0 for the overhead measurement). */
  latencyScale: number;
}

/** The task and expected answer of a prompt, registered by the bench as it generates the workload. */
export const registry = new Map<string, { task: Task; answer: string }>();

export interface MockServer {
  model: SimModel;
  url: string;
  server: Server;
  requests: number;
}

/** Start one OpenAI-compatible server for `m` on an ephemeral port. */
export async function startMock(m: SimModel, state: WorldState, seed: number): Promise<MockServer> {
  const r = rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r());
  const mock: MockServer = { model: m, url: '', server: undefined as unknown as Server, requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      mock.requests++;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { messages: Array<{ role: string; content: string }> };
      const prompt = body.messages.filter((x) => x.role === 'user').at(-1)?.content ?? '';
      const known = registry.get(prompt) ?? { task: 'qa' as Task, answer: 'unknown' };
      const acc = m.accuracy[known.task] * (state.degrade.get(m.id) ?? 1);
      const correct = r() < acc;
      const out = OUTPUT_TOKENS[known.task];
      const content = correct ? `ANSWER: ${known.answer}` : `ANSWER: not-${known.answer}`;
      const payload = JSON.stringify({
        id: `chatcmpl-sim-${mock.requests}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: m.id.slice(m.id.indexOf('/') + 1),
        choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: Math.ceil(prompt.length / 4) + 4, completion_tokens: out, total_tokens: Math.ceil(prompt.length / 4) + 4 + out },
      });
      const delay = state.latencyScale * m.p50Ms * (0.5 + out / 200) * Math.exp(m.sigma * normal());
      const send = () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
        res.end(payload);
      };
      if (delay >= 1) setTimeout(send, delay);
      else send();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const addr = server.address() as { port: number };
  mock.url = `http://127.0.0.1:${addr.port}`;
  mock.server = server;
  return mock;
}

/** USD of a call: the mock's usage at the model's price. */
export const callCost = (m: SimModel, promptTokens: number, completionTokens: number) => (promptTokens * m.inputPerMtok + completionTokens * m.outputPerMtok) / 1e6;

/** The p95 (ms) of a model's mock latency for a task (the log-normal the mock draws from). */
export const latencyP95 = (m: SimModel, task: Task) => m.p50Ms * (0.5 + OUTPUT_TOKENS[task] / 200) * Math.exp(1.645 * m.sigma);

/** One request as the oracle sees it: its task, prompt tokens, SLO headers and the models' true accuracy then. */
export interface OracleRequest {
  task: Task;
  promptTokens: number;
  slo: { maxLatencyMs?: number; maxCostUsd?: number; minQuality?: number };
  /** Accuracy multiplier per model id at the time of the request (the degraded model's drop). */
  degrade: ReadonlyMap<string, number>;
}

/**
 * The world's ceiling: an oracle that knows every model's true accuracy per task (and when one
 * degrades) assigns each request the model that minimises cost − λ·accuracy among those meeting its
 * SLO headers (cost exactly, quality floor on the true accuracy, latency by the mock's p95), with the
 * smallest λ (bisection) whose mean accuracy reaches `targetQuality`. This Lagrangian assignment is
 * the least-cost one at that mean accuracy up to one request's worth.
 */
export function oracleCeiling(reqs: OracleRequest[], targetQuality: number): { cost_usd: number; quality: number; lambda: number } {
  const options = reqs.map((r) => {
    const all = MODELS.map((m) => ({ cost: callCost(m, r.promptTokens, OUTPUT_TOKENS[r.task]), q: m.accuracy[r.task] * (r.degrade.get(m.id) ?? 1), p95: latencyP95(m, r.task) }));
    const ok = all.filter((o) => (r.slo.maxCostUsd === undefined || o.cost <= r.slo.maxCostUsd) && (r.slo.minQuality === undefined || o.q >= r.slo.minQuality) && (r.slo.maxLatencyMs === undefined || o.p95 <= r.slo.maxLatencyMs));
    return ok.length ? ok : [all.reduce((a, b) => (b.q > a.q ? b : a))];
  });
  const assign = (lambda: number) => {
    let cost = 0;
    let q = 0;
    for (const opts of options) {
      let best = opts[0]!;
      for (const o of opts) if (o.cost - lambda * o.q < best.cost - lambda * best.q) best = o;
      cost += best.cost;
      q += best.q;
    }
    return { cost_usd: cost, quality: q / Math.max(1, reqs.length), lambda };
  };
  let lo = 0;
  let hi = 1;
  while (assign(hi).quality < targetQuality && hi < 1e3) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (assign(mid).quality >= targetQuality) hi = mid;
    else lo = mid;
  }
  return assign(hi);
}
