import type { Measurement } from './load.js';

import type { PacedResult, Scored } from '../lib/scoring.js';

export type TargetName = 'bare' | 'pglite_default' | 'pglite' | 'postgres';

/** Report order: the ceiling, then what `npm start` runs, then the API-only deployments. */
export const TARGET_LABELS: Record<TargetName, string> = {
  bare: 'bare node:http (ceiling)',
  pglite_default: 'Aether · `npm start` defaults (aether serve with its evaluation worker, embedded PGlite)',
  pglite: 'Aether · embedded PGlite (API only, --no-worker)',
  postgres: 'Aether · PostgreSQL (API only, --no-worker)',
};

/** The paced scenario on the `npm start` target: latency at a steady rate and how fast every trace is scored. */
export interface Sustained {
  load: Omit<PacedResult, 'ids'>;
  /** Time waited for the evaluation queue to drain after the load, and what was left in it. */
  queue: { left: number; waited_ms: number; grace_ms: number };
  scoring: Scored;
}

export type TargetResult =
  | { status: 'ok'; startup_ms: number; single: Measurement; batch: Measurement; sustained?: Sustained; server_warnings: string[] }
  | { status: 'skipped'; reason: string };

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean | null;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => Math.round(v).toLocaleString('en-US');

/** Single-trace requests/s of a target as a share of the bare server's in the same run. */
export function shareOfBare(results: Record<TargetName, TargetResult>, name: TargetName, scenario: 'single' | 'batch'): number | null {
  const a = results[name];
  const b = results.bare;
  if (a.status !== 'ok' || b.status !== 'ok') return null;
  return Math.round((a[scenario].traces_per_s / b[scenario].traces_per_s) * 1000) / 1000;
}

/** The targets of issue 15, checked against the figures (met: null when the target was skipped). */
export function goals(results: Record<TargetName, TargetResult>): Goal[] {
  const out: Goal[] = [];
  const bare = results.bare.status === 'ok' ? results.bare : undefined;
  const singleGoals = (name: TargetName, minShare: number, maxP99: number) => {
    const r = results[name];
    const ok = r.status === 'ok' ? r : undefined;
    const share = shareOfBare(results, name, 'single');
    out.push({
      goal: `${TARGET_LABELS[name]}: single traces, 50 clients, throughput vs bare`,
      target: `≥ ${minShare * 100}% of bare`,
      measured: share === null ? 'skipped' : `${pct(share)} (${num(ok!.single.requests_per_s)} vs ${num(bare!.single.requests_per_s)} req/s)`,
      met: share === null ? null : share >= minShare,
    });
    out.push({
      goal: `${TARGET_LABELS[name]}: single traces, 50 clients, p99`,
      target: `< ${maxP99} ms`,
      measured: ok ? `${ok.single.latency_ms.p99} ms` : 'skipped',
      met: ok ? ok.single.latency_ms.p99 < maxP99 : null,
    });
  };
  singleGoals('pglite_default', 0.15, 50);
  const d = results.pglite_default.status === 'ok' ? results.pglite_default.sustained : undefined;
  out.push({
    goal: `${TARGET_LABELS.pglite_default}: sustained ${d ? d.load.target_rate : 500} traces/s, every trace scored`,
    target: 'all scored, p95 ingest-to-score lag < 5 s',
    measured: d
      ? `${num(d.scoring.scored)} of ${num(d.load.sent)} sent scored (${num(d.load.accepted)} accepted); lag p95 ${num(d.scoring.lag_ms.p95)} ms; latency p50 ${d.load.latency_ms.p50} / p99 ${d.load.latency_ms.p99} ms`
      : 'skipped',
    met: d ? d.scoring.scored === d.load.sent && d.load.accepted === d.load.sent && d.scoring.lag_ms.p95 < 5000 : null,
  });
  singleGoals('pglite', 0.25, 25);
  singleGoals('postgres', 0.35, 25);
  for (const [name, min] of [
    ['pglite', 30_000],
    ['postgres', 50_000],
  ] as const) {
    const r = results[name];
    out.push({
      goal: `${TARGET_LABELS[name]}: batches of 1,000`,
      target: `≥ ${num(min)} traces/s`,
      measured: r.status === 'ok' ? `${num(r.batch.traces_per_s)} traces/s` : 'skipped',
      met: r.status === 'ok' ? r.batch.traces_per_s >= min : null,
    });
  }
  return out;
}

function row(cells: Array<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}

/** The Markdown report. */
export function markdown(header: string[], results: Record<TargetName, TargetResult>, goalList: Goal[], notes: string[]): string {
  const lines = ['# Ingestion benchmark', '', ...header.map((h) => `- ${h}`), ''];
  lines.push(row(['Target', 'Scenario', 'Clients', 'Requests/s', 'Traces/s', 'vs bare', 'p50 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx', 'errors']));
  lines.push(row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const name of Object.keys(TARGET_LABELS) as TargetName[]) {
    const r = results[name];
    if (r.status === 'skipped') {
      lines.push(row([TARGET_LABELS[name], `skipped: ${r.reason}`, '', '', '', '', '', '', '', '', '', '']));
      continue;
    }
    for (const [scenario, label, m] of [
      ['single', 'single trace', r.single],
      ['batch', 'batch of 1,000', r.batch],
    ] as const) {
      const l = m.latency_ms;
      const share = name === 'bare' ? '100%' : pct(shareOfBare(results, name, scenario) ?? NaN);
      lines.push(
        row([TARGET_LABELS[name], label, m.connections, num(m.requests_per_s), num(m.traces_per_s), share, l.p50, l.p99, l.max, m.ok_2xx, m.non_2xx, m.errors]),
      );
    }
  }
  const d = results.pglite_default.status === 'ok' ? results.pglite_default.sustained : undefined;
  if (d) {
    const l = d.load.latency_ms;
    const lag = d.scoring.lag_ms;
    lines.push(
      '',
      `## \`npm start\` defaults at a sustained ${num(d.load.target_rate)} traces/s`,
      '',
      row(['Target rate', 'Sent at', 'Accepted at', 'Sent', 'Accepted (201)', 'Scored', 'Left in queue', 'latency p50 ms', 'p99 ms', 'max ms', 'lag p50 ms', 'lag p95 ms', 'lag max ms']),
      row(['---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
      row([`${num(d.load.target_rate)}/s`, `${num(d.load.send_rate)}/s for ${d.load.send_s} s`, `${num(d.load.achieved_rate)}/s over ${d.load.duration_s} s`, d.load.sent, d.load.accepted, d.scoring.scored, d.queue.left, l.p50, l.p99, l.max, num(lag.p50), num(lag.p95), num(lag.max)]),
      '',
      `Open-loop paced client (new requests every 5 ms on the schedule, whatever the latency); "accepted at" = 201s per second until the last answer arrived. After the load, the evaluation queue was given up to ${num(d.queue.grace_ms / 1000)} s to drain (it took ${num(d.queue.waited_ms)} ms); then every sent trace was looked up in the server's store: scored = it has evaluation rows; lag = its last evaluation row's created_at − the trace row's.`,
    );
  }
  lines.push('', '## Goals (issue 15)', '', row(['Goal', 'Target', 'Measured', 'Result']), row(['---', '---', '---', '---']));
  for (const g of goalList) lines.push(row([g.goal, g.target, g.measured, g.met === null ? '– skipped' : g.met ? '✅ met' : '❌ not met']));
  lines.push('', '## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
