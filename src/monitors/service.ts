import { dirname, resolve } from 'node:path';
import { errors } from '../core/index.js';
import type { MetricRegistry } from '../evals/index.js';
import type { MonitorRecord, MonitorRun } from '../storage/index.js';
import { parseMonitorJson, parseMonitorYaml } from './parse.js';
import { runMonitor, type MonitorDeps, type RunOptions, type RunReport } from './runner.js';
import { nextRun, periodMs } from './schedule.js';
import { monitorSpecSchema, type MonitorSpec } from './spec.js';

export interface MonitorsDeps extends MonitorDeps {
  registry: MetricRegistry;
  /** Identifies this process in leases. */
  owner: string;
  /** How long a scheduled run may hold its monitor (default 30 min). */
  leaseMs?: number;
}

/** A monitor as the API shows it. */
export type MonitorView = {
  id: string;
  name: string;
  origin: 'api' | 'file';
  enabled: boolean;
  status: string;
  metric_status: Record<string, unknown>;
  spec: MonitorSpec;
  window_end: string | null;
  last_run_at: string | null;
  next_run_at: string | null;
  created_at: string;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** A key written in the spec (not a ${VAR} reference) is shown masked. */
function masked(spec: MonitorSpec): MonitorSpec {
  if (spec.source.type !== 'langfuse_api' || /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(spec.source.secret_key)) return spec;
  return { ...spec, source: { ...spec.source, secret_key: `${spec.source.secret_key.slice(0, 4)}…` } };
}

export function viewOf(m: MonitorRecord): MonitorView {
  return {
    id: m.id, name: m.name, origin: m.origin, enabled: m.enabled, status: m.status, metric_status: m.metricStatus,
    spec: masked(monitorSpecSchema.parse(m.spec)), window_end: iso(m.windowEnd), last_run_at: iso(m.lastRunAt), next_run_at: iso(m.nextRunAt), created_at: m.createdAt.toISOString(),
  };
}

export function runView(r: MonitorRun) {
  return {
    id: r.id, trigger: r.trigger, status: r.status, dry_run: r.dryRun, window_from: iso(r.windowFrom), window_to: iso(r.windowTo),
    items_seen: r.itemsSeen, sampled: r.sampled, scored: r.scored, skipped_duplicates: r.skippedDuplicates, failed: r.failed,
    cost_usd: r.costUsd, duration_ms: r.durationMs, errors: r.errors, aggregates: r.aggregates, metric_status: r.metricStatus,
    started_at: r.startedAt.toISOString(), finished_at: iso(r.finishedAt),
  };
}

/** Monitors: validation, the stored ones (API), file runs (CLI) and the scheduler. */
export function createMonitors(d: MonitorsDeps) {
  const known = () => new Set(d.registry.keys());
  let timer: NodeJS.Timeout | undefined;
  let ticking: Promise<void> | undefined;
  const specOf = (m: MonitorRecord) => monitorSpecSchema.parse(m.spec);

  function parseBody(body: unknown): MonitorSpec {
    if (body && typeof body === 'object' && 'yaml' in body && typeof (body as { yaml: unknown }).yaml === 'string') {
      return parseMonitorYaml((body as { yaml: string }).yaml, 'yaml', { knownMetrics: known() });
    }
    return parseMonitorJson(body, known());
  }

  /**
   * What arrives over the API may not reach the server's files or code: file sources and module
   * hooks are for monitor files run by the CLI.
   */
  function checkStored(spec: MonitorSpec): void {
    if (spec.extractor.module) throw errors.validation([{ field: 'extractor.module', message: 'module hooks run local code: use them in monitor files run by the CLI, not through the API' }]);
    if (spec.source.type !== 'aether' && spec.source.type !== 'langfuse_api') {
      throw errors.validation([{ field: 'source.type', message: `${spec.source.type} reads files on the machine that runs it: run such monitors with \`aether monitor run FILE\`; over the API use aether or langfuse_api` }]);
    }
  }
  // Over the API, `${VAR}` may only name variables the operator exposed for monitors.
  const apiDeps: MonitorDeps = { ...d, env: Object.fromEntries(Object.entries(d.env ?? {}).filter(([k]) => k.startsWith('AETHER_MONITOR_'))) };

  async function tick(): Promise<void> {
    for (const m of await d.store.monitors.due(new Date())) {
      if (!(await d.store.monitors.acquireDue(m.id, d.owner, d.leaseMs ?? 30 * 60_000))) continue;
      try {
        const spec = specOf(m);
        const now = new Date();
        // Missed runs (the process was down) are caught up once: one run covers the whole gap.
        const late = spec.schedule && m.nextRunAt ? now.getTime() - m.nextRunAt.getTime() > periodMs(spec.schedule, m.nextRunAt) : false;
        await d.store.monitors.setNextRun(m.id, spec.schedule ? nextRun(spec.schedule, now) : null);
        await runMonitor(apiDeps, m, spec, { trigger: late ? 'catch_up' : 'schedule' });
      } catch (e) {
        d.logger.warn({ err: e, monitor: m.name }, 'scheduled monitor run failed');
      } finally {
        await d.store.monitors.releaseLease(m.id, d.owner);
      }
    }
  }

  return {
    /** Validate a monitor file's text; throws MonitorSpecError naming line, column and field. */
    validate: (text: string, file: string) => parseMonitorYaml(text, file, { knownMetrics: known() }),

    async create(projectId: string, body: unknown): Promise<MonitorView> {
      const spec = parseBody(body);
      checkStored(spec);
      const m = await d.store.monitors.create({ projectId, name: spec.name, origin: 'api', spec, enabled: spec.enabled, nextRunAt: spec.schedule && spec.enabled ? new Date() : null });
      return viewOf(m);
    },
    async list(projectId: string): Promise<MonitorView[]> {
      return (await d.store.monitors.list(projectId)).map(viewOf);
    },
    async get(projectId: string, id: string): Promise<MonitorView> {
      const m = await d.store.monitors.get(projectId, id);
      if (!m) throw errors.notFound(`No monitor "${id}" in this project`);
      return viewOf(m);
    },
    async remove(projectId: string, id: string): Promise<void> {
      const m = await d.store.monitors.get(projectId, id);
      if (!m || !(await d.store.monitors.delete(projectId, m.id))) throw errors.notFound(`No monitor "${id}" in this project`);
    },
    async runNow(projectId: string, id: string, opts: Pick<RunOptions, 'dryRun' | 'since'> = {}): Promise<RunReport> {
      const m = await d.store.monitors.get(projectId, id);
      if (!m) throw errors.notFound(`No monitor "${id}" in this project`);
      return runMonitor(apiDeps, m, specOf(m), { ...opts, trigger: 'api' });
    },
    async runs(projectId: string, id: string, limit = 50) {
      const m = await d.store.monitors.get(projectId, id);
      if (!m) throw errors.notFound(`No monitor "${id}" in this project`);
      return (await d.store.monitors.runs(projectId, m.id, limit)).map(runView);
    },
    /** Run a monitor file (CLI; `remote` when it came over the API): dedup and history live under a `file` monitor of its name. */
    async runFile(projectId: string, text: string, file: string, opts: Pick<RunOptions, 'dryRun' | 'since' | 'until'> & { remote?: boolean } = {}): Promise<RunReport> {
      const spec = parseMonitorYaml(text, file, { knownMetrics: known() });
      if (opts.remote) checkStored(spec);
      let m = await d.store.monitors.get(projectId, spec.name);
      if (m && m.origin !== 'file') throw errors.conflict(`Monitor "${spec.name}" is stored through the API; run it with POST /api/v1/monitors/${m.id}/run or rename the file's monitor`);
      if (!m && opts.dryRun) {
        const now = new Date();
        m = { id: `file:${spec.name}`, projectId, name: spec.name, origin: 'file', spec, enabled: true, status: 'NO_DATA', metricStatus: {}, windowEnd: null, lastRunAt: null, nextRunAt: null, createdAt: now, updatedAt: now };
      } else if (!opts.dryRun) m = await d.store.monitors.ensureFileMonitor(projectId, spec.name, spec);
      return runMonitor(opts.remote ? apiDeps : d, m!, spec, { ...opts, trigger: opts.remote ? 'api' : 'cli', baseDir: dirname(resolve(file)) });
    },
    /** Run due stored monitors now (the scheduler's tick; tests call it directly). */
    tick(): Promise<void> {
      ticking ??= tick().finally(() => (ticking = undefined));
      return ticking;
    },
    start(intervalMs: number): void {
      timer = setInterval(() => void this.tick().catch((e: unknown) => d.logger.warn({ err: e }, 'monitor scheduler tick failed')), intervalMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      await ticking?.catch(() => undefined);
    },
  };
}

export type Monitors = ReturnType<typeof createMonitors>;
