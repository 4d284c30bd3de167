/**
 * Summarise V8 .cpuprofile files (from `node --cpu-prof`): self time by function and by module.
 *
 *   npx tsx scripts/cpuprofile-summary.ts <file.cpuprofile>... [--top 40] [--inclusive] [--callers <function name>]
 *
 * --callers: the call paths (6 frames up) to the named function, by the time spent in and under it.
 */
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const valueOf = (flag: string) => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};
const top = Number(valueOf('--top') ?? 40);
const callers = valueOf('--callers');
const files = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));

/** The module a frame belongs to: a package name, a src/ or dist/ file, or the V8 category. */
function moduleOf(url: string, fn: string): string {
  if (!url) return `(${fn || 'anonymous'})`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const m = /\/(src|dist)\/(.*)$/.exec(url);
  if (m) return `${m[1]}/${m[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

for (const file of files) {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byFn = new Map<string, number>();
  const byMod = new Map<string, number>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    const mod = moduleOf(f.url, f.functionName);
    const key = `${f.functionName || '(anonymous)'}  ${mod}:${f.lineNumber + 1}`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    byMod.set(mod, (byMod.get(mod) ?? 0) + us);
  }
  const idle = [...byMod].filter(([m]) => m === '((idle))').reduce((n, [, v]) => n + v, 0);
  const busy = total - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  console.log(`\n== ${file}: ${(total / 1e6).toFixed(2)} s sampled, ${(busy / 1e6).toFixed(2)} s busy (percentages of busy time)`);
  console.log('-- by module');
  for (const [m, us] of [...byMod].filter(([m]) => m !== '((idle))').sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${m}`);
  console.log('-- by function');
  for (const [k, us] of [...byFn].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
  if (args.includes('--inclusive')) {
    // Each sample counts once for every distinct function on its stack.
    const incl = new Map<string, number>();
    for (const [id, us] of self) {
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const f = byId.get(at)!.callFrame;
        const key = `${f.functionName || '(anonymous)'}  ${moduleOf(f.url, f.functionName)}:${f.lineNumber + 1}`;
        if (seen.has(key)) continue;
        seen.add(key);
        incl.set(key, (incl.get(key) ?? 0) + us);
      }
    }
    console.log('-- by function, inclusive (self + callees)');
    for (const [k, us] of [...incl].filter(([k]) => !k.startsWith('(idle)') && !k.startsWith('(root)')).sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
  }
  if (callers === undefined) continue;
  // Time under each node (its self time and its callees'), then the paths above the named function's nodes.
  const under = new Map<number, number>(self);
  const order: number[] = [];
  const visit = (id: number) => {
    order.push(id);
    for (const c of byId.get(id)!.children ?? []) visit(c);
  };
  visit(p.nodes[0]!.id);
  for (const id of order.reverse()) {
    const up = parent.get(id);
    if (up !== undefined) under.set(up, (under.get(up) ?? 0) + (under.get(id) ?? 0));
  }
  const paths = new Map<string, number>();
  for (const n of p.nodes) {
    if (n.callFrame.functionName !== callers) continue;
    const chain: string[] = [];
    for (let at = parent.get(n.id); at !== undefined && chain.length < Number(process.env.DEPTH ?? 6); at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      chain.push(`${f.functionName || '(anonymous)'} ${moduleOf(f.url, f.functionName)}:${f.lineNumber + 1}`);
    }
    const key = chain.join(' < ');
    paths.set(key, (paths.get(key) ?? 0) + (under.get(n.id) ?? 0));
  }
  console.log(`-- callers of ${callers}`);
  for (const [k, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${k}`);
}
