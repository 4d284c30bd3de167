import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import type { Command } from 'commander';
import { AetherError } from '../core/errors.js';
import { createRag, parseFile, SUPPORTED_EXTENSIONS, type DocumentInput } from '../rag/index.js';
import type { StoreRunner } from './import.js';

/** Files under the given paths with a supported extension (directories are walked). */
export function ragFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (p: string) => {
    const s = statSync(p);
    if (s.isDirectory()) {
      for (const n of readdirSync(p).sort()) if (!n.startsWith('.') && n !== 'node_modules') walk(join(p, n));
    } else if ((SUPPORTED_EXTENSIONS as readonly string[]).includes(extname(p).toLowerCase())) out.push(p);
    else if (paths.includes(p)) throw new AetherError(400, 'unsupported_file', `${p}: unsupported file type (supported: ${SUPPORTED_EXTENSIONS.join(', ')})`);
  };
  for (const p of paths) {
    try {
      walk(p);
    } catch (e) {
      if (e instanceof AetherError) throw e;
      throw new AetherError(400, 'unreadable', `cannot read ${p}: ${(e as Error).message}`);
    }
  }
  return out;
}

/** Register `aether rag add PATH…`, `aether rag search QUERY` and `aether rag collections`. */
export function registerRag(program: Command, withStore: StoreRunner): void {
  const rag = program.command('rag').description('retrieval collections: index files, search them');
  rag
    .command('add <paths...>')
    .description(`index files (${SUPPORTED_EXTENSIONS.join(', ')}; directories are walked) into a collection; unchanged files are skipped`)
    .option('--project <ref>', 'project id or slug', 'default')
    .option('--collection <name>', 'collection name (created when missing)', 'default')
    .action(async (paths: string[], o: { project: string; collection: string }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const project = await store.projects.find(o.project);
        if (!project) throw new AetherError(404, 'not_found', `No project "${o.project}"; list them with \`aether projects list\``);
        // The CLI works on the store directly, without the gateway: it embeds with the local embedder.
        const service = createRag({ repo: store.rag });
        const ref = { id: project.id, slug: project.slug };
        await service.createCollection(ref, o.collection);
        const docs: DocumentInput[] = [];
        for (const f of ragFiles(paths)) {
          const source = relative(process.cwd(), f) || f;
          for (const d of parseFile(source, readFileSync(f, 'utf8'))) docs.push(d);
        }
        const counts = { created: 0, updated: 0, unchanged: 0 };
        let chunks = 0;
        for (let i = 0; i < docs.length; i += 200) {
          const r = await service.addDocuments(ref, o.collection, docs.slice(i, i + 200));
          chunks += r.chunks;
          for (const d of r.documents) counts[d.status]++;
        }
        const summary = { collection: o.collection, documents: docs.length, ...counts, chunks };
        if (flags.json) console.log(JSON.stringify(summary, null, 2));
        else console.log(`${o.collection}: ${docs.length} document(s): ${counts.created} new, ${counts.updated} updated, ${counts.unchanged} unchanged; ${chunks} chunk(s) indexed`);
      }),
    );
  rag
    .command('search <query>')
    .description('search a collection (not traced)')
    .option('--project <ref>', 'project id or slug', 'default')
    .option('--collection <name>', 'collection name', 'default')
    .option('-k <n>', 'results', '5')
    .option('--mode <mode>', 'bm25, vector or hybrid', 'hybrid')
    .action(async (query: string, o: { project: string; collection: string; k: string; mode: 'bm25' | 'vector' | 'hybrid' }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const project = await store.projects.find(o.project);
        if (!project) throw new AetherError(404, 'not_found', `No project "${o.project}"`);
        const r = await createRag({ repo: store.rag }).search({ id: project.id, slug: project.slug }, o.collection, { query, k: Number(o.k), mode: o.mode, trace: false });
        if (flags.json) console.log(JSON.stringify(r, null, 2));
        else for (const c of r.contexts) console.log(`[${String(c.metadata?.citation)}] ${c.score?.toFixed(4)} ${c.source}\n    ${c.text.slice(0, 200).replace(/\s+/g, ' ')}`);
      }),
    );
  rag
    .command('collections')
    .description("list a project's collections")
    .option('--project <ref>', 'project id or slug', 'default')
    .action(async (o: { project: string }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const project = await store.projects.find(o.project);
        if (!project) throw new AetherError(404, 'not_found', `No project "${o.project}"`);
        const list = await store.rag.listCollections(project.id);
        if (flags.json) console.log(JSON.stringify(list, null, 2));
        else for (const c of list) console.log(`${c.name} (${c.id}): ${c.document_count} document(s), ${c.chunk_count} chunk(s)`);
      }),
    );
}
