import type pg from 'pg';
import type { BudgetSpec } from '../../core/budgets.js';
import { newId } from '../../core/ids.js';

/** A stored budget: the one budgets model (core/budgets.ts), with its project and creation time. */
export interface Budget extends Omit<BudgetSpec, 'source'> {
  project_id: string;
  created_at: Date;
}

export type BudgetInput = Omit<Budget, 'id' | 'created_at' | 'project_id'>;

const COLS = 'id, project_id, name, scope, scope_value, period, amount_usd, action, downgrade_model, created_at';

/** Spend budgets of a project (the one budgets model: gateway enforcement and the cost_budget alert). */
export function budgetsRepo(pool: pg.Pool) {
  return {
    async create(b: BudgetInput & { project_id: string }): Promise<Budget> {
      const r = await pool.query<Budget>(
        `insert into budgets (id, project_id, name, scope, scope_value, period, amount_usd, action, downgrade_model) values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning ${COLS}`,
        [newId(), b.project_id, b.name, b.scope, b.scope_value, b.period, b.amount_usd, b.action, b.downgrade_model],
      );
      return r.rows[0]!;
    },
    async list(projectId: string): Promise<Budget[]> {
      return (await pool.query<Budget>(`select ${COLS} from budgets where project_id = $1 order by created_at, id`, [projectId])).rows;
    },
    async get(projectId: string, id: string): Promise<Budget | undefined> {
      return (await pool.query<Budget>(`select ${COLS} from budgets where project_id = $1 and id = $2`, [projectId, id])).rows[0];
    },
    /** Replace a budget's fields; undefined when it does not exist. */
    async update(projectId: string, id: string, b: BudgetInput): Promise<Budget | undefined> {
      const r = await pool.query<Budget>(
        `update budgets set name = $3, scope = $4, scope_value = $5, period = $6, amount_usd = $7, action = $8, downgrade_model = $9
          where project_id = $1 and id = $2 returning ${COLS}`,
        [projectId, id, b.name, b.scope, b.scope_value, b.period, b.amount_usd, b.action, b.downgrade_model],
      );
      return r.rows[0];
    },
    async remove(projectId: string, id: string): Promise<boolean> {
      return ((await pool.query('delete from budgets where project_id = $1 and id = $2', [projectId, id])).rowCount ?? 0) > 0;
    },
  };
}
