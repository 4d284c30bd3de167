// Copies the non-TypeScript files the server reads at run time into dist/.
import { cpSync } from 'node:fs';

for (const path of ['storage/migrations', 'core/pricing/prices.json', 'evals/detector/params.json']) {
  try {
    cpSync(`src/${path}`, `dist/${path}`, { recursive: true });
  } catch (e) {
    if (e.code !== 'ENOENT') throw e;
  }
}
