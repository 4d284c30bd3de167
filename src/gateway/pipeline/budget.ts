// Budget enforcement. The gateway asks a BudgetCheck before each call and tells it what each call
// cost; the composition root may supply any implementation (e.g. one reading stored spend). The
// one here keeps a per-project daily USD cap in this process's memory.
import { own } from '../safety.js';

export type BudgetDecision =
  | { action: 'allow' }
  | { action: 'reject'; message: string }
  | { action: 'downgrade'; model: string; message: string };

export interface BudgetQuery {
  projectId: string;
  projectSlug: string;
  /** The model asked for (before aliases), e.g. `openai/gpt-4o`. */
  model: string;
}

/** The hook the gateway calls around every request. */
export interface BudgetCheck {
  check(q: BudgetQuery): BudgetDecision | Promise<BudgetDecision>;
  record(q: BudgetQuery, costUsd: number): void;
}

export interface DailyBudgetSettings {
  daily_usd?: number | undefined;
  projects: Record<string, number>;
  on_exceeded: 'reject' | 'downgrade';
  downgrade_model?: string | undefined;
}

const utcDay = (t: number) => Math.floor(t / 86_400_000);

/** A daily USD cap per project (by id or slug, else `daily_usd`), spent in this process's memory. */
export function dailyBudget(s: DailyBudgetSettings, now: () => number = Date.now): BudgetCheck {
  const spent = new Map<string, { day: number; usd: number }>();
  const capOf = (q: BudgetQuery) => own(s.projects, q.projectId) ?? own(s.projects, q.projectSlug) ?? s.daily_usd;
  const spentToday = (projectId: string) => {
    const e = spent.get(projectId);
    return e && e.day === utcDay(now()) ? e.usd : 0;
  };
  return {
    check(q) {
      const cap = capOf(q);
      if (cap === undefined) return { action: 'allow' };
      const usd = spentToday(q.projectId);
      if (usd < cap) return { action: 'allow' };
      const message = `Daily budget of $${cap} for this project is spent ($${usd.toFixed(4)} today, UTC)`;
      if (s.on_exceeded === 'downgrade' && s.downgrade_model && q.model !== s.downgrade_model) {
        return { action: 'downgrade', model: s.downgrade_model, message: `${message}; downgraded to ${s.downgrade_model}` };
      }
      return { action: 'reject', message: `${message}; it resets at 00:00 UTC` };
    },
    record(q, costUsd) {
      if (!(costUsd > 0) || capOf(q) === undefined) return;
      const day = utcDay(now());
      const e = spent.get(q.projectId);
      if (e && e.day === day) e.usd += costUsd;
      else spent.set(q.projectId, { day, usd: costUsd });
    },
  };
}
