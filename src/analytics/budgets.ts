// The budgets of a project as one list: the budgets table's rows and the gateway settings' daily cap,
// in the shape core/budgets.ts defines; the gateway enforces them and the cost_budget rule watches them.
import { gatewayConfigBudget, type BudgetSpec, type GatewayBudgetSettings } from '../core/budgets.js';
import type { Budget, Store } from '../storage/index.js';

/** A stored budget as the one budgets model. */
export const budgetSpecOf = (b: Budget): BudgetSpec => ({
  id: b.id,
  name: b.name,
  scope: b.scope,
  scope_value: b.scope_value,
  period: b.period,
  amount_usd: b.amount_usd,
  action: b.action,
  downgrade_model: b.downgrade_model,
  source: 'api',
});

/** Every budget of a project (the alert config's daily budgets are the alert rule's to add). */
export function createBudgetBook(store: Pick<Store, 'budgets' | 'projects'>, gateway: GatewayBudgetSettings) {
  const bySlug = Object.keys(gateway.projects).length > 0;
  return async (project: { id: string; slug?: string | undefined }): Promise<BudgetSpec[]> => {
    const stored = (await store.budgets.list(project.id)).map(budgetSpecOf);
    // The gateway settings may name the project by slug: look it up only then.
    const slug = project.slug ?? (bySlug ? (await store.projects.get(project.id))?.slug : undefined) ?? '';
    const fromSettings = gatewayConfigBudget(gateway, { id: project.id, slug });
    return fromSettings ? [...stored, fromSettings] : stored;
  };
}

export type BudgetBook = ReturnType<typeof createBudgetBook>;
