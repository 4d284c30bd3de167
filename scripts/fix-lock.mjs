/* global process */
// npm 11 cannot record optional per-platform packages that this machine's registry does not serve
// (e.g. @rollup/rollup-darwin-arm64), and `npm ci` then rejects the lock. Recording them as
// optional stubs keeps `npm ci` working; on other platforms npm resolves them normally.
// Run after `npm install`: node scripts/fix-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    if (!pkgs[`node_modules/${name}`] && !pkgs[`${path}/node_modules/${name}`]) {
      pkgs[`node_modules/${name}`] = { version, optional: true };
      added++;
    }
  }
}
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
process.stdout.write(`fix-lock: recorded ${added} optional platform package(s)\n`);
