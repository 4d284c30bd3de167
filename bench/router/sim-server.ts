// The simulation's supply behind a real `aether serve --no-worker` (embedded PGlite): one local
// OpenAI-compatible mock per model (sim-world.ts), each an `openai-compatible` endpoint with its
// price set, tracing on, and the gateway's added latency measured beside the direct baseline.
// Shared by bench/router/sim.ts and bench/router/added.ts.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { cleanEnv, freePort, spawnNode, tempDir, waitForOk } from '../lib/proc.js';
import { round, summarize } from '../lib/stats.js';
import { MODELS, startMock, type MockServer, type WorldState } from './sim-world.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface SimServer {
  state: WorldState;
  mocks: MockServer[];
  base: string;
  /** Headers for the server's API and gateway (the bootstrap API key). */
  auth: Record<string, string>;
  projectId: string;
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** The server process's CPU time so far (user + system, ms; Linux /proc, 10 ms ticks; NaN elsewhere). */
  serverCpuMs(): number;
}

/** A trace's 0..1 score through POST /api/v1/traces/{id}/feedback; false when it was not taken. */
export async function sendFeedback(s: SimServer, traceId: string, score: number): Promise<boolean> {
  for (let tries = 0; tries < 100; tries++) {
    const r = await s.api('POST', `/api/v1/traces/${traceId}/feedback`, { score });
    if (r.status === 200) return true;
    if (r.status !== 404) return false;
    // The gateway writes its trace a moment after answering: try again shortly.
    await sleep(20);
  }
  return false;
}

/** Start the mocks and the server, price every model and apply the router settings. */
export async function startSimServer(routerSettings: Record<string, unknown>): Promise<SimServer> {
  const state: WorldState = { degrade: new Map(), latencyScale: 1 };
  const mocks: MockServer[] = [];
  for (const [i, m] of MODELS.entries()) mocks.push(await startMock(m, state, 17 + i));
  const endpoint = (id: string) => id.slice(0, id.indexOf('/'));
  const dataDir = tempDir('aether-bench-router-sim-');
  const settingsFile = join(dataDir, 'gateway.json');
  writeFileSync(settingsFile, JSON.stringify({ endpoints: Object.fromEntries(mocks.map((x) => [endpoint(x.model.id), { provider: 'openai-compatible', base_url: `${x.url}/v1`, api_key: 'sk-sim' }])), tracing: { enabled: true } }));
  const port = await freePort();
  const child = spawnNode([join(root, 'bin/aether.js'), '--data-dir', dataDir, 'serve', '--port', String(port), '--no-worker'], {
    cwd: root,
    env: cleanEnv({ LOG_LEVEL: 'warn', AETHER_GATEWAY_CONFIG: settingsFile }),
    logFile: join(dataDir, 'aether.log'),
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForOk(`${base}/health/ready`, child);
  const creds = JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { api_key: string; project_id: string };
  const auth = { authorization: `Bearer ${creds.api_key}`, 'content-type': 'application/json' };
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, { method, headers: auth, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  for (const m of MODELS) {
    const r = await api('PUT', `/api/v1/projects/${creds.project_id}/prices/${encodeURIComponent(m.id)}`, { input_per_mtok: m.inputPerMtok, output_per_mtok: m.outputPerMtok });
    if (r.status !== 200) throw new Error(`price ${m.id}: ${r.status} ${JSON.stringify(r.body)}`);
  }
  if ((await api('PUT', '/api/v1/router/settings', routerSettings)).status !== 200) throw new Error('router settings');
  const serverCpuMs = () => {
    try {
      const f = readFileSync(`/proc/${child.proc.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      return Number.NaN;
    }
  };
  return { state, mocks, base, auth, projectId: creds.project_id, api, serverCpuMs };
}

export interface AddedLatency {
  requests_per_kind: number;
  warmup_per_kind: number;
  named_model: string;
  latency_ms: Record<'direct' | 'named' | 'auto', ReturnType<typeof summarize>>;
  added_ms: { named: { p50: number; p99: number }; auto: { p50: number; p99: number }; routing_only_p50: number };
  /** The server's CPU time per request (named, auto) over the measured blocks. */
  server_cpu_ms_per_request: { named: number; auto: number };
}

/**
 * The gateway's added latency with upstream latency off: one client, sequential (fetch keeps one
 * keep-alive connection per origin), `warmup` requests per kind first, then `n` per kind in
 * interleaved blocks of 100 (direct to the mock → named model → `model: "auto"`).
 */
export async function measureAdded(s: SimServer, prompts: string[], opts: { warmup: number; n: number; onBlock?: () => void }): Promise<AddedLatency> {
  s.state.latencyScale = 0;
  const mini = s.mocks.find((x) => x.model.id === 'sim-oai-mini/gpt-4o-mini')!;
  const body = (model: string, prompt: string) => JSON.stringify({ model, messages: [{ role: 'user', content: prompt }] });
  const kinds = {
    direct: (p: string) => fetch(`${mini.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: 'Bearer sk-sim', 'content-type': 'application/json' }, body: body('gpt-4o-mini', p) }),
    named: (p: string) => fetch(`${s.base}/v1/chat/completions`, { method: 'POST', headers: s.auth, body: body(mini.model.id, p) }),
    auto: (p: string) => fetch(`${s.base}/v1/chat/completions`, { method: 'POST', headers: s.auth, body: body('auto', p) }),
  };
  const samples: Record<keyof typeof kinds, number[]> = { direct: [], named: [], auto: [] };
  const cpu = { direct: 0, named: 0, auto: 0 };
  let j = 0;
  for (const f of Object.values(kinds)) for (let w = 0; w < opts.warmup; w++) await (await f(prompts[j++ % prompts.length]!)).arrayBuffer();
  for (let block = 0; block < opts.n / 100; block++) {
    for (const [k, f] of Object.entries(kinds) as Array<[keyof typeof kinds, (p: string) => Promise<Response>]>) {
      const c0 = s.serverCpuMs();
      for (let x = 0; x < 100; x++) {
        const t = performance.now();
        const r = await f(prompts[j++ % prompts.length]!);
        await r.arrayBuffer();
        if (r.status !== 200) throw new Error(`${k}: HTTP ${r.status}`);
        samples[k].push(performance.now() - t);
      }
      cpu[k] += s.serverCpuMs() - c0;
    }
    opts.onBlock?.();
  }
  const lat = { direct: summarize(samples.direct), named: summarize(samples.named), auto: summarize(samples.auto) };
  const added = (k: 'named' | 'auto') => ({ p50: round(lat[k].p50 - lat.direct.p50, 3), p99: round(lat[k].p99 - lat.direct.p99, 3) });
  return { requests_per_kind: opts.n, warmup_per_kind: opts.warmup, named_model: mini.model.id, latency_ms: lat, added_ms: { named: added('named'), auto: added('auto'), routing_only_p50: round(lat.auto.p50 - lat.named.p50, 3) },
    server_cpu_ms_per_request: { named: round(cpu.named / samples.named.length, 3), auto: round(cpu.auto / samples.auto.length, 3) },
  };
}
