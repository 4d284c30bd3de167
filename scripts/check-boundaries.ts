// Enforces DESIGN.md's import directions: core imports nothing of ours; storage only core; feature
// modules only core, storage, the queue port and each other's index.ts; only app.ts, server/ and cli/
// wire adapters.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SRC = resolve('src');
const FEATURES = ['ingest', 'evals', 'alerts', 'analytics', 'gateway', 'router', 'prompts', 'monitors', 'rag'];
const DRIVERS = ['pg', '@electric-sql/pglite', '@electric-sql/pglite-socket', 'ioredis', 'bullmq', 'fastify'];

function files(dir: string, out: string[] = []): string[] {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) files(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const moduleOf = (file: string) => relative(SRC, file).split('/')[0]!.replace(/\.ts$/, '');
const problems: string[] = [];
const importRe = /(?:^|\n)\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

for (const file of files(SRC)) {
  const from = moduleOf(file);
  const text = readFileSync(file, 'utf8');
  if (/process\.env\b/.test(text) && !['cli', 'app'].includes(from)) {
    problems.push(`${relative(process.cwd(), file)} reads process.env: parse config once in app.ts or cli/`);
  }
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2]!;
    const where = `${relative(process.cwd(), file)} imports ${spec}`;
    if (!spec.startsWith('.')) {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
      if (DRIVERS.includes(pkg) && (from === 'core' || FEATURES.includes(from))) problems.push(`${where}: drivers belong in storage/, queue/, server/ or app.ts`);
      continue;
    }
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    const to = moduleOf(target);
    if (to === from) continue;
    if (from === 'core') problems.push(`${where}: core imports nothing of ours`);
    else if (from === 'storage' && to !== 'core') problems.push(`${where}: storage imports only core`);
    else if (FEATURES.includes(from)) {
      if (['app', 'server', 'cli'].includes(to)) problems.push(`${where}: feature modules do not import ${to}`);
      if (to === 'queue' && relative(join(SRC, to), target) !== 'index.ts') problems.push(`${where}: use the queue port (queue/index.ts); adapters are chosen in app.ts`);
      if (FEATURES.includes(to) && relative(join(SRC, to), target) !== 'index.ts') problems.push(`${where}: import ${to}/index.ts, not its internals`);
      if (to === 'storage' && relative(join(SRC, to), target) !== 'index.ts') problems.push(`${where}: import storage/index.ts, not its internals`);
    }
  }
}

const unique = [...new Set(problems)];
if (unique.length) {
  console.error(`Import boundary violations (see docs/architecture.md):\n  ${unique.join('\n  ')}`);
  process.exit(1);
}
console.log('import boundaries: ok');
