import type { MonitorSource } from '../spec.js';
import type { Source } from './contract.js';

type AetherSpec = Extract<MonitorSource, { type: 'aether' }>;

/** Aether's own traces: the trace API's filters over the run's window; bodies loaded only for the sample. */
export function aetherSource(spec: AetherSpec, projectId: string, opts: { fields: boolean }): Source {
  return {
    key: `aether:${projectId}`,
    async list(ctx) {
      const since = ctx.since ?? new Date(ctx.until.getTime() - spec.window.lookback_minutes * 60_000);
      // Only stratified sampling reads fields before loading; otherwise ids and times suffice.
      const keys = await ctx.store.monitors.traceKeys(ctx.projectId, spec.filters, since, ctx.until, { fields: opts.fields });
      return keys.map((k) => ({ id: k.id, ts: k.ts, traceId: k.id, fields: opts.fields ? { ...k, timestamp: k.ts.toISOString() } : k }));
    },
    async load(items, ctx) {
      const out = new Map<string, Record<string, unknown>>();
      for (let i = 0; i < items.length; i += 500) {
        const traces = await ctx.store.traces.getMany(items.slice(i, i + 500).map((x) => ({ projectId: ctx.projectId, id: x.id })));
        for (const t of traces) out.set(t.id, t as unknown as Record<string, unknown>);
      }
      return out;
    },
  };
}
