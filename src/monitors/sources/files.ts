import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { langfuseToTrace, parseLangfuseFile, type LangfuseFile } from '../../ingest/index.js';
import { getPath } from '../paths.js';
import type { MonitorSource } from '../spec.js';
import { inWindow, toDate, type Source, type SourceItem } from './contract.js';

type FileSpec = Extract<MonitorSource, { type: 'jsonl' | 'csv' | 'langfuse_file' }>;

const paths = (spec: FileSpec, baseDir: string) => (Array.isArray(spec.path) ? spec.path : [spec.path]).map((p) => resolve(baseDir, p));

function itemOf(row: Record<string, unknown>, spec: FileSpec, fallbackId: string): SourceItem {
  const id = getPath(row, spec.id_field ?? 'id');
  const ts = toDate(getPath(row, spec.time_field ?? 'timestamp'));
  return { id: id === undefined || id === null || id === '' ? fallbackId : String(id), ts, fields: row };
}

const contentId = (s: string) => `sha1:${createHash('sha1').update(s).digest('hex').slice(0, 20)}`;

function readRows(file: string, type: FileSpec['type']): Array<{ row: Record<string, unknown>; raw: string }> {
  const text = readFileSync(file, 'utf8');
  if (type === 'csv') {
    const rows = parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as Array<Record<string, string>>;
    return rows.map((row) => ({ row: Object.fromEntries(Object.entries(row).map(([k, v]) => [k, jsonish(v)])), raw: JSON.stringify(row) }));
  }
  return text.split('\n').flatMap((line, i) => {
    if (!line.trim()) return [];
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw new Error(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
    }
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error(`${file}:${i + 1}: each line must be a JSON object`);
    return [{ row: v as Record<string, unknown>, raw: line }];
  });
}

/** CSV cells holding JSON lists or objects (contexts, metadata) are read as JSON. */
function jsonish(v: string): unknown {
  const t = v.trim();
  if ((t.startsWith('[') && t.endsWith(']')) || (t.startsWith('{') && t.endsWith('}'))) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

/** JSONL and CSV files: one item per line or row; id from `id_field` (default `id`), else from content. */
export function tabularSource(spec: Extract<FileSpec, { type: 'jsonl' | 'csv' }>, baseDir: string): Source {
  const files = paths(spec, baseDir);
  return {
    key: `${spec.type}:${files.join(',')}`.slice(0, 1000),
    async list(ctx) {
      const items = files.flatMap((f) => readRows(f, spec.type).map(({ row, raw }) => itemOf(row, spec, contentId(raw))));
      return inWindow(items, ctx, !!spec.window);
    },
  };
}

/** Langfuse export files (as in shared/data/traces/langfuse): mapped by the ingest module's Langfuse mapping. */
export function langfuseFileSource(spec: Extract<FileSpec, { type: 'langfuse_file' }>, baseDir: string): Source {
  const files = paths(spec, baseDir);
  const parse = (f: string): LangfuseFile => parseLangfuseFile(JSON.parse(readFileSync(f, 'utf8')) as unknown);
  return {
    key: `langfuse_file:${files.join(',')}`.slice(0, 1000),
    async list(ctx) {
      const items: SourceItem[] = [];
      for (const f of files) {
        const parsed = parse(f);
        if (parsed.kind !== 'traces') continue;
        const companion = f.replace(/\.trace\.json$/, '.chatml.json');
        const chat = companion !== f && existsSync(companion) ? parse(companion) : undefined;
        const chatml = chat?.kind === 'chatml' ? chat.observations : undefined;
        for (const x of parsed.traces) {
          const body = langfuseToTrace(x, chatml);
          items.push(itemOf({ ...body, raw: x.trace, observations: x.observations }, spec, contentId(JSON.stringify(x.trace))));
        }
      }
      return inWindow(items, ctx, !!spec.window);
    },
  };
}
