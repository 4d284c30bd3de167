import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { AetherError } from '../core/errors.js';
import { createEvaluationSettings, createRegistry } from '../evals/index.js';
import { createIngest, createPriceBook, importLangfuse, type LangfuseImportSummary, type LangfuseSource } from '../ingest/index.js';
import type { Store } from '../storage/index.js';

/** Runs `fn` on the store the global flags configure, closing it afterwards (main.ts's withStore). */
export type StoreRunner = (cmd: Command, fn: (store: Store, flags: { json?: boolean }) => Promise<void>) => Promise<void>;

function readSource(file: string): LangfuseSource {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { name: file, json: new AetherError(400, 'unreadable', `cannot read ${file}: ${(e as Error).message}`) };
  }
  try {
    return { name: file, json: JSON.parse(text) as unknown };
  } catch (e) {
    return { name: file, json: new AetherError(400, 'invalid_json', `${file} is not JSON: ${(e as Error).message}`) };
  }
}

/** Import Langfuse export files into a project of the store; the summary says what was stored. */
export async function importLangfuseFiles(store: Store, projectRef: string, files: string[]): Promise<LangfuseImportSummary> {
  const project = await store.projects.find(projectRef);
  if (!project) throw new AetherError(404, 'not_found', `No project "${projectRef}"; list them with \`aether projects list\``);
  const settings = createEvaluationSettings(store, createRegistry());
  const ingest = createIngest(store.traces, {
    prices: createPriceBook(store.modelPrices),
    samplingRate: async (id) => {
      const c = await settings.get(id);
      return c.enabled ? c.sampling_rate : 0;
    },
  });
  const sources = files.map(readSource);
  // Unreadable files are reported like invalid ones instead of stopping the others.
  const readable = sources.filter((s) => !(s.json instanceof AetherError));
  const summary = await importLangfuse(ingest, { id: project.id, slug: project.slug }, readable);
  for (const s of sources) {
    if (s.json instanceof AetherError) summary.files.push({ file: s.name, kind: 'invalid', traces: 0, imported: 0, duplicates: 0, rejected: 0, spans: 0, errors: [s.json.message] });
  }
  await ingest.writer.flushed();
  return summary;
}

function lines(s: LangfuseImportSummary, project: string): string[] {
  const out = s.files.map((f) => {
    const name = basename(f.file);
    if (f.kind === 'chatml') return `${name}: ChatML view of observations (${f.matched ?? 0} matched an imported trace)`;
    if (f.kind === 'invalid') return `${name}: not imported: ${f.errors.join('; ')}`;
    const extra = [f.duplicates ? `${f.duplicates} already stored` : '', f.rejected ? `${f.rejected} rejected` : ''].filter(Boolean).join(', ');
    return `${name}: ${f.imported}/${f.traces} trace(s), ${f.spans} span(s)${extra ? ` (${extra})` : ''}${f.errors.length ? `\n  ${f.errors.join('\n  ')}` : ''}`;
  });
  out.push(`imported ${s.imported} trace(s) with ${s.spans} span(s) into project ${project}; ${s.duplicates} duplicate(s) skipped; ${s.rejected} rejected`);
  return out;
}

/** Register `aether import langfuse FILE…`. */
export function registerImport(program: Command, withStore: StoreRunner): void {
  const imp = program.command('import').description('import traces from other tools');
  imp
    .command('langfuse <files...>')
    .description('import Langfuse trace exports (*.trace.json; *.chatml.json alongside help find questions and answers)')
    .option('--project <ref>', 'destination project id or slug', 'default')
    .action(async (files: string[], o: { project: string }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const summary = await importLangfuseFiles(store, o.project, files);
        if (flags.json) console.log(JSON.stringify(summary, null, 2));
        else for (const l of lines(summary, o.project)) console.log(l);
        const bad = summary.files.filter((f) => f.kind === 'invalid' || f.rejected > 0).length;
        if (bad) throw new AetherError(400, 'import_incomplete', `${bad} file(s) could not be imported in full; see above`);
      }),
    );
}
