import type { MonitorsRepo, TracesRepo } from '../../storage/index.js';
import type { Sampleable } from '../sample.js';

/** One thing a monitor may score: its id, time and the fields extractors and strata read. */
export interface SourceItem extends Sampleable {
  /** Set when the item is a stored Aether trace: scores are attached to it. */
  traceId?: string;
}

export interface SourceContext {
  projectId: string;
  /** The window this run covers; sources without times ignore it. */
  since: Date | null;
  until: Date;
  /** Relative paths in the spec resolve against this folder. */
  baseDir: string;
  /** For `${VAR}` references in secrets. */
  env: Readonly<Record<string, string | undefined>>;
  fetch: typeof fetch;
  store: { traces: Pick<TracesRepo, 'getMany'>; monitors: Pick<MonitorsRepo, 'traceKeys'> };
}

/** A data source: lists candidate items cheaply, then loads the full body of the few sampled. */
export interface Source {
  /** Identifies the data for dedup: the same data under two monitors is deduplicated per monitor. */
  readonly key: string;
  list(ctx: SourceContext): Promise<SourceItem[]>;
  /** Full items for extraction (defaults to the listed fields). */
  load?(items: SourceItem[], ctx: SourceContext): Promise<Map<string, Record<string, unknown>>>;
}

/** Read `${NAME}` references from the environment; a missing one is an error naming it. */
export function expandEnv(value: string, env: SourceContext['env'], field: string): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const v = env[name];
    if (v === undefined || v === '') throw new Error(`${field}: environment variable ${name} is not set`);
    return v;
  });
}

/** Keep items whose time lies in the window (items without a time are kept). */
export function inWindow(items: SourceItem[], ctx: SourceContext, applies: boolean): SourceItem[] {
  if (!applies) return items;
  return items.filter((i) => !i.ts || ((!ctx.since || i.ts >= ctx.since) && i.ts < ctx.until));
}

export const toDate = (v: unknown): Date | null => {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v < 1e12 ? v * 1000 : v);
  if (typeof v === 'string' && v) {
    const n = /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
    const d = Number.isFinite(n) ? new Date(n < 1e12 ? n * 1000 : n) : new Date(v);
    return Number.isNaN(d.getTime()) ? null : d;
  }
  return null;
};
