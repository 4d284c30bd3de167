/**
 * Shared by the benchmarks that check scoring keeps up with ingestion: a paced (open-loop) client
 * that posts single traces at a fixed rate, a wait for the server's evaluation queue to drain, and
 * ingest-to-score lag read straight from the server's embedded store (attached through the socket
 * named in `<dataDir>/embedded.lock`, so the running server is not disturbed).
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { round, summarize, type LatencySummary } from './stats.js';

export interface PacedResult {
  target_rate: number;
  /** From the first request sent to the last answer received. */
  duration_s: number;
  /** From the first request sent to the last one sent, and the rate over it. */
  send_s: number;
  send_rate: number;
  sent: number;
  accepted: number;
  /** Ids of the 201 answers, for the lag query. */
  ids: string[];
  achieved_rate: number;
  status_codes: Record<string, number>;
  errors: number;
  latency_ms: LatencySummary;
}

/** POST a JSON body on a keep-alive agent; resolves with the status and the body text. */
export function postJson(port: number, path: string, key: string, body: string, agent: Agent): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const headers = { 'content-type': 'application/json', 'x-api-key': key, 'content-length': Buffer.byteLength(body) };
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => ok({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', fail);
    });
    req.on('error', fail);
    req.end(body);
  });
}

/**
 * Open-loop load: every 5 ms, send the single traces the schedule says are due (`rate` per second
 * for `durationS`), whatever the server's latency; latency is measured per request.
 */
export async function pacedTraces(url: string, key: string, bodyOf: (i: number) => string, rate: number, durationS: number): Promise<PacedResult> {
  const port = Number(new URL(url).port);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(rate * durationS);
  const latencies: number[] = [];
  const ids: string[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  let sent = 0;
  let sendSeconds = 0;
  try {
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate));
      for (; sent < due; sent++) {
        const t0 = performance.now();
        inflight.push(
          postJson(port, '/api/v1/traces', key, bodyOf(sent), agent).then(
            (r) => {
              latencies.push(performance.now() - t0);
              statuses[r.status] = (statuses[r.status] ?? 0) + 1;
              if (r.status === 201) ids.push((JSON.parse(r.text) as { id: string }).id);
            },
            () => void errors++,
          ),
        );
      }
      await sleep(5);
    }
    sendSeconds = (performance.now() - start) / 1000;
    await Promise.all(inflight);
  } finally {
    agent.destroy();
  }
  const seconds = (performance.now() - start) / 1000;
  return {
    target_rate: rate,
    duration_s: round(seconds),
    send_s: round(sendSeconds),
    send_rate: round(sent / sendSeconds, 1),
    sent,
    accepted: ids.length,
    ids,
    achieved_rate: round(ids.length / seconds, 1),
    status_codes: statuses,
    errors,
    latency_ms: summarize(latencies),
  };
}

/** Poll the project's evaluation queue until nothing is pending or running, or `graceMs` passes; returns what is left. */
export async function waitForQueue(url: string, key: string, graceMs: number): Promise<{ left: number; waited_ms: number }> {
  const t0 = Date.now();
  let left = Number.POSITIVE_INFINITY;
  while (Date.now() - t0 < graceMs) {
    const res = await fetch(`${url}/api/v1/queue`, { headers: { 'x-api-key': key } });
    const q = (await res.json()) as { pending: number; running: number };
    left = q.pending + q.running;
    if (left === 0) break;
    await sleep(250);
  }
  return { left, waited_ms: Date.now() - t0 };
}

/** A pg client on the embedded store that the `aether serve` of `dataDir` runs (it must be running). */
export async function attachEmbedded(dataDir: string): Promise<pg.Client> {
  const lock = JSON.parse(readFileSync(join(dataDir, 'embedded.lock'), 'utf8')) as { socketDir: string };
  const client = new pg.Client({ host: lock.socketDir, port: 5432, user: 'postgres', database: 'postgres' });
  await client.connect();
  return client;
}

export interface Scored {
  traces: number;
  /** Traces with at least one evaluation row. */
  scored: number;
  /** Per scored trace: last evaluation row written − trace row written. */
  lag_ms: LatencySummary;
}

/** How many of `ids` have evaluations, and their ingest-to-score lag (read from the server's store). */
export async function scoredTraces(dataDir: string, ids: string[]): Promise<Scored> {
  const client = await attachEmbedded(dataDir);
  try {
    const r = await client.query<{ ms: string }>(
      `select extract(epoch from (max(e.created_at) - t.created_at)) * 1000 as ms
         from rag_traces t join evaluations e on e.project_id = t.project_id and e.trace_id = t.id
        where t.id = any($1::text[])
        group by t.project_id, t.id, t.created_at`,
      [ids],
    );
    return { traces: ids.length, scored: r.rows.length, lag_ms: summarize(r.rows.map((x) => Number(x.ms))) };
  } finally {
    await client.end();
  }
}
