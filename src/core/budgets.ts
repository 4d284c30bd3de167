// The one budgets model. A budget caps spend for a project, or for one model or user in it, per UTC
// day, ISO week or calendar month, and names what happens once it is spent: `block` (the gateway
// refuses), `downgrade` (the gateway serves a named cheaper model) or `alert` (only the alert rule
// acts). Budgets come from the budgets table; the gateway settings' `budget` and the alert config's
// `daily_cost_budget_*` are read as budgets of the same shape, so the gateway and the cost_budget
// alert rule see one list.

export const BUDGET_SCOPES = ['project', 'model', 'user'] as const;
export const BUDGET_PERIODS = ['daily', 'weekly', 'monthly'] as const;
export const BUDGET_ACTIONS = ['block', 'downgrade', 'alert'] as const;
export type BudgetScope = (typeof BUDGET_SCOPES)[number];
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];

/** A budget as the gateway enforces it and the alert rule watches it. */
export interface BudgetSpec {
  /** The stored id, or `config:gateway` / `config:alerts:*` for budgets read from settings. */
  id: string;
  name: string;
  scope: BudgetScope;
  /**
   * The model (as traces record it, e.g. `gpt-4o`) or user id. Null for scope project, and for the
   * alert config's per-user / per-model budgets, which apply to each user / model separately.
   */
  scope_value: string | null;
  period: BudgetPeriod;
  amount_usd: number;
  action: BudgetAction;
  downgrade_model: string | null;
  source: 'api' | 'gateway_config' | 'alert_config';
}

/** Start and end (UTC) of the budget period containing `now`: days, ISO weeks (Monday), months. */
export function periodBounds(period: BudgetPeriod, now: Date): { start: Date; end: Date } {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (period === 'daily') return { start: new Date(Date.UTC(y, m, d)), end: new Date(Date.UTC(y, m, d + 1)) };
  if (period === 'weekly') {
    const back = (now.getUTCDay() + 6) % 7;
    return { start: new Date(Date.UTC(y, m, d - back)), end: new Date(Date.UTC(y, m, d - back + 7)) };
  }
  return { start: new Date(Date.UTC(y, m, 1)), end: new Date(Date.UTC(y, m + 1, 1)) };
}

/** The gateway settings' `budget` section (a daily USD cap per project). */
export interface GatewayBudgetSettings {
  daily_usd?: number | undefined;
  projects: Record<string, number>;
  on_exceeded: 'reject' | 'downgrade';
  downgrade_model?: string | undefined;
}

const own = (r: Record<string, number>, k: string): number | undefined => (Object.hasOwn(r, k) ? r[k] : undefined);

/** The gateway settings' cap for one project (by id, slug, else `daily_usd`) as a daily project budget. */
export function gatewayConfigBudget(s: GatewayBudgetSettings, project: { id: string; slug: string }): BudgetSpec | undefined {
  const cap = own(s.projects, project.id) ?? own(s.projects, project.slug) ?? s.daily_usd;
  if (cap === undefined) return undefined;
  const downgrade = s.on_exceeded === 'downgrade' && s.downgrade_model !== undefined;
  return {
    id: 'config:gateway',
    name: 'gateway daily budget',
    scope: 'project',
    scope_value: null,
    period: 'daily',
    amount_usd: cap,
    action: downgrade ? 'downgrade' : 'block',
    downgrade_model: downgrade ? (s.downgrade_model ?? null) : null,
    source: 'gateway_config',
  };
}

/** The alert config's `daily_cost_budget_*` fields as alert-only daily budgets. */
export function alertConfigBudgets(c: { daily_cost_budget_usd: number | null; daily_cost_budget_per_user_usd: number | null; daily_cost_budget_per_model_usd: number | null }): BudgetSpec[] {
  const out: BudgetSpec[] = [];
  const add = (id: string, name: string, scope: BudgetScope, amount: number | null) => {
    if (amount !== null) out.push({ id: `config:alerts:${id}`, name, scope, scope_value: null, period: 'daily', amount_usd: amount, action: 'alert', downgrade_model: null, source: 'alert_config' });
  };
  add('project', 'daily cost budget', 'project', c.daily_cost_budget_usd);
  add('user', 'daily cost budget per user', 'user', c.daily_cost_budget_per_user_usd);
  add('model', 'daily cost budget per model', 'model', c.daily_cost_budget_per_model_usd);
  return out;
}

/** A model name as traces record it: `openai/gpt-4o` is recorded as `gpt-4o` (provider apart). */
const sameModel = (asked: string, budgeted: string) => asked === budgeted || asked.endsWith(`/${budgeted}`);

/**
 * Whether a request (the model asked for, or that ran; the user) falls under a budget. Budgets that
 * apply to each model or user separately (scope_value null) are watched by the alert rule only.
 */
export function budgetApplies(b: BudgetSpec, q: { model: string; userId?: string | undefined }): boolean {
  if (b.scope === 'project') return true;
  if (b.scope_value === null) return false;
  return b.scope === 'model' ? sameModel(q.model, b.scope_value) : q.userId === b.scope_value;
}

/** "$1.2345" under a dollar, cents above. */
export const usd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;

/** What a budget covers, for messages: "project", "model gpt-4o", "user alice", "each user". */
export function budgetCovers(b: Pick<BudgetSpec, 'scope' | 'scope_value'>): string {
  if (b.scope === 'project') return 'the project';
  return b.scope_value === null ? `each ${b.scope}` : `${b.scope} ${b.scope_value}`;
}
