import { AetherError } from '../../core/errors.js';
import { TRACE_LIMITS } from '../../core/schemas/trace.js';
import type { Ingest, ProjectScope } from '../index.js';
import { parseLangfuseFile, type ChatmlView, type LangfuseFile } from './parse.js';
import { langfuseToTrace } from './to-trace.js';

/** One file's parsed JSON and the name to report it by. */
export interface LangfuseSource {
  name: string;
  json: unknown;
}

export interface LangfuseFileSummary {
  file: string;
  kind: 'traces' | 'chatml' | 'invalid';
  /** Traces in the file, and how many were stored, already present, or rejected. */
  traces: number;
  imported: number;
  duplicates: number;
  rejected: number;
  /** Spans of the traces stored by this run. */
  spans: number;
  /** For a ChatML file: observations that belong to a trace imported in this run. */
  matched?: number;
  errors: string[];
}

export interface LangfuseImportSummary {
  files: LangfuseFileSummary[];
  imported: number;
  spans: number;
  duplicates: number;
  rejected: number;
}

const message = (e: unknown) => (e instanceof AetherError || e instanceof Error ? e.message : String(e));

/**
 * Import Langfuse exports through the ordinary ingest path: each trace is validated, stored once
 * (a trace id already stored is a duplicate, so importing a file twice stores nothing new) and
 * sampled for evaluation like any other. ChatML files given alongside help find questions and answers.
 */
export async function importLangfuse(ingest: Pick<Ingest, 'ingestBatch'>, scope: ProjectScope, sources: LangfuseSource[]): Promise<LangfuseImportSummary> {
  const parsed: Array<{ name: string; file?: LangfuseFile; error?: string }> = sources.map((s) => {
    try {
      return { name: s.name, file: parseLangfuseFile(s.json) };
    } catch (e) {
      return { name: s.name, error: message(e) };
    }
  });
  const chatml = new Map<string, ChatmlView>();
  for (const p of parsed) if (p.file?.kind === 'chatml') for (const [id, v] of p.file.observations) chatml.set(id, v);
  const seenObservations = new Set<string>();
  const files: LangfuseFileSummary[] = [];
  for (const p of parsed) {
    const sum: LangfuseFileSummary = { file: p.name, kind: p.file?.kind ?? 'invalid', traces: 0, imported: 0, duplicates: 0, rejected: 0, spans: 0, errors: p.error ? [p.error] : [] };
    files.push(sum);
    if (p.file?.kind !== 'traces') continue;
    const exports = p.file.traces;
    sum.traces = exports.length;
    for (const x of exports) for (const o of x.observations) seenObservations.add(o.id);
    for (let i = 0; i < exports.length; i += TRACE_LIMITS.batch) {
      const chunk = exports.slice(i, i + TRACE_LIMITS.batch);
      const r = await ingest.ingestBatch(scope, { traces: chunk.map((x) => langfuseToTrace(x, chatml)) });
      for (const item of r.results) {
        const x = chunk[item.index]!;
        if (item.status !== 201) {
          sum.rejected++;
          sum.errors.push(`trace ${x.trace.id}: ${item.error.message}`);
        } else if (item.duplicate) sum.duplicates++;
        else {
          sum.imported++;
          sum.spans += x.observations.length;
        }
      }
    }
  }
  for (const [i, p] of parsed.entries()) {
    if (p.file?.kind === 'chatml') files[i]!.matched = [...p.file.observations.keys()].filter((id) => seenObservations.has(id)).length;
  }
  const total = (pick: (f: LangfuseFileSummary) => number) => files.reduce((n, f) => n + pick(f), 0);
  return { files, imported: total((f) => f.imported), spans: total((f) => f.spans), duplicates: total((f) => f.duplicates), rejected: total((f) => f.rejected) };
}
