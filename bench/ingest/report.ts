import type { Measurement } from './load.js';

export type TargetName = 'bare' | 'pglite' | 'postgres' | 'pglite_default';

export const TARGET_LABELS: Record<TargetName, string> = {
  bare: 'bare node:http (ceiling)',
  pglite: 'Aether · embedded PGlite (API only, --no-worker)',
  postgres: 'Aether · PostgreSQL (API only, --no-worker)',
  pglite_default: 'Aether · embedded PGlite, npm start defaults (evaluation worker in the same process)',
};

export type TargetResult =
  | { status: 'ok'; startup_ms: number; single: Measurement; batch: Measurement; server_warnings: string[] }
  | { status: 'skipped'; reason: string };

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean | null;
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const num = (v: number) => Math.round(v).toLocaleString('en-US');

/** The goals from the issue, checked against the figures (met: null when the target was skipped). */
export function goals(results: Record<TargetName, TargetResult>): Goal[] {
  const bare = results.bare.status === 'ok' ? results.bare : undefined;
  const out: Goal[] = [];
  for (const name of ['pglite', 'postgres'] as const) {
    const r = results[name];
    const label = TARGET_LABELS[name];
    const ok = r.status === 'ok' ? r : undefined;
    const ratio = ok && bare ? ok.single.requests_per_s / bare.single.requests_per_s : undefined;
    out.push({
      goal: `${label}: single-trace throughput vs bare`,
      target: '≥ 35%',
      measured: ratio === undefined ? 'skipped' : `${pct(ratio)} (${num(ok!.single.requests_per_s)} vs ${num(bare!.single.requests_per_s)} req/s)`,
      met: ratio === undefined ? null : ratio >= 0.35,
    });
    out.push({
      goal: `${label}: p99 latency, single trace, 50 clients`,
      target: '< 25 ms',
      measured: ok ? `${ok.single.latency_ms.p99} ms` : 'skipped',
      met: ok ? ok.single.latency_ms.p99 < 25 : null,
    });
  }
  const pglite = results.pglite.status === 'ok' ? results.pglite : undefined;
  out.push({
    goal: `${TARGET_LABELS.pglite}: batch ingestion`,
    target: '≥ 30,000 traces/s',
    measured: pglite ? `${num(pglite.batch.traces_per_s)} traces/s` : 'skipped',
    met: pglite ? pglite.batch.traces_per_s >= 30_000 : null,
  });
  return out;
}

function row(cells: Array<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}

/** The Markdown report. */
export function markdown(header: string[], results: Record<TargetName, TargetResult>, goalList: Goal[], notes: string[]): string {
  const lines = ['# Ingestion benchmark', '', ...header.map((h) => `- ${h}`), ''];
  lines.push(row(['Target', 'Scenario', 'Clients', 'Requests/s', 'Traces/s', 'p50 ms', 'p99 ms', 'max ms', '2xx', 'non-2xx', 'errors']));
  lines.push(row(['---', '---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const name of Object.keys(TARGET_LABELS) as TargetName[]) {
    const r = results[name];
    if (r.status === 'skipped') {
      lines.push(row([TARGET_LABELS[name], `skipped: ${r.reason}`, '', '', '', '', '', '', '', '', '']));
      continue;
    }
    for (const [scenario, m] of [
      ['single trace', r.single],
      ['batch of 1,000', r.batch],
    ] as const) {
      const l = m.latency_ms;
      lines.push(
        row([TARGET_LABELS[name], scenario, m.connections, num(m.requests_per_s), num(m.traces_per_s), l.p50, l.p99, l.max, m.ok_2xx, m.non_2xx, m.errors]),
      );
    }
  }
  lines.push('', '## Goals (from the issue)', '', row(['Goal', 'Target', 'Measured', 'Result']), row(['---', '---', '---', '---']));
  for (const g of goalList) lines.push(row([g.goal, g.target, g.measured, g.met === null ? '– skipped' : g.met ? '✅ met' : '❌ not met']));
  lines.push('', '## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
