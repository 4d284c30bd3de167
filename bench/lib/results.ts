import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const resultsDir = resolve(dirname(fileURLToPath(import.meta.url)), '../results');

/** Write `bench/results/<name>.json` and `<name>.md`, and print the Markdown. */
export function writeResults(name: string, json: unknown, md: string): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), JSON.stringify(json, null, 2) + '\n');
  writeFileSync(join(resultsDir, `${name}.md`), md);
  console.log('\n' + md);
}
