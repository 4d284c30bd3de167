import { round } from '../lib/stats.js';
import type { Concurrent, Sequential } from './load.js';

export type TargetName = 'direct' | 'proxy' | 'aether_default' | 'aether' | 'aether_untraced' | 'portkey';

/** Report order: the baseline, then what `npm start` runs, then the API-only gateway and Portkey. */
export const LABELS: Record<TargetName, string> = {
  direct: 'direct to the mock upstream (baseline)',
  proxy: 'bare node:http pass-through proxy (no parsing, no tracing: the ceiling of a gateway in Node)',
  aether_default: 'Aether gateway · `npm start` defaults (evaluation worker in the process, tracing on, embedded PGlite)',
  aether: 'Aether gateway (--no-worker, tracing on, embedded PGlite)',
  aether_untraced: 'Aether gateway (--no-worker, tracing off)',
  portkey: 'Portkey gateway (@portkey-ai/gateway, headless)',
};

export interface Memory {
  requests: number;
  /** RSS (MiB) after the warm-up, then after each tenth of the requests. */
  rss_mib: number[];
  rss_settled_mib: number;
  /** Peak RSS over the first and the second half of the run: flat memory keeps the second at the first. */
  peak_first_half_mib: number;
  peak_second_half_mib: number;
  requests_per_s: number;
}

export type TargetResult =
  | {
      status: 'ok';
      startup_ms: number;
      sequential: Sequential;
      /** Streams, or why they could not be measured. */
      stream: Sequential | { failed: string };
      concurrent: Concurrent;
      memory?: Memory;
      rss_after_load_mib: number;
      /** Aether only: traces committed and chat requests answered, from its /metrics. */
      traces_committed?: number;
      requests_answered?: number;
    }
  | { status: 'skipped'; reason: string };

const streamOk = (s: Sequential | { failed: string }): s is Sequential => !('failed' in s);

export interface Goal {
  goal: string;
  target: string;
  measured: string;
  met: boolean | null;
}

const ok = (r: TargetResult | undefined) => (r && r.status === 'ok' ? r : undefined);

/** Latency Aether or Portkey adds over going direct, per figure. */
export function added(results: Record<TargetName, TargetResult>, name: Exclude<TargetName, 'direct'>) {
  const d = ok(results.direct);
  const t = ok(results[name]);
  if (!d || !t) return null;
  const ds = streamOk(d.stream) ? d.stream : undefined;
  const ts = streamOk(t.stream) ? t.stream : undefined;
  return {
    sequential_p50_ms: round(t.sequential.latency_ms.p50 - d.sequential.latency_ms.p50, 3),
    sequential_p99_ms: round(t.sequential.latency_ms.p99 - d.sequential.latency_ms.p99, 3),
    concurrent_p50_ms: round(t.concurrent.latency_ms.p50 - d.concurrent.latency_ms.p50, 3),
    concurrent_p99_ms: round(t.concurrent.latency_ms.p99 - d.concurrent.latency_ms.p99, 3),
    stream_ttfb_p50_ms: ds && ts ? round(ts.ttfb_ms!.p50 - ds.ttfb_ms!.p50, 3) : null,
    stream_ttfb_p99_ms: ds && ts ? round(ts.ttfb_ms!.p99 - ds.ttfb_ms!.p99, 3) : null,
  };
}

/** 50-client requests/s of a target as a share of direct-to-mock in the same run. */
export function shareOfDirect(results: Record<TargetName, TargetResult>, name: TargetName): number | null {
  const d = ok(results.direct);
  const t = ok(results[name]);
  return d && t ? round(t.concurrent.requests_per_s / d.concurrent.requests_per_s, 3) : null;
}

/** Issue 15's gateway targets for one Aether target (tracing on). */
function issue15(results: Record<TargetName, TargetResult>, name: 'aether_default' | 'aether'): Goal[] {
  const t = ok(results[name]);
  const a = added(results, name);
  const share = shareOfDirect(results, name);
  const d = ok(results.direct);
  return [
    {
      goal: `${LABELS[name]}: throughput at 50 clients vs direct`,
      target: '≥ 25% of direct',
      measured: share === null ? 'n/a' : `${(share * 100).toFixed(1)}% (${Math.round(t!.concurrent.requests_per_s)} vs ${Math.round(d!.concurrent.requests_per_s)} req/s)`,
      met: share === null ? null : share >= 0.25,
    },
    { goal: `${LABELS[name]}: p99 at 50 clients`, target: '< 50 ms', measured: t ? `${t.concurrent.latency_ms.p99} ms` : 'n/a', met: t ? t.concurrent.latency_ms.p99 < 50 : null },
    { goal: `${LABELS[name]}: added p50 latency, sequential`, target: '≤ 0.5 ms', measured: a ? `${a.sequential_p50_ms} ms` : 'n/a', met: a ? a.sequential_p50_ms <= 0.5 : null },
  ];
}

