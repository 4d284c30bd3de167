import type { Alert, AlertConfig } from '../core/index.js';
import type { Logger } from '../core/logger.js';
import { retryDelay } from '../queue/index.js';
import type { Delivery, Store } from '../storage/index.js';
import { channels } from './channels/index.js';
import { DeliveryError, type AlertChannel, type AlertMessage, type NoticeSource } from './contract.js';
import type { AlertSettings } from './settings.js';

export interface DelivererDeps {
  store: Pick<Store, 'alerts' | 'projects'>;
  settings: AlertSettings;
  logger: Logger;
  publicUrl: string;
  fetch?: typeof fetch;
  /** First retry delay (doubles per attempt, full jitter, capped at 5 min). */
  retryBaseMs: number;
  /** Give up on a delivery this long after it was queued. */
  maxAgeMs: number;
  timeoutMs: number;
  /** Loads change notices queued by other features (deliveries with event `notice`). */
  notices?: NoticeSource | undefined;
}

/** Names of the enabled channels of a config that carry change notices. */
export function noticeChannels(config: AlertConfig | undefined): string[] {
  if (!config) return [];
  return Object.values(channels as Record<string, AlertChannel>).filter((c) => c.notify && c.enabled(config)).map((c) => c.name);
}

export function alertLink(publicUrl: string, a: Pick<Alert, 'trace_id' | 'id'>): string {
  const base = publicUrl.replace(/\/$/, '');
  return a.trace_id ? `${base}/traces/${encodeURIComponent(a.trace_id)}` : `${base}/alerts/${encodeURIComponent(a.id)}`;
}

/**
 * Sends queued notifications. Each delivery is retried with exponential backoff and jitter until it
 * is sent or too old; every attempt is recorded. A channel down for minutes delays alerts only.
 */
export function createDeliverer(d: DelivererDeps) {
  const doFetch = d.fetch ?? fetch;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<number> | undefined;

  const failed = (job: Delivery, e: unknown): { ok: false; error: string; statusCode?: number; retryInMs: number | null } => {
    const err = e instanceof DeliveryError ? e : new DeliveryError((e as Error).message, true);
    const tooOld = Date.now() - job.createdAt.getTime() > d.maxAgeMs;
    const retryInMs = err.retryable && !tooOld ? retryDelay(job.attempts, d.retryBaseMs) : null;
    d.logger.warn({ channel: job.channel, delivery: job.alertId, event: job.event, attempt: job.attempts, err: err.message, retryInMs }, 'delivery failed');
    return { ok: false, error: err.message, ...(err.statusCode !== undefined ? { statusCode: err.statusCode } : {}), retryInMs };
  };

  async function deliverNotice(job: Delivery, settle: (o: Parameters<typeof d.store.alerts.settleDelivery>[1]) => Promise<void>): Promise<void> {
    const [notice, config, project] = await Promise.all([d.notices?.(job.projectId, job.alertId), d.settings.get(job.projectId), d.store.projects.get(job.projectId)]);
    const channel = (channels as Record<string, AlertChannel>)[job.channel];
    if (!notice || !config || !channel?.notify || !channel.enabled(config)) {
      return settle({ ok: false, error: `not sent: ${!notice ? 'notice gone' : 'channel disabled or unconfigured'}`, retryInMs: null });
    }
    const { path, ...rest } = notice;
    try {
      await channel.notify({ ...rest, projectName: project?.name ?? job.projectId, link: `${d.publicUrl.replace(/\/$/, '')}${path}` }, config, { fetch: doFetch, logger: d.logger, timeoutMs: d.timeoutMs });
      await settle({ ok: true });
    } catch (e) {
      await settle(failed(job, e));
    }
  }

  async function deliver(job: Delivery): Promise<void> {
    const started = performance.now();
    const settle = (outcome: Parameters<typeof d.store.alerts.settleDelivery>[1]) =>
      d.store.alerts.settleDelivery(job, outcome, performance.now() - started);
    if (job.event === 'notice') return deliverNotice(job, settle);
    const [alert, config, project] = await Promise.all([
      d.store.alerts.get(job.projectId, job.alertId),
      d.settings.get(job.projectId),
      d.store.projects.get(job.projectId),
    ]);
    const channel = (channels as Record<string, AlertChannel>)[job.channel];
    if (!alert || !config || !channel || !channel.enabled(config)) {
      return settle({ ok: false, error: `not sent: ${!alert ? 'alert gone' : !channel ? 'unknown channel' : 'channel disabled or unconfigured'}`, retryInMs: null });
    }
    const msg: AlertMessage = { event: job.event, alert, projectName: project?.name ?? job.projectId, link: alertLink(d.publicUrl, alert) };
    try {
      await channel.send(msg, config, { fetch: doFetch, logger: d.logger, timeoutMs: d.timeoutMs });
      await settle({ ok: true });
    } catch (e) {
      await settle(failed(job, e));
    }
  }

  /** Send what is due; returns how many deliveries were attempted. */
  function runOnce(): Promise<number> {
    running ??= (async () => {
      try {
        const due = await d.store.alerts.claimDeliveries(20, Math.max(30_000, d.timeoutMs * 3));
        await Promise.all(due.map((j) => deliver(j).catch((e: unknown) => d.logger.error({ err: e }, 'delivery bookkeeping failed'))));
        return due.length;
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  return {
    runOnce,
    /** Send a test message to every enabled channel now; returns each channel's outcome. */
    async test(projectId: string): Promise<Array<{ channel: string; ok: boolean; error?: string }>> {
      const config = await d.settings.get(projectId);
      const project = await d.store.projects.get(projectId);
      if (!config) return [];
      const now = new Date().toISOString();
      const alert: Alert = {
        id: 'test', project_id: projectId, type: 'test', severity: 'info', status: 'open', dedup_key: 'test',
        title: 'Aether test message', message: 'Alerts from Aether will arrive here.', details: {}, trace_id: null,
        created_at: now, updated_at: now, resolved_at: null, resolved_by: null,
      };
      const out: Array<{ channel: string; ok: boolean; error?: string }> = [];
      for (const c of Object.values(channels).filter((x) => x.enabled(config))) {
        try {
          await c.send({ event: 'test', alert, projectName: project?.name ?? projectId, link: d.publicUrl }, config, { fetch: doFetch, logger: d.logger, timeoutMs: d.timeoutMs });
          out.push({ channel: c.name, ok: true });
        } catch (e) {
          out.push({ channel: c.name, ok: false, error: (e as Error).message });
        }
      }
      return out;
    },
    start(pollMs: number): void {
      const loop = async () => {
        while ((await runOnce().catch((e: unknown) => (d.logger.warn({ err: e }, 'delivery loop error'), 0))) > 0) {
          // drain everything due before sleeping
        }
      };
      timer = setInterval(() => void loop(), pollMs);
      timer.unref();
    },
    async stop(): Promise<void> {
      if (timer) clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

export type Deliverer = ReturnType<typeof createDeliverer>;
