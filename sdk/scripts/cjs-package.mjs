/* global process, URL */
// dist/cjs holds CommonJS; this package.json tells Node so, overriding the package's "type": "module".
// Takes the dist/cjs folder as an argument (default: this package's own).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = process.argv[2] ?? fileURLToPath(new URL('../dist/cjs', import.meta.url));
writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
