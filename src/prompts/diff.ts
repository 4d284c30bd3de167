import type { PromptContent } from './template.js';

export interface DiffLine {
  op: 'equal' | 'add' | 'remove';
  text: string;
}

/** Lines of a prompt as a reader compares them (`role: content` per chat message line). */
export function promptLines(p: PromptContent): string[] {
  if (typeof p === 'string') return p.split('\n');
  return p.flatMap((m) => m.content.split('\n').map((l, i) => (i === 0 ? `${m.role}: ${l}` : l)));
}

/** Line diff by longest common subsequence (prompts are small: O(n·m) is fine up to a few thousand lines). */
export function diffLines(a: string[], b: string[]): DiffLine[] {
  if (a.length * b.length > 25_000_000) return [...a.map((text) => ({ op: 'remove' as const, text })), ...b.map((text) => ({ op: 'add' as const, text }))];
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push({ op: 'equal', text: a[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) out.push({ op: 'remove', text: a[i++]! });
    else out.push({ op: 'add', text: b[j++]! });
  }
  while (i < n) out.push({ op: 'remove', text: a[i++]! });
  while (j < m) out.push({ op: 'add', text: b[j++]! });
  return out;
}

/** Keys added, removed and changed between two flat objects (config, variables). */
export function diffObject(a: Record<string, unknown>, b: Record<string, unknown>): { added: Record<string, unknown>; removed: Record<string, unknown>; changed: Record<string, { from: unknown; to: unknown }> } {
  const added: Record<string, unknown> = {};
  const removed: Record<string, unknown> = {};
  const changed: Record<string, { from: unknown; to: unknown }> = {};
  for (const k of Object.keys(b)) if (!Object.hasOwn(a, k)) added[k] = b[k];
  for (const k of Object.keys(a)) {
    if (!Object.hasOwn(b, k)) removed[k] = a[k];
    else if (JSON.stringify(a[k]) !== JSON.stringify(b[k])) changed[k] = { from: a[k], to: b[k] };
  }
  return { added, removed, changed };
}
