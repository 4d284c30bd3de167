/** One span's usage as the totals rule sees it. */
export interface UsageItem {
  id: string;
  parentId: string | undefined;
  isLlm: boolean;
  input?: number | undefined;
  output?: number | undefined;
  total?: number | undefined;
  cost?: number | undefined;
}

const reports = (u: UsageItem) => u.input !== undefined || u.output !== undefined || u.total !== undefined || u.cost !== undefined;

/**
 * A trace's token and cost totals: the sum over its LLM spans, except an LLM span with a child LLM
 * span that reports usage. Two instrumentations often wrap the same call (a framework's span around
 * the client library's), and adding both would count the call twice. The store applies the same
 * rule when later spans of a trace arrive (src/storage/repos/spans.ts).
 */
export function usageTotals(items: UsageItem[]): { input_tokens?: number; output_tokens?: number; token_count?: number; cost_usd?: number } {
  const wrapped = new Set<string>();
  for (const u of items) if (u.isLlm && reports(u) && u.parentId) wrapped.add(u.parentId);
  const counted = items.filter((u) => u.isLlm && reports(u) && !wrapped.has(u.id));
  const sum = (pick: (u: UsageItem) => number | undefined) => {
    let total: number | undefined;
    for (const u of counted) {
      const v = pick(u);
      if (v !== undefined) total = (total ?? 0) + v;
    }
    return total;
  };
  const input = sum((u) => u.input);
  const output = sum((u) => u.output);
  // Only a total reported (no split): it still belongs in token_count.
  const total = input === undefined && output === undefined ? sum((u) => u.total) : undefined;
  const cost = sum((u) => u.cost);
  return {
    ...(input !== undefined ? { input_tokens: input } : {}),
    ...(output !== undefined ? { output_tokens: output } : {}),
    ...(total !== undefined ? { token_count: total } : {}),
    ...(cost !== undefined ? { cost_usd: cost } : {}),
  };
}
