import { DEFAULT_EVALUATION_CONFIG, errors, evaluationConfigSchema, fieldIssues, type EvaluationConfig } from '../core/index.js';
import type { Store } from '../storage/index.js';
import type { MetricRegistry } from './registry.js';

/** Per-project evaluation configs: validated on write, cached briefly on read (ingest asks per trace). */
export function createEvaluationSettings(store: Pick<Store, 'evaluationConfigs'>, registry: MetricRegistry, ttlMs = 5000) {
  const cache = new Map<string, { config: EvaluationConfig; expires: number }>();
  return {
    async get(projectId: string): Promise<EvaluationConfig> {
      const hit = cache.get(projectId);
      if (hit && hit.expires > Date.now()) return hit.config;
      const raw = await store.evaluationConfigs.get(projectId);
      const parsed = raw === undefined ? undefined : evaluationConfigSchema.safeParse(raw);
      const config = parsed?.success ? parsed.data : DEFAULT_EVALUATION_CONFIG;
      if (cache.size > 10_000) cache.clear();
      cache.set(projectId, { config, expires: Date.now() + ttlMs });
      return config;
    },
    /** Validate (400 naming the field) and store; returns the config with defaults filled in. */
    async put(projectId: string, raw: unknown): Promise<EvaluationConfig> {
      const r = evaluationConfigSchema.safeParse(raw);
      if (!r.success) throw errors.validation(fieldIssues(r.error));
      const custom = new Set(r.data.custom_metrics.map((c) => c.name));
      const unknown = r.data.metrics.map((m, i) => [m, i] as const).filter(([m]) => !registry.has(m) && !custom.has(m));
      if (unknown.length) {
        throw errors.validation(
          unknown.map(([m, i]) => ({ field: `metrics.${i}`, message: `unknown metric "${m}"; known: ${[...registry.keys(), ...custom].join(', ')}` })),
        );
      }
      await store.evaluationConfigs.put(projectId, r.data);
      cache.delete(projectId);
      return r.data;
    },
  };
}

export type EvaluationSettings = ReturnType<typeof createEvaluationSettings>;
