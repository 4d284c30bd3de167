import { z } from 'zod';
import { dbText } from '../core/index.js';
import { POLICY_NAMES, type PolicyName } from './policies.js';

/** Per-project router settings (stored as JSON; defaults filled in). */
export const routerSettingsSchema = z.strictObject({
  default_policy: z.enum(POLICY_NAMES as [PolicyName, ...PolicyName[]]).default('cheapest'),
  min_quality: z.number().min(0).max(1).default(0.7),
  quality_gap: z.number().min(0).max(1).nullable().default(null),
  quality_per_usd: z.number().min(0).nullable().default(null),
  max_cost_usd: z.number().positive().nullable().default(null),
  max_latency_ms: z.number().positive().nullable().default(null),
  utility_weights: z.strictObject({ quality: z.number().min(0).max(100), cost: z.number().min(0).max(100), latency: z.number().min(0).max(100) }).default({ quality: 1, cost: 0.3, latency: 0.1 }),
  /** The models `auto` chooses among; null = every priced model the project can reach through the gateway. */
  models: z.array(dbText({ min: 1, max: 256 })).min(1).max(500).nullable().default(null),
  /** Models allowed to see personal data; null = no restriction. */
  pii_models: z.array(dbText({ min: 1, max: 256 })).max(500).nullable().default(null),
  exploration: z
    .strictObject({
      enabled: z.boolean().default(true),
      /** USD per UTC day that exploratory choices may cost above the exploit choice. */
      daily_cap_usd: z.number().min(0).max(1e6).default(1),
    })
    .default({ enabled: true, daily_cap_usd: 1 }),
});

export type RouterSettings = z.infer<typeof routerSettingsSchema>;
export const DEFAULT_SETTINGS: RouterSettings = routerSettingsSchema.parse({});
