// Offline check of the local embedder on SciFact (exact cosine in memory, no store): nDCG@10 per
// option set. Used to pick the defaults of localEmbedder; `npx tsx bench/rag/embedder-eval.ts`.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { localEmbedder, type LocalEmbedderOptions } from '../../src/rag/index.js';
import { loadScifact, ndcg } from './data.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const { docs, queries, qrels } = loadScifact(process.env.BENCH_RAG_DATA ?? resolve(root, '../shared/data/scifact'));
const variants: LocalEmbedderOptions[] = JSON.parse(process.env.VARIANTS ?? '[{}]') as LocalEmbedderOptions[];
for (const v of variants) {
  const e = localEmbedder(v);
  const dv = await e.embed(docs.map((d) => `${d.title}\n${d.text}`));
  const qv = await e.embed(queries.map((q) => q.text));
  let sum = 0;
  qv.forEach((q, qi) => {
    const scored = dv.map((d, i) => {
      let s = 0;
      for (let j = 0; j < d.length; j++) s += d[j]! * q[j]!;
      return [s, i] as const;
    });
    scored.sort((a, b) => b[0] - a[0]);
    sum += ndcg(scored.slice(0, 10).map(([, i]) => docs[i]!.id), qrels.get(queries[qi]!.id)!, 10);
  });
  console.log(JSON.stringify(v), 'nDCG@10', (sum / queries.length).toFixed(4));
}
