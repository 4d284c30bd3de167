import autocannon from 'autocannon';
import { onCleanup } from '../lib/cleanup.js';
import { round, summarize, type LatencySummary } from '../lib/stats.js';

export interface Scenario {
  name: 'single' | 'batch';
  path: string;
  body: string;
  connections: number;
  tracesPerRequest: number;
  warmupS: number;
  durationS: number;
}

export interface Endpoint {
  url: string;
  apiKey: string;
  /** Traces the server reports as committed (Aether's /metrics); absent for the bare server. */
  committedTraces?: () => Promise<number>;
}

export interface Measurement {
  connections: number;
  duration_s: number;
  responses: number;
  ok_2xx: number;
  non_2xx: number;
  errors: number;
  timeouts: number;
  status_codes: Record<string, number>;
  requests_per_s: number;
  traces_per_s: number;
  latency_ms: LatencySummary;
  /** Traces the server counted as committed during the measured window (null: not available). */
  server_committed_traces: number | null;
}

interface RawRun {
  result: autocannon.Result;
  latencies: number[];
  statuses: Map<number, number>;
}

function fire(endpoint: Endpoint, s: Scenario, durationS: number): Promise<RawRun> {
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: endpoint.url + s.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': endpoint.apiKey },
        body: s.body,
        idReplacement: true,
        connections: s.connections,
        duration: durationS,
        timeout: 30,
      },
      (err, result) => {
        void stop();
        if (err) reject(err);
        else resolve({ result, latencies, statuses });
      },
    );
    const stop = onCleanup('stop autocannon', () => instance.stop());
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      latencies.push(responseTime);
      statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
    });
  });
}

/**
 * Fails if most responses were not 2xx or most requests errored. No response at all within the
 * window (a server slower than the window) is a measurement, 0 req/s, not a failure.
 */
function check(label: string, run: RawRun): void {
  const total = [...run.statuses.values()].reduce((a, b) => a + b, 0);
  const ok = run.result['2xx'];
  if (total === 0 && run.result.errors === 0) {
    console.error(`    ${label}: no response within the window (the server took longer than it)`);
    return;
  }
  if (ok < total / 2 || run.result.errors > total) {
    const codes = JSON.stringify(Object.fromEntries(run.statuses));
    throw new Error(`${label}: ${ok} of ${total} responses were 2xx (status codes ${codes}, ${run.result.errors} errors)`);
  }
}

/** A warm-up run (discarded), then the measured run. Fails if most responses are not 2xx. */
export async function measure(label: string, endpoint: Endpoint, s: Scenario): Promise<Measurement> {
  if (s.warmupS > 0) check(`${label} (warm-up)`, await fire(endpoint, s, s.warmupS));
  const before = endpoint.committedTraces ? await endpoint.committedTraces() : undefined;
  const run = await fire(endpoint, s, s.durationS);
  const after = endpoint.committedTraces && before !== undefined ? await endpoint.committedTraces() : undefined;
  check(label, run);
  const r = run.result;
  const ok = r['2xx'];
  return {
    connections: s.connections,
    duration_s: r.duration,
    responses: run.latencies.length,
    ok_2xx: ok,
    non_2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    status_codes: Object.fromEntries([...run.statuses].map(([k, v]) => [String(k), v])),
    requests_per_s: round(ok / r.duration, 1),
    traces_per_s: round((ok * s.tracesPerRequest) / r.duration, 1),
    latency_ms: summarize(run.latencies),
    server_committed_traces: after !== undefined && before !== undefined ? after - before : null,
  };
}

/** Send one request of the scenario and check the answer: 201 with an id, or 207 accepting every item. */
export async function preflight(endpoint: Endpoint, s: Scenario): Promise<void> {
  const res = await fetch(endpoint.url + s.path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': endpoint.apiKey },
    body: s.body.replaceAll('[<id>]', 'preflight'),
  });
  const text = await res.text();
  const fail = (why: string) => new Error(`preflight ${s.path}: ${why}; HTTP ${res.status}: ${text.slice(0, 500)}`);
  if (s.name === 'single') {
    if (res.status !== 201 || typeof (JSON.parse(text) as { id?: unknown }).id !== 'string') throw fail('expected 201 with an id');
    return;
  }
  const body = res.status === 207 ? (JSON.parse(text) as { accepted?: number; rejected?: number }) : {};
  if (body.accepted !== s.tracesPerRequest || body.rejected !== 0) throw fail(`expected 207 accepting all ${s.tracesPerRequest} traces`);
}
