// The rules a budget obeys, checked on create and on every change (a change is merged first).
import { errors, type BudgetAction, type BudgetPeriod, type BudgetScope } from '../../core/index.js';
import type { BudgetInput } from '../../storage/index.js';

export interface BudgetFields {
  name?: string | undefined;
  scope?: BudgetScope | undefined;
  scope_value?: string | null | undefined;
  period?: BudgetPeriod | undefined;
  amount_usd?: number | undefined;
  action?: BudgetAction | undefined;
  downgrade_model?: string | null | undefined;
}

/** Merge `body` over `base` and validate the result; a 400 names each broken rule. */
export function checkedBudget(body: BudgetFields, base: Partial<BudgetInput>): BudgetInput {
  const scope = body.scope ?? base.scope ?? 'project';
  const action = body.action ?? base.action ?? 'alert';
  // A budget that stops downgrading forgets its downgrade model unless the change names one.
  const downgrade = body.downgrade_model !== undefined ? body.downgrade_model : action === 'downgrade' ? (base.downgrade_model ?? null) : null;
  const scopeValue = scope === 'project' ? null : body.scope_value !== undefined ? body.scope_value : (base.scope_value ?? null);
  const issues: Array<{ field: string; message: string }> = [];
  if (scope !== 'project' && !scopeValue) issues.push({ field: 'scope_value', message: `is required for scope "${scope}"` });
  if (action === 'downgrade' && !downgrade) issues.push({ field: 'downgrade_model', message: 'is required for action "downgrade": name the cheaper model to serve once the budget is spent (e.g. "openai/gpt-4o-mini")' });
  if (action !== 'downgrade' && downgrade) issues.push({ field: 'downgrade_model', message: `only applies to action "downgrade" (this budget's action is "${action}")` });
  if (action === 'downgrade' && downgrade && scope === 'model' && scopeValue && (downgrade === scopeValue || downgrade.endsWith(`/${scopeValue}`))) {
    issues.push({ field: 'downgrade_model', message: `must differ from the budgeted model "${scopeValue}"` });
  }
  const name = body.name ?? base.name;
  const period = body.period ?? base.period;
  const amount = body.amount_usd ?? base.amount_usd;
  if (name === undefined) issues.push({ field: 'name', message: 'is required' });
  if (period === undefined) issues.push({ field: 'period', message: 'is required' });
  if (amount === undefined) issues.push({ field: 'amount_usd', message: 'is required' });
  if (issues.length || name === undefined || period === undefined || amount === undefined) throw errors.validation(issues);
  return { name, scope, scope_value: scopeValue, period, amount_usd: amount, action, downgrade_model: action === 'downgrade' ? downgrade : null };
}
