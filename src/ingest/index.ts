import { errors } from '../core/errors.js';
import { fieldIssues, parseOrThrow } from '../core/validate.js';
import { batchInputSchema, traceInputSchema } from '../core/schemas/trace.js';
import { sampled } from '../core/schemas/evaluation.js';
import { AetherError } from '../core/errors.js';
import type { TracesRepo } from '../storage/index.js';
import { normalizeTrace, type NormalizedTrace } from './normalize.js';
import { TraceWriter, traceKey, type TraceWriterOptions } from './writer.js';
import type { PriceOverrides } from '../core/pricing/index.js';
import { createPriceBook, type PriceBook } from './prices.js';

export { normalizeTrace, TraceWriter, traceKey, createPriceBook };
export type { NormalizedTrace, PriceBook };
export * from './otlp/index.js';
export * from './langfuse/index.js';

/** The project a request is authenticated for. */
export interface ProjectScope {
  id: string;
  slug: string;
}

export type BatchItemResult =
  | { index: number; status: 201; id: string; duplicate: boolean }
  | { index: number; status: 400 | 403; error: { code: string; message: string; details?: Record<string, unknown> } };

export interface BatchResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  results: BatchItemResult[];
}

function checkProject(scope: ProjectScope, claimed: string | undefined): void {
  if (claimed !== undefined && claimed !== scope.id && claimed !== scope.slug) {
    throw errors.forbidden(
      `project_id "${claimed}" is not the project of this API key; omit project_id or use a key of that project`,
    );
  }
}

/** Validate one raw body into rows for the scope's project. */
function prepare(scope: ProjectScope, raw: unknown, now: Date, prices: PriceOverrides): NormalizedTrace {
  if (raw === undefined) throw errors.badRequest('Body is empty: send a JSON trace object', 'invalid_json');
  const input = parseOrThrow(traceInputSchema, raw);
  checkProject(scope, input.project_id);
  return normalizeTrace(scope.id, input, now, prices);
}

export interface IngestOptions extends TraceWriterOptions {
  /** Share of a project's traces to evaluate (0 disables); default: none. */
  samplingRate?: (projectId: string) => Promise<number>;
  /** The project's own model prices, used before the bundled table when a trace sends no cost. */
  prices?: PriceBook;
}

const NO_PRICES: PriceBook = { get: async () => ({}), peek: () => ({}), invalidate: () => {} };

/** Trace ingestion: validation, normalization, and group-committed writes. */
export function createIngest(repo: Pick<TracesRepo, 'insertMany'>, opts: IngestOptions = {}) {
  const writer = new TraceWriter(repo, opts);
  const rateOf = opts.samplingRate ?? (async () => 0);
  const prices = opts.prices ?? NO_PRICES;
  const pricesOf = (projectId: string): Promise<PriceOverrides> => prices.get(projectId);
  // The gateway's traces of the platform's own calls (the judge) are never evaluated: evaluating
  // them would call the judge again, for ever.
  const internal = (i: NormalizedTrace) => {
    const m = i.trace.metadata as Record<string, unknown> | null | undefined;
    return m?.source === 'gateway' && m.internal === true;
  };
  const mark = (items: NormalizedTrace[], rate: number) => {
    for (const i of items) i.evaluate = !internal(i) && sampled(i.trace.id, rate);
  };
  return {
    writer,
    /** The per-project prices this ingest uses (the OTLP receiver and the gateway read the same book). */
    prices,
    /** Ingest one trace; resolves with its id once committed. */
    async ingestOne(scope: ProjectScope, raw: unknown): Promise<{ id: string; duplicate: boolean }> {
      const item = prepare(scope, raw, new Date(), await pricesOf(scope.id));
      mark([item], await rateOf(scope.id));
      const { created, failed } = await writer.write([item]);
      const key = traceKey(scope.id, item.trace.id);
      const refused = failed.get(key);
      if (refused) throw refused;
      return { id: item.trace.id, duplicate: !created.has(key) };
    },
    /** Ingest a batch; each item is accepted or rejected on its own. */
    async ingestBatch(scope: ProjectScope, raw: unknown): Promise<BatchResult> {
      if (raw === undefined) throw errors.badRequest('Body is empty: send {"traces": [...]}', 'invalid_json');
      const body = parseOrThrow(batchInputSchema, raw);
      const now = new Date();
      const prices = await pricesOf(scope.id);
      const results: BatchItemResult[] = [];
      const ok: Array<{ index: number; item: NormalizedTrace }> = [];
      const seen = new Set<string>();
      body.traces.forEach((t, index) => {
        const parsed = traceInputSchema.safeParse(t);
        try {
          if (!parsed.success) throw errors.validation(fieldIssues(parsed.error, `traces.${index}`));
          checkProject(scope, parsed.data.project_id);
          const item = normalizeTrace(scope.id, parsed.data, now, prices);
          ok.push({ index, item });
        } catch (e) {
          if (!(e instanceof AetherError) || (e.status !== 400 && e.status !== 403)) throw e;
          results.push({ index, status: e.status, error: e.toJSON().error });
        }
      });
      mark(ok.map((o) => o.item), ok.length ? await rateOf(scope.id) : 0);
      const { created, failed } = ok.length ? await writer.write(ok.map((o) => o.item)) : { created: new Set<string>(), failed: new Map() };
      for (const { index, item } of ok) {
        const key = traceKey(scope.id, item.trace.id);
        const refused = failed.get(key);
        if (refused) {
          results.push({ index, status: 400, error: refused.toJSON().error });
          continue;
        }
        // An id repeated inside one batch is stored once; later copies count as duplicates.
        const duplicate = !created.has(key) || seen.has(key);
        seen.add(key);
        results.push({ index, status: 201, id: item.trace.id, duplicate });
      }
      results.sort((a, b) => a.index - b.index);
      const accepted = results.filter((r) => r.status === 201 && !r.duplicate).length;
      const duplicates = results.filter((r) => r.status === 201 && r.duplicate).length;
      return { accepted, duplicates, rejected: results.length - accepted - duplicates, results };
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
export { applyRetention, startRetention, type RetentionResult, type RetentionOptions } from './retention.js';
