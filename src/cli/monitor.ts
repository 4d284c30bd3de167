import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import pino from 'pino';
import { createAlertStack, createEvalStack, createMonitorStack, loadCustomMetrics } from '../app.js';
import type { Config } from '../core/config.js';
import { AetherError } from '../core/errors.js';
import { createRegistry } from '../evals/index.js';
import { parseMonitorYaml, type RunReport } from '../monitors/index.js';
import type { Store } from '../storage/index.js';

interface Flags {
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  json?: boolean;
}

type WithStore = <T>(cmd: Command, fn: (store: Store, flags: Flags) => Promise<T>) => Promise<T>;

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new AetherError(400, 'unreadable', `cannot read ${file}: ${(e as Error).message}`);
  }
}

function parseSince(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const rel = /^(\d+)\s*([mhd])$/.exec(s);
  const d = rel ? new Date(Date.now() - Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd']) : new Date(s);
  if (Number.isNaN(d.getTime())) throw new AetherError(400, 'bad_since', `--since ${s}: expected an ISO time or a duration like 90m, 6h, 2d`);
  return d;
}

function reportLines(r: RunReport): string[] {
  const out = [
    `${r.monitor}${r.dryRun ? ' (dry run: nothing stored)' : ''}: window ${r.window.from ?? '(all)'} → ${r.window.to}`,
    `  seen ${r.itemsSeen}, sampled ${r.sampled}, scored ${r.scored}, skipped as duplicates ${r.skippedDuplicates}, failed ${r.failed}, cost $${r.costUsd.toFixed(4)}, ${r.durationMs} ms`,
  ];
  for (const [m, a] of Object.entries(r.aggregates)) out.push(`  ${m}: ${a.value === null ? 'n/a' : a.value} over ${a.n}${r.metricStatus[m] ? ` → ${r.metricStatus[m]}` : ''}`);
  out.push(`  status ${r.status}${r.status !== r.previousStatus && r.status !== 'NO_DATA' ? ` (was ${r.previousStatus}${r.notified ? '; alert channels notified' : ''})` : ''}`);
  for (const e of r.errors.slice(0, 20)) out.push(`  error: ${e}`);
  return out;
}

/** POST a monitor file to a deployed Aether, which runs it against its own store. */
async function runRemote(url: string, key: string, yaml: string, o: { dryRun?: boolean; since?: string; project: string }): Promise<RunReport> {
  const since = parseSince(o.since);
  const res = await fetch(`${url.replace(/\/$/, '')}/api/v1/monitors/run`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify({ yaml, dry_run: !!o.dryRun, ...(since ? { since: since.toISOString() } : {}) }),
  });
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } } & RunReport;
  if (!res.ok) throw new AetherError(res.status, 'remote_error', `${url}: ${body.error?.message ?? `HTTP ${res.status}`}`);
  return body;
}

/** Register `aether monitor validate|run|list`. */
export function registerMonitor(program: Command, withStore: WithStore, configFrom: (flags: Flags) => Config): void {
  const mon = program.command('monitor').description('online monitors defined in YAML (docs/monitors.md)');
  mon
    .command('validate <file>')
    .description('check a monitor file; errors name line, column and field')
    .action(async (file: string, _o: unknown, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      const registry = createRegistry(await loadCustomMetrics(configFrom(flags).customMetricModules));
      const spec = parseMonitorYaml(readText(file), file, { knownMetrics: new Set(registry.keys()) });
      if (flags.json) console.log(JSON.stringify(spec, null, 2));
      else console.log(`${file}: monitor "${spec.name}" is valid (${spec.source.type} source, ${spec.metrics.length} metric(s), sampling ${spec.sampling.strategy})`);
    });
  mon
    .command('run <file>')
    .description('run a monitor file once: new items since the last run are sampled, scored once, published')
    .option('--dry-run', 'score the sample but store and publish nothing')
    .option('--since <time>', 'start of the window (ISO time or 90m / 6h / 2d); default: where the last run stopped')
    .option('--project <ref>', 'project id or slug', 'default')
    .option('--url <url>', 'run on a deployed Aether (env AETHER_URL) with an API key (env AETHER_API_KEY) instead of a local store')
    .action(async (file: string, o: { dryRun?: boolean; since?: string; project: string; url?: string }, cmd: Command) => {
      const flags = cmd.optsWithGlobals<Flags>();
      const text = readText(file);
      const url = o.url ?? process.env.AETHER_URL;
      let report: RunReport;
      if (url) {
        const key = process.env.AETHER_API_KEY;
        if (!key) throw new AetherError(400, 'no_api_key', 'set AETHER_API_KEY to the project key when running against --url');
        report = await runRemote(url, key, text, o);
      } else {
        report = await withStore(cmd, async (store) => {
          const config = configFrom(flags);
          const log = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel });
          const project = await store.projects.find(o.project);
          if (!project) throw new AetherError(404, 'not_found', `No project "${o.project}"; list them with \`aether projects list\``);
          const evals = await createEvalStack(config, store, log);
          const alerts = createAlertStack(config, store, log);
          const monitors = createMonitorStack(config, store, evals, alerts, log, 0);
          try {
            const since = parseSince(o.since);
            const r = await monitors.runFile(project.id, text, file, { dryRun: o.dryRun, ...(since ? { since } : {}) });
            while ((await alerts.deliverer.runOnce()) > 0) {
              // send the status change now; a server sharing the store would send it otherwise
            }
            return r;
          } finally {
            await alerts.close();
            await evals.queue.close();
          }
        });
      }
      if (flags.json) console.log(JSON.stringify(report, null, 2));
      else for (const l of reportLines(report)) console.log(l);
    });
  mon
    .command('list')
    .description("list a project's monitors with their status and last run")
    .option('--project <ref>', 'project id or slug', 'default')
    .action(async (o: { project: string }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const project = await store.projects.find(o.project);
        if (!project) throw new AetherError(404, 'not_found', `No project "${o.project}"`);
        const list = await store.monitors.list(project.id);
        if (flags.json) console.log(JSON.stringify(list, null, 2));
        else if (list.length === 0) console.log('no monitors');
        else for (const m of list) console.log(`${m.name}\t${m.origin}\t${m.status}\tlast run ${m.lastRunAt?.toISOString() ?? 'never'}\tnext ${m.nextRunAt?.toISOString() ?? '-'}`);
      }),
    );
}
