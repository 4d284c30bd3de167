// The fuzz measurement's JSON shape and its Markdown table.

export interface Failure {
  endpoint: string;
  kind: 'status' | 'crash' | 'no-answer' | 'health' | 'lost-write' | 'rejected-valid' | 'leak';
  cause: string;
  count: number;
  /** Always true in the report: failures not reproduced alone are counted in `unattributed`. */
  confirmed: boolean;
  /** The shortest request (and answer) seen for this class. */
  example: string;
}

export interface FuzzReport {
  date: string;
  commit: string;
  machine: string;
  seed: number;
  lanes: number;
  worker: boolean;
  requested: number;
  requests: number;
  readBacks: number;
  endpoints: number;
  seconds: number;
  stoppedEarly: boolean;
  statuses: Record<string, number>;
  totals: { status5xx: number; crashes: number; lostWrites: number; rejectedValid: number; healthBlocks: number; noAnswer: number; leaks: number };
  suspectsReplayed: number;
  /** Failures seen only with other requests in flight and not reproduced alone (or not replayed in time). */
  unattributed: number;
  byEndpoint: Record<string, Record<string, number>>;
  failures: Failure[];
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, '<br>');

/** The report as Markdown: goal, totals, failure classes with an example each, and status codes per endpoint. */
export function markdown(r: FuzzReport): string {
  const t = r.totals;
  const bad = t.status5xx + t.crashes + t.lostWrites + t.rejectedValid + t.healthBlocks + t.noAnswer + t.leaks;
  const codes = [...new Set(Object.values(r.byEndpoint).flatMap((m) => Object.keys(m)))].sort((a, b) => Number(a) - Number(b));
  return [
    '# Fuzz measurement',
    '',
    `- ${r.date} · commit ${r.commit} · seed ${r.seed} (replay: \`FUZZ_SEED=${r.seed} npm run fuzz\`)`,
    `- ${r.machine}`,
    `- ${r.requests.toLocaleString('en')} generated requests (${r.requested.toLocaleString('en')} asked${r.stoppedEarly ? ', **stopped early by the time guard**' : ''}) over ${r.endpoints} endpoint targets, plus ${r.readBacks.toLocaleString('en')} read-backs, in ${r.seconds} s · ${r.lanes} concurrent clients · evaluation worker ${r.worker ? 'on' : 'off'}`,
    '- Server: Aether on embedded PGlite in the benchmark process, on loopback. A crash is an uncaught exception in the server (it would end `aether serve`).',
    '',
    '## Done when (issue 17)',
    '',
    '| Goal | Measured | Result |',
    '| --- | --- | --- |',
    `| 10,000 generated requests over every endpoint produce no 500 | ${t.status5xx} answers ≥ 500 (gateway 502/503/504 excepted) | ${t.status5xx ? '❌' : '✅'} |`,
    `| … and no crash | ${t.crashes} crashing requests (reproduced alone; ${r.unattributed} more runs saw a crash or stall from a neighbour), ${t.noAnswer} requests without an answer, ${t.healthBlocks} times /health took > 1 s | ${t.crashes + t.noAnswer + t.healthBlocks ? '❌' : '✅'} |`,
    `| A bad item never costs a good one its data | ${t.lostWrites} acknowledged writes not readable, ${t.rejectedValid} valid requests or items turned away | ${t.lostWrites + t.rejectedValid ? '❌' : '✅'} |`,
    `| Nothing served from outside the dashboard folder | ${t.leaks} | ${t.leaks ? '❌' : '✅'} |`,
    '',
    `## Failure classes (${r.failures.length}, ${bad} failing runs)`,
    '',
    ...(r.failures.length
      ? ['| Endpoint | Kind | Cause | Runs | Shortest example |', '| --- | --- | --- | ---: | --- |', ...r.failures.map((f) => `| ${cell(f.endpoint)} | ${f.kind}${f.confirmed ? '' : ' (not reproduced alone)'} | ${cell(f.cause)} | ${f.count} | <code>${cell(f.example.slice(0, 700))}</code> |`)]
      : ['None.']),
    '',
    '## Status codes per endpoint',
    '',
    `| Endpoint | ${codes.join(' | ')} |`,
    `| --- | ${codes.map(() => '---:').join(' | ')} |`,
    ...Object.entries(r.byEndpoint).map(([e, m]) => `| ${cell(e)} | ${codes.map((c) => m[c] ?? '').join(' | ')} |`),
    `| **all** | ${codes.map((c) => r.statuses[c] ?? '').join(' | ')} |`,
    '',
    'Status -1: our client refused to send the request (a header value Node will not put on the wire); 0: no answer.',
    '',
  ].join('\n');
}
