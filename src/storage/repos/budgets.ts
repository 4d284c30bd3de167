import type pg from 'pg';
import { newId } from '../../core/ids.js';

export interface Budget {
  id: string;
  project_id: string;
  name: string;
  scope: 'project' | 'model' | 'user';
  scope_value: string | null;
  period: 'daily' | 'weekly' | 'monthly';
  amount_usd: number;
  created_at: Date;
}

const COLS = 'id, project_id, name, scope, scope_value, period, amount_usd, created_at';

/** Spend budgets of a project. */
export function budgetsRepo(pool: pg.Pool) {
  return {
    async create(b: Omit<Budget, 'id' | 'created_at'>): Promise<Budget> {
      const r = await pool.query<Budget>(
        `insert into budgets (id, project_id, name, scope, scope_value, period, amount_usd) values ($1, $2, $3, $4, $5, $6, $7) returning ${COLS}`,
        [newId(), b.project_id, b.name, b.scope, b.scope_value, b.period, b.amount_usd],
      );
      return r.rows[0]!;
    },
    async list(projectId: string): Promise<Budget[]> {
      return (await pool.query<Budget>(`select ${COLS} from budgets where project_id = $1 order by created_at`, [projectId])).rows;
    },
    async get(projectId: string, id: string): Promise<Budget | undefined> {
      return (await pool.query<Budget>(`select ${COLS} from budgets where project_id = $1 and id = $2`, [projectId, id])).rows[0];
    },
    async remove(projectId: string, id: string): Promise<boolean> {
      return ((await pool.query('delete from budgets where project_id = $1 and id = $2', [projectId, id])).rowCount ?? 0) > 0;
    },
  };
}
