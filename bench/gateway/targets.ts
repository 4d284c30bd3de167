import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, freePort, spawnNode, tempDir, waitForOk, type Child } from '../lib/proc.js';
import type { Endpoint } from './load.js';

export interface Target extends Endpoint {
  name: string;
  startup_ms: number;
  child: Child;
  /** Aether's Prometheus counters: traces committed, gateway requests answered. */
  counters?: () => Promise<{ traces: number; requests: number }>;
}

/** Sum of the Prometheus samples of `metric` whose labels include `label`. */
const sum = (text: string, metric: string, label = '') =>
  text
    .split('\n')
    .filter((l) => (l.startsWith(`${metric} `) || l.startsWith(`${metric}{`)) && l.includes(label))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

const chatBody = (model: string, stream: boolean) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 32, ...(stream ? { stream: true } : {}) });

/** The mock upstream, in its own process. */
export async function startUpstream(root: string, logDir: string): Promise<Target> {
  const port = await freePort();
  const t0 = Date.now();
  const child = spawnNode(['--import', 'tsx', join(root, 'bench/gateway/upstream.ts'), '--port', String(port)], { cwd: root, env: cleanEnv({}), logFile: join(logDir, 'upstream.log') });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/`, child);
  return { name: 'direct', url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sk-bench' }, body: chatBody('gpt-4o-mini', false), streamBody: chatBody('gpt-4o-mini', true), startup_ms: Date.now() - t0, child };
}

/** A bare node:http pass-through proxy in front of the upstream: the ceiling of a Node gateway. */
export async function startProxy(root: string, logDir: string, upstreamUrl: string): Promise<Target> {
  const port = await freePort();
  const t0 = Date.now();
  const child = spawnNode(['--import', 'tsx', join(root, 'bench/gateway/proxy.ts'), '--port', String(port), '--upstream', upstreamUrl], { cwd: root, env: cleanEnv({}), logFile: join(logDir, 'proxy.log') });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/`, child);
  return { name: 'proxy', url, path: '/v1/chat/completions', headers: { authorization: 'Bearer sk-bench' }, body: chatBody('gpt-4o-mini', false), streamBody: chatBody('gpt-4o-mini', true), startup_ms: Date.now() - t0, child };
}

/**
 * `aether serve` on a fresh embedded store, its OpenAI provider pointed at the upstream; tracing on
 * unless told; `--no-worker` unless `worker` (the `npm start` default: evaluation worker in the process).
 */
export async function startAether(root: string, logDir: string, upstreamUrl: string, tracing = true, worker = false): Promise<Target> {
  const dataDir = tempDir('aether-bench-gw-');
  const port = await freePort();
  const settings = join(dataDir, 'gateway.json');
  writeFileSync(settings, JSON.stringify({ tracing: { enabled: tracing } }));
  const t0 = Date.now();
  // BENCH_CPU_PROF=<dir>: write V8 CPU profiles of Aether (one per thread) there, for scripts/cpuprofile-summary.ts.
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_CPU_PROF] : [];
  const child = spawnNode([...prof, join(root, 'bin/aether.js'), '--data-dir', dataDir, 'serve', '--port', String(port), ...(worker ? [] : ['--no-worker'])], {
    cwd: root,
    // The `npm start` row keeps the default log level (an access-log line per request); the others log warnings only.
    env: cleanEnv({ ...(worker ? {} : { LOG_LEVEL: 'warn' }), OPENAI_BASE_URL: `${upstreamUrl}/v1`, OPENAI_API_KEY: 'sk-bench', AETHER_GATEWAY_CONFIG: settings }),
    logFile: join(logDir, `aether${worker ? '-default' : ''}${tracing ? '' : '-untraced'}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/health/ready`, child);
  const key = (JSON.parse(readFileSync(join(dataDir, 'credentials.json'), 'utf8')) as { api_key: string }).api_key;
  const counters = async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    return { traces: sum(text, 'aether_traces_ingested_total'), requests: sum(text, 'aether_http_request_duration_seconds_count', 'route="/v1/chat/completions"') };
  };
  return {
    name: worker ? 'aether_default' : tracing ? 'aether' : 'aether_untraced',
    url,
    path: '/v1/chat/completions',
    headers: { authorization: `Bearer ${key}` },
    body: chatBody('openai/gpt-4o-mini', false),
    streamBody: chatBody('openai/gpt-4o-mini', true),
    startup_ms: Date.now() - t0,
    child,
    counters,
  };
}

/**
 * The Portkey gateway (@portkey-ai/gateway, headless, NODE_ENV=production so it keeps no log UI)
 * with the upstream as the OpenAI custom host. It binds every interface: run only inside a
 * private network namespace (run.ts re-executes itself under `unshare -n`).
 */
export async function startPortkey(root: string, logDir: string, upstreamUrl: string): Promise<Target> {
  const port = await freePort();
  const t0 = Date.now();
  const entry = join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const child = spawnNode([entry, `--port=${port}`, '--headless'], { cwd: root, env: cleanEnv({ NODE_ENV: 'production' }), logFile: join(logDir, 'portkey.log') });
  const url = `http://127.0.0.1:${port}`;
  await waitForOk(`${url}/`, child);
  return {
    name: 'portkey',
    url,
    path: '/v1/chat/completions',
    headers: { authorization: 'Bearer sk-bench', 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstreamUrl}/v1` },
    body: chatBody('gpt-4o-mini', false),
    streamBody: chatBody('gpt-4o-mini', true),
    startup_ms: Date.now() - t0,
    child,
  };
}
