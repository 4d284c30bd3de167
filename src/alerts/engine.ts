import type { Alert, BudgetSpec } from '../core/index.js';
import type { Logger } from '../core/logger.js';
import type { Store } from '../storage/index.js';
import { channels } from './channels/index.js';
import type { AlertRule, RuleContext, RuleOutcome, Trigger } from './contract.js';
import { rules } from './rules/index.js';
import type { AlertSettings } from './settings.js';

export interface EngineDeps {
  store: Pick<Store, 'alerts' | 'stats'>;
  settings: AlertSettings;
  logger: Logger;
  /** Base URL of the dashboard, for links in notifications. */
  publicUrl: string;
  now?: () => Date;
  /** Coalesce triggers of one project for this long (default 200 ms). */
  debounceMs?: number;
  /** The project's budgets beyond the alert config's (the budgets table, the gateway settings). */
  budgets?: (projectId: string) => Promise<BudgetSpec[]>;
}

export interface EvaluationReport {
  fired: Alert[];
  resolved: Alert[];
}

/** Evaluates rules per project, opens one alert per incident, resolves alerts whose condition cleared. */
export function createAlertEngine(d: EngineDeps) {
  const now = d.now ?? (() => new Date());
  const chains = new Map<string, Promise<unknown>>();
  const pending = new Map<string, { trigger: Trigger; timer: NodeJS.Timeout }>();
  let ticker: NodeJS.Timeout | undefined;
  const link = (path: string) => `${d.publicUrl.replace(/\/$/, '')}${path}`;

  async function run(projectId: string, trigger: Trigger): Promise<EvaluationReport> {
    const report: EvaluationReport = { fired: [], resolved: [] };
    const config = await d.settings.get(projectId);
    if (!config) return report;
    const active = Object.values(channels).filter((c) => c.enabled(config)).map((c) => c.name);
    const open = await d.store.alerts.open(projectId);
    const budgets = d.budgets;
    const ctx: RuleContext = { projectId, config, now: now(), stats: d.store.stats, trigger, open: new Set(open.map((a) => a.dedup_key)), link, ...(budgets ? { budgets: () => budgets(projectId) } : {}) };
    for (const rule of Object.values(rules) as AlertRule[]) {
      const applies = rule.enabled(config) && (trigger.kind === 'schedule' || rule.on.includes(trigger.kind));
      const outcome: RuleOutcome = applies ? await rule.evaluate(ctx) : { firing: [], settles: trigger.kind === 'schedule' };
      for (const f of outcome.firing) {
        const fired = await d.store.alerts.fire({
          projectId, type: rule.type, severity: f.severity, dedupKey: f.key, title: f.title, message: f.message,
          details: f.details, traceId: f.traceId ?? null, cooldownMinutes: config.cooldown_minutes, channels: active,
        });
        if (fired) report.fired.push(fired);
        else {
          const existing = open.find((a) => a.dedup_key === f.key);
          if (existing) await d.store.alerts.refresh(existing.id, { severity: f.severity, title: f.title, message: f.message, details: f.details });
        }
      }
      if (!outcome.settles) continue;
      const still = new Set(outcome.firing.map((f) => f.key));
      const readings = new Map((outcome.readings ?? []).map((f) => [f.key, f]));
      for (const a of open.filter((x) => x.type === rule.type && !still.has(x.dedup_key))) {
        const r = await d.store.alerts.resolve(projectId, a.id, 'auto', active, readings.get(a.dedup_key));
        if (r) report.resolved.push(r);
      }
    }
    for (const a of report.fired) d.logger.info({ alert: a.id, type: a.type, project: projectId }, 'alert fired');
    for (const a of report.resolved) d.logger.info({ alert: a.id, type: a.type, project: projectId }, 'alert resolved');
    return report;
  }

  /** Evaluate now; evaluations of one project never overlap within a process. */
  function evaluate(projectId: string, trigger: Trigger): Promise<EvaluationReport> {
    const prev = chains.get(projectId) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(() => run(projectId, trigger));
    chains.set(projectId, next);
    void next.finally(() => chains.get(projectId) === next && chains.delete(projectId)).catch(() => undefined);
    return next;
  }

  function merge(a: Trigger, b: Trigger): Trigger {
    if (a.kind === 'evaluations' && b.kind === 'evaluations') return { kind: 'evaluations', traces: [...a.traces, ...b.traces] };
    if (a.kind === 'schedule' || b.kind === 'schedule') return { kind: 'schedule' };
    return a.kind === b.kind ? a : { kind: 'schedule' }; // traces + evaluations: look at everything
  }

  return {
    evaluate,
    /** Note new data for a project; rules run shortly after, once for a burst. */
    notify(projectId: string, trigger: Trigger): void {
      const p = pending.get(projectId);
      if (p) {
        p.trigger = merge(p.trigger, trigger);
        return;
      }
      const entry = {
        trigger,
        timer: setTimeout(() => {
          pending.delete(projectId);
          evaluate(projectId, entry.trigger).catch((e: unknown) => d.logger.warn({ err: e, project: projectId }, 'alert evaluation failed'));
        }, d.debounceMs ?? 200),
      };
      entry.timer.unref();
      pending.set(projectId, entry);
    },
    /** Evaluate every configured project every `intervalMs` (resolution when traffic stops, day rollover). */
    start(intervalMs: number): void {
      const tick = async () => {
        for (const p of await d.store.alerts.configuredProjects()) {
          await evaluate(p, { kind: 'schedule' }).catch((e: unknown) => d.logger.warn({ err: e, project: p }, 'scheduled alert evaluation failed'));
        }
      };
      ticker = setInterval(() => void tick().catch(() => undefined), intervalMs);
      ticker.unref();
    },
    async stop(): Promise<void> {
      if (ticker) clearInterval(ticker);
      for (const p of pending.values()) clearTimeout(p.timer);
      pending.clear();
      await Promise.allSettled([...chains.values()]);
    },
  };
}

export type AlertEngine = ReturnType<typeof createAlertEngine>;