/** The issues' targets, checked: issue 15 first, then the Portkey comparison and memory of the earlier gateway issue. */
export function goals(results: Record<TargetName, TargetResult>): Goal[] {
  const aether = ok(results.aether);
  const untraced = ok(results.aether_untraced);
  const portkey = ok(results.portkey);
  const mem = aether?.memory;
  const vsPortkey = (r: typeof aether, label: string): Goal => {
    const ratio = r && portkey ? r.concurrent.requests_per_s / portkey.concurrent.requests_per_s : undefined;
    return {
      goal: `Aether throughput vs Portkey, 50 clients (${label}, --no-worker)`,
      target: '≥ 3× (earlier gateway issue)',
      measured:
        ratio === undefined
          ? `Portkey ${results.portkey.status === 'skipped' ? `skipped: ${results.portkey.reason}` : 'n/a'}`
          : `${ratio.toFixed(2)}× (${Math.round(r!.concurrent.requests_per_s)} vs ${Math.round(portkey!.concurrent.requests_per_s)} req/s)`,
      met: ratio === undefined ? null : ratio >= 3,
    };
  };
  return [
    ...issue15(results, 'aether_default'),
    ...issue15(results, 'aether'),
    vsPortkey(untraced, 'tracing off, as Portkey runs here'),
    vsPortkey(aether, 'tracing on'),
    {
      goal: `Aether memory flat over ${mem ? mem.requests.toLocaleString('en-US') : '100,000'} requests (--no-worker, tracing on)`,
      target: 'peak RSS of the second half ≤ 110% of the first half’s',
      measured: mem ? `peak ${mem.peak_first_half_mib} MiB (first half) vs ${mem.peak_second_half_mib} MiB (second half); ${mem.rss_settled_mib} MiB settled` : 'n/a',
      met: mem ? mem.peak_second_half_mib <= 1.1 * mem.peak_first_half_mib : null,
    },
  ];
}

const row = (cells: Array<string | number>) => `| ${cells.join(' | ')} |`;

/** The Markdown report. */
export function markdown(header: string[], results: Record<TargetName, TargetResult>, goalList: Goal[], notes: string[]): string {
  const lines = ['# Gateway benchmark', '', ...header.map((h) => `- ${h}`), ''];
  lines.push(row(['Target', 'seq p50 ms', 'seq p99 ms', 'stream TTFB p50 ms', 'stream TTFB p99 ms', '50 clients req/s', 'vs direct', '50 clients p50 ms', '50 clients p99 ms', 'non-2xx', 'RSS after load MiB']));
  lines.push(row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const name of Object.keys(LABELS) as TargetName[]) {
    const r = results[name];
    if (r.status === 'skipped') {
      lines.push(row([LABELS[name], `skipped: ${r.reason}`, '', '', '', '', '', '', '', '', '']));
      continue;
    }
    const st = streamOk(r.stream) ? r.stream : undefined;
    const nonOk = r.sequential.non_2xx + (st?.non_2xx ?? 0) + r.concurrent.non_2xx;
    const failed = streamOk(r.stream) ? '' : `failed: ${r.stream.failed}`;
    lines.push(row([LABELS[name], r.sequential.latency_ms.p50, r.sequential.latency_ms.p99, st ? st.ttfb_ms!.p50 : failed, st ? st.ttfb_ms!.p99 : '', Math.round(r.concurrent.requests_per_s), name === 'direct' ? '100%' : `${((shareOfDirect(results, name) ?? NaN) * 100).toFixed(1)}%`, r.concurrent.latency_ms.p50, r.concurrent.latency_ms.p99, nonOk, r.rss_after_load_mib]));
  }
  lines.push('', '## Added over direct', '', row(['Gateway', 'seq p50', 'seq p99', '50 clients p50', '50 clients p99', 'stream TTFB p50', 'stream TTFB p99']), row(['---', '---:', '---:', '---:', '---:', '---:', '---:']));
  for (const name of ['proxy', 'aether_default', 'aether', 'aether_untraced', 'portkey'] as const) {
    const a = added(results, name);
    const ms = (v: number | null) => (v === null ? 'n/a' : `${v} ms`);
    if (a) lines.push(row([LABELS[name], ms(a.sequential_p50_ms), ms(a.sequential_p99_ms), ms(a.concurrent_p50_ms), ms(a.concurrent_p99_ms), ms(a.stream_ttfb_p50_ms), ms(a.stream_ttfb_p99_ms)]));
  }
  const mem = results.aether.status === 'ok' ? results.aether.memory : undefined;
  if (mem) {
    lines.push('', `## Aether memory over ${mem.requests.toLocaleString('en-US')} requests (50 clients, ${Math.round(mem.requests_per_s)} req/s)`, '');
    lines.push(`RSS (MiB) after warm-up and after each tenth: ${mem.rss_mib.join(' → ')}; ${mem.rss_settled_mib} MiB after the traces were written.`);
    if (results.aether.status === 'ok' && results.aether.traces_committed !== undefined) {
      lines.push('', `Traces committed: ${results.aether.traces_committed.toLocaleString('en-US')} for ${results.aether.requests_answered!.toLocaleString('en-US')} gateway requests answered (both from Aether's /metrics).`);
    }
  }
  lines.push('', '## Goals (from the issue)', '', row(['Goal', 'Target', 'Measured', 'Result']), row(['---', '---', '---', '---']));
  for (const g of goalList) lines.push(row([g.goal, g.target, g.measured, g.met === null ? '– n/a' : g.met ? '✅ met' : '❌ not met']));
  lines.push('', '## Notes', '', ...notes.map((n) => `- ${n}`), '');
  return lines.join('\n');
}
