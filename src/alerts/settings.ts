import { alertConfigSchema, DEFAULT_ALERT_CONFIG, errors, fieldIssues, maskSecret, type AlertConfig, type SecretBox } from '../core/index.js';
import type { Store } from '../storage/index.js';

const SECRET_FIELDS = ['slack_webhook_url', 'webhook_secret'] as const;

/** Per-project alert configs: validated, secrets encrypted at rest, shown masked. */
export function createAlertSettings(store: Pick<Store, 'alerts'>, box: SecretBox, ttlMs = 5000) {
  const cache = new Map<string, { config: AlertConfig | undefined; expires: number }>();

  async function load(projectId: string): Promise<AlertConfig | undefined> {
    const hit = cache.get(projectId);
    if (hit && hit.expires > Date.now()) return hit.config;
    const raw = (await store.alerts.getConfig(projectId)) as Record<string, unknown> | undefined;
    let config: AlertConfig | undefined;
    if (raw) {
      const open = { ...raw };
      for (const f of SECRET_FIELDS) if (typeof open[f] === 'string') open[f] = box.open(open[f]);
      const parsed = alertConfigSchema.safeParse(open);
      config = parsed.success ? parsed.data : undefined;
    }
    cache.set(projectId, { config, expires: Date.now() + ttlMs });
    return config;
  }

  const masked = (c: AlertConfig): AlertConfig => {
    const out = { ...c };
    for (const f of SECRET_FIELDS) if (out[f]) out[f] = maskSecret(out[f]);
    return out;
  };

  return {
    /** The stored config (secrets in clear, for the engine), or undefined when the project has none. */
    get: load,
    /** The config as the API shows it: defaults filled in, secrets masked. */
    async view(projectId: string): Promise<AlertConfig> {
      return masked((await load(projectId)) ?? DEFAULT_ALERT_CONFIG);
    },
    /** Validate and store. A secret sent back in its masked form keeps the stored value. */
    async put(projectId: string, raw: unknown): Promise<AlertConfig> {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw errors.validation([{ field: '', message: 'must be a JSON object' }]);
      const current = await load(projectId);
      const input = { ...(raw as Record<string, unknown>) };
      for (const f of SECRET_FIELDS) {
        const cur = current?.[f];
        if (cur && input[f] === maskSecret(cur)) input[f] = cur;
      }
      const r = alertConfigSchema.safeParse(input);
      if (!r.success) throw errors.validation(fieldIssues(r.error));
      if (r.data.slack_enabled && !r.data.slack_webhook_url) throw errors.validation([{ field: 'slack_webhook_url', message: 'is required when slack_enabled is true' }]);
      if (r.data.webhook_enabled && !r.data.webhook_url) throw errors.validation([{ field: 'webhook_url', message: 'is required when webhook_enabled is true' }]);
      const stored: Record<string, unknown> = { ...r.data };
      for (const f of SECRET_FIELDS) if (typeof stored[f] === 'string') stored[f] = box.seal(stored[f]);
      await store.alerts.putConfig(projectId, stored);
      cache.delete(projectId);
      return masked(r.data);
    },
  };
}

export type AlertSettings = ReturnType<typeof createAlertSettings>;
