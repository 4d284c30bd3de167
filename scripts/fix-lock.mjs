/* global process */
// npm 11 cannot record optional per-platform packages that this machine's registry does not serve
// (e.g. @rollup/rollup-darwin-arm64), and `npm ci` then rejects the lock. Recording them as
// optional stubs keeps `npm ci` working; on other platforms npm resolves them normally.
// The stubs are written the way npm itself would keep them (flagged `dev` under a dev-only parent,
// entries in npm's sort order), so a later `npm install` leaves the tracked lock unchanged.
// Run after `npm install`: node scripts/fix-lock.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const pkgs = lock.packages;
let added = 0;
for (const [path, meta] of Object.entries(pkgs)) {
  for (const [name, version] of Object.entries(meta.optionalDependencies ?? {})) {
    const here = pkgs[`${path}/node_modules/${name}`] ?? pkgs[`node_modules/${name}`];
    const stub = here && !here.integrity && !here.resolved;
    if (!here || stub) {
      if (!here) added++;
      pkgs[`node_modules/${name}`] = { version, ...(meta.dev ? { dev: true } : {}), optional: true };
    }
  }
}
// npm orders entries by locale comparison ('' — the root — first).
const sorted = Object.fromEntries(Object.keys(pkgs).sort((a, b) => a.localeCompare(b, 'en')).map((k) => [k, pkgs[k]]));
writeFileSync('package-lock.json', JSON.stringify({ ...lock, packages: sorted }, null, 2) + '\n');
process.stdout.write(`fix-lock: recorded ${added} optional platform package(s)\n`);
