// Budget enforcement. The gateway asks a BudgetCheck before each call and tells it what each call
// cost. The check here enforces the `block` and `downgrade` budgets of the one budgets model
// (core/budgets.ts): their spend is read from the store (what the dashboard shows), kept for
// `ttlMs`, and raised at once by what this process spends, so processes sharing a database agree
// within about `ttlMs` plus the trace write delay. Without a spend source it counts this process only.
import { budgetApplies, budgetCovers, periodBounds, usd, type BudgetSpec } from '../../core/budgets.js';

export type BudgetDecision =
  | { action: 'allow' }
  | { action: 'reject'; message: string; budget?: Pick<BudgetSpec, 'id' | 'name'>; resetsAt?: number }
  | { action: 'downgrade'; model: string; message: string; budget?: Pick<BudgetSpec, 'id' | 'name'> };

export interface BudgetQuery {
  projectId: string;
  projectSlug: string;
  /** The model asked for (before aliases), e.g. `openai/gpt-4o`; in `record`, the model that ran. */
  model: string;
  /** The request's user (`x-aether-user-id`), for user budgets. */
  userId?: string | undefined;
}

/** The hook the gateway calls around every request. */
export interface BudgetCheck {
  check(q: BudgetQuery): BudgetDecision | Promise<BudgetDecision>;
  record(q: BudgetQuery, costUsd: number): void;
}

/** Where budgets and their spend come from. */
export interface BudgetSource {
  /** The project's budgets (alert-only ones are ignored here). */
  budgets(project: { id: string; slug: string }): BudgetSpec[] | Promise<BudgetSpec[]>;
  /** Stored spend of a budget in [from, to); absent: only what this process spent counts. */
  spent?(projectId: string, b: BudgetSpec, from: Date, to: Date): Promise<number>;
}

export interface BudgetCheckOptions {
  /** How long a stored reading (and the budget list) is used before it is read again. */
  ttlMs?: number;
  now?: () => number;
  onError?: (e: unknown) => void;
}

interface Reading {
  base: number;
  /** Spent by this process since `base` was read. */
  local: number;
  at: number;
  end: number;
  inflight?: Promise<void> | undefined;
}

const MAX_READINGS = 10_000;

/** The gateway's budget check over a budget source (see the file comment). */
export function budgetCheck(source: BudgetSource, o: BudgetCheckOptions = {}): BudgetCheck {
  const ttl = o.ttlMs ?? 1_000;
  const now = o.now ?? Date.now;
  const lists = new Map<string, { at: number; list: BudgetSpec[]; inflight?: Promise<void> | undefined }>();
  const readings = new Map<string, Reading>();

  async function budgetsOf(p: { id: string; slug: string }): Promise<BudgetSpec[]> {
    let e = lists.get(p.id);
    if (!e) lists.set(p.id, (e = { at: -Infinity, list: [] }));
    if (now() - e.at > ttl) {
      const entry = e;
      entry.inflight ??= (async () => {
        try {
          entry.list = (await source.budgets(p)).filter((b) => b.action !== 'alert');
        } catch (err) {
          o.onError?.(err);
        } finally {
          entry.at = now();
          entry.inflight = undefined;
        }
      })();
      await entry.inflight;
    }
    return e.list;
  }

  const keyOf = (projectId: string, b: BudgetSpec, start: Date) => `${projectId}\0${b.id}\0${start.getTime()}`;

  function readingFor(projectId: string, b: BudgetSpec): { r: Reading; start: Date; end: Date } {
    const { start, end } = periodBounds(b.period, new Date(now()));
    const key = keyOf(projectId, b, start);
    let r = readings.get(key);
    if (!r) {
      if (readings.size >= MAX_READINGS) for (const [k, x] of readings) if (x.end <= now() || readings.size >= MAX_READINGS) readings.delete(k);
      readings.set(key, (r = { base: 0, local: 0, at: -Infinity, end: end.getTime() }));
    }
    return { r, start, end };
  }

  async function spentOf(projectId: string, b: BudgetSpec): Promise<{ spent: number; start: Date; end: Date }> {
    const { r, start, end } = readingFor(projectId, b);
    const read = source.spent;
    if (read && now() - r.at > ttl) {
      r.inflight ??= (async () => {
        // Spend recorded while the read runs may be missing from it; spend before may be too (not yet
        // written), which the next read picks up.
        const localBefore = r.local;
        try {
          r.base = await read(projectId, b, start, new Date(now()));
          r.local -= localBefore;
        } catch (err) {
          o.onError?.(err);
        } finally {
          r.at = now();
          r.inflight = undefined;
        }
      })();
      await r.inflight;
    }
    return { spent: r.base + r.local, start, end };
  }

  return {
    async check(q) {
      const applicable = (await budgetsOf({ id: q.projectId, slug: q.projectSlug })).filter((b) => budgetApplies(b, q));
      let block: { b: BudgetSpec; spent: number; start: Date; end: Date } | undefined;
      let downgrade: typeof block;
      for (const b of applicable) {
        const s = await spentOf(q.projectId, b);
        if (s.spent < b.amount_usd) continue;
        // A request already on the cheaper model is past what a downgrade can save: it is refused.
        if (b.action === 'downgrade' && b.downgrade_model && q.model !== b.downgrade_model) downgrade ??= { b, ...s };
        else block ??= { b, ...s };
      }
      const hit = block ?? downgrade;
      if (!hit) return { action: 'allow' };
      const { b } = hit;
      const message = `Budget "${b.name}" (${budgetCovers(b)}, ${b.period}) is spent: ${usd(hit.spent)} of ${usd(b.amount_usd)} since ${hit.start.toISOString()}`;
      const ref = { id: b.id, name: b.name };
      if (!block && b.downgrade_model) return { action: 'downgrade', model: b.downgrade_model, budget: ref, message: `${message}; downgraded to ${b.downgrade_model}` };
      return { action: 'reject', budget: ref, resetsAt: hit.end.getTime(), message: `${message}; it resets at ${hit.end.toISOString()}` };
    },
    record(q, costUsd) {
      if (!(costUsd > 0)) return;
      const list = lists.get(q.projectId)?.list ?? [];
      for (const b of list) if (budgetApplies(b, q)) readingFor(q.projectId, b).r.local += costUsd;
    },
  };
}
