import type pg from 'pg';

/** A project's credentials for one gateway provider. `secret` is sealed (encrypted) by the caller. */
export interface ProviderCredentialRecord {
  projectId: string;
  provider: string;
  secret: string;
  hint: string;
  baseUrl: string | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  project_id: string;
  provider: string;
  secret: string;
  hint: string;
  base_url: string | null;
  created_at: Date;
  updated_at: Date;
}

const COLS = 'project_id, provider, secret, hint, base_url, created_at, updated_at';
const toRecord = (r: Row): ProviderCredentialRecord => ({
  projectId: r.project_id,
  provider: r.provider,
  secret: r.secret,
  hint: r.hint,
  baseUrl: r.base_url,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** Gateway provider credentials per project; the store never sees a plaintext secret. */
export function providerCredentialsRepo(pool: pg.Pool) {
  return {
    /** Insert or replace; returns the stored row. */
    async put(input: { projectId: string; provider: string; secret: string; hint: string; baseUrl: string | null }): Promise<ProviderCredentialRecord> {
      const r = await pool.query<Row>(
        `insert into gateway_credentials (project_id, provider, secret, hint, base_url)
         values ($1, $2, $3, $4, $5)
         on conflict (project_id, provider) do update set
           secret = excluded.secret, hint = excluded.hint, base_url = excluded.base_url, updated_at = now()
         returning ${COLS}`,
        [input.projectId, input.provider, input.secret, input.hint, input.baseUrl],
      );
      return toRecord(r.rows[0]!);
    },
    async get(projectId: string, provider: string): Promise<ProviderCredentialRecord | undefined> {
      const r = await pool.query<Row>(`select ${COLS} from gateway_credentials where project_id = $1 and provider = $2`, [projectId, provider]);
      return r.rows[0] ? toRecord(r.rows[0]) : undefined;
    },
    async list(projectId: string): Promise<ProviderCredentialRecord[]> {
      const r = await pool.query<Row>(`select ${COLS} from gateway_credentials where project_id = $1 order by provider`, [projectId]);
      return r.rows.map(toRecord);
    },
    /** True when a row was deleted. */
    async delete(projectId: string, provider: string): Promise<boolean> {
      const r = await pool.query('delete from gateway_credentials where project_id = $1 and provider = $2', [projectId, provider]);
      return (r.rowCount ?? 0) > 0;
    },
  };
}

export type ProviderCredentialsRepo = ReturnType<typeof providerCredentialsRepo>;
