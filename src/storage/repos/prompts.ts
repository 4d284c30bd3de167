import type pg from 'pg';
import { inTransaction } from '../sql.js';
import { errors } from '../../core/errors.js';
import { newId } from '../../core/ids.js';

/** One stored version of a prompt, with the labels that point at it now. */
export interface PromptVersionRecord {
  name: string;
  type: string;
  version: number;
  prompt: unknown;
  config: Record<string, unknown>;
  variables: Record<string, unknown>;
  commitMessage: string | null;
  createdBy: string | null;
  createdAt: Date;
  labels: string[];
  tags: string[];
  category: string | null;
}

export interface PromptSummary {
  name: string;
  type: string;
  tags: string[];
  category: string | null;
  versions: number;
  latestVersion: number;
  labels: Record<string, number>;
  updatedAt: Date;
}

export interface NewPromptVersion {
  name: string;
  type: string;
  prompt: unknown;
  config: Record<string, unknown>;
  variables: Record<string, unknown>;
  commitMessage: string | null;
  createdBy: string | null;
  /** Replace the prompt's tags / category when given. */
  tags?: string[] | undefined;
  category?: string | null | undefined;
  labels: string[];
}

/** A change event written with the change, plus the channels to notify (the alert outbox). */
export interface PromptChangeNotice {
  event: string;
  payload: Record<string, unknown>;
  channels: string[];
}

export interface PromptEventRecord {
  id: string;
  projectId: string;
  promptName: string;
  event: string;
  payload: Record<string, unknown>;
  createdAt: Date;
}

export type VersionRef = { version: number } | { label: string };

interface VersionRow {
  name: string;
  type: string;
  version: number;
  prompt: unknown;
  config: Record<string, unknown>;
  variables: Record<string, unknown>;
  commit_message: string | null;
  created_by: string | null;
  created_at: Date;
  labels: string[] | null;
  tags: string[];
  category: string | null;
}

const toVersion = (r: VersionRow): PromptVersionRecord => ({
  name: r.name,
  type: r.type,
  version: r.version,
  prompt: r.prompt,
  config: r.config,
  variables: r.variables,
  commitMessage: r.commit_message,
  createdBy: r.created_by,
  createdAt: r.created_at,
  labels: (r.labels ?? []).sort(),
  tags: r.tags,
  category: r.category,
});

const VERSION_SELECT = `
  select p.name, p.type, v.version, v.prompt, v.config, v.variables, v.commit_message, v.created_by, v.created_at,
         (select array_agg(l.label) from prompt_labels l where l.prompt_id = p.id and l.version = v.version) as labels,
         p.tags, p.category
    from prompts p join prompt_versions v on v.prompt_id = p.id`;

type Client = pg.PoolClient;

const tx = inTransaction;

/** The event row and one outbox delivery per channel, in the caller's transaction. */
async function writeNotice(c: Client, projectId: string, name: string, n: PromptChangeNotice | undefined): Promise<string | undefined> {
  if (!n) return undefined;
  const id = newId();
  await c.query('insert into prompt_events (id, project_id, prompt_name, event, payload) values ($1, $2, $3, $4, $5::jsonb)', [id, projectId, name, n.event, JSON.stringify(n.payload)]);
  if (n.channels.length) {
    await c.query(
      `insert into alert_deliveries (id, alert_id, project_id, channel, event) select gen_random_uuid()::text, $1, $2, ch, 'notice' from unnest($3::text[]) ch`,
      [id, projectId, n.channels],
    );
  }
  return id;
}

/** Prompts, their immutable versions, labels, protected labels and change events. */
export function promptsRepo(pool: pg.Pool) {
  async function getIn(q: Pick<pg.Pool, 'query'>, projectId: string, name: string, ref: VersionRef): Promise<PromptVersionRecord | undefined> {
    const r =
      'version' in ref
        ? await q.query<VersionRow>(`${VERSION_SELECT} where p.project_id = $1 and p.name = $2 and v.version = $3`, [projectId, name, ref.version])
        : await q.query<VersionRow>(
            `${VERSION_SELECT} join prompt_labels lb on lb.prompt_id = p.id and lb.version = v.version and lb.label = $3 where p.project_id = $1 and p.name = $2`,
            [projectId, name, ref.label],
          );
    return r.rows[0] ? toVersion(r.rows[0]) : undefined;
  }

  return {
    /** Append the next version (1 for a new name); `latest` and the given labels point at it. */
    async create(projectId: string, v: NewPromptVersion, notice?: (version: number, moved: Record<string, number | null>) => PromptChangeNotice): Promise<PromptVersionRecord> {
      return tx(pool, async (c) => {
        const p = await c.query<{ id: string; type: string }>(
          `insert into prompts (id, project_id, name, type, tags, category) values ($1, $2, $3, $4, $5::jsonb, $6)
           on conflict (project_id, name) do update set updated_at = now(),
             tags = case when $7 then excluded.tags else prompts.tags end,
             category = case when $8 then excluded.category else prompts.category end
           returning id, type`,
          [newId(), projectId, v.name, v.type, JSON.stringify(v.tags ?? []), v.category ?? null, v.tags !== undefined, v.category !== undefined],
        );
        const prompt = p.rows[0]!;
        if (prompt.type !== v.type) throw errors.conflict(`Prompt "${v.name}" is a ${prompt.type} prompt; a new version cannot change its type to ${v.type}`);
        const next = await c.query<{ n: number }>('update prompts set last_version = last_version + 1 where id = $1 returning last_version as n', [prompt.id]);
        const version = next.rows[0]!.n;
        await c.query(
          'insert into prompt_versions (prompt_id, version, prompt, config, variables, commit_message, created_by) values ($1, $2, $3::jsonb, $4::jsonb, $5::jsonb, $6, $7)',
          [prompt.id, version, JSON.stringify(v.prompt), JSON.stringify(v.config), JSON.stringify(v.variables), v.commitMessage, v.createdBy],
        );
        const labels = [...new Set([...v.labels, 'latest'])];
        const before = await c.query<{ label: string; version: number }>('select label, version from prompt_labels where prompt_id = $1 and label = any($2::text[])', [prompt.id, labels]);
        const moved: Record<string, number | null> = Object.fromEntries(labels.map((l) => [l, before.rows.find((b) => b.label === l)?.version ?? null]));
        await c.query(
          `insert into prompt_labels (prompt_id, label, version) select $1, l, $2 from unnest($3::text[]) l
           on conflict (prompt_id, label) do update set version = excluded.version, updated_at = now()`,
          [prompt.id, version, labels],
        );
        await writeNotice(c, projectId, v.name, notice?.(version, moved));
        return (await getIn(c, projectId, v.name, { version }))!;
      });
    },

    get(projectId: string, name: string, ref: VersionRef): Promise<PromptVersionRecord | undefined> {
      return getIn(pool, projectId, name, ref);
    },

    async exists(projectId: string, name: string): Promise<boolean> {
      return ((await pool.query('select 1 from prompts where project_id = $1 and name = $2', [projectId, name])).rowCount ?? 0) > 0;
    },

    /** Every version of a prompt, newest first. */
    async versions(projectId: string, name: string): Promise<PromptVersionRecord[]> {
      const r = await pool.query<VersionRow>(`${VERSION_SELECT} where p.project_id = $1 and p.name = $2 order by v.version desc`, [projectId, name]);
      return r.rows.map(toVersion);
    },

    async list(projectId: string, f: { tag?: string | undefined; category?: string | undefined; label?: string | undefined; search?: string | undefined }): Promise<PromptSummary[]> {
      const r = await pool.query<{ name: string; type: string; tags: string[]; category: string | null; versions: number; latest: number; labels: Record<string, number> | null; updated_at: Date }>(
        `select p.name, p.type, p.tags, p.category, p.updated_at,
                (select count(*) from prompt_versions v where v.prompt_id = p.id) as versions,
                (select max(version) from prompt_versions v where v.prompt_id = p.id) as latest,
                (select jsonb_object_agg(l.label, l.version) from prompt_labels l where l.prompt_id = p.id) as labels
           from prompts p
          where p.project_id = $1
            and ($2::text is null or p.tags ? $2)
            and ($3::text is null or p.category = $3)
            and ($4::text is null or exists (select 1 from prompt_labels l where l.prompt_id = p.id and l.label = $4))
            and ($5::text is null or strpos(lower(p.name), lower($5)) > 0)
          order by p.name`,
        [projectId, f.tag ?? null, f.category ?? null, f.label ?? null, f.search ?? null],
      );
      return r.rows.map((x) => ({ name: x.name, type: x.type, tags: x.tags, category: x.category, versions: Number(x.versions), latestVersion: x.latest, labels: x.labels ?? {}, updatedAt: x.updated_at }));
    },

    /** Point `label` at `version`; returns the version it pointed at before (null when new). */
    async moveLabel(projectId: string, name: string, label: string, version: number, notice?: (from: number | null) => PromptChangeNotice): Promise<{ from: number | null } | undefined> {
      return tx(pool, async (c) => {
        const p = await c.query<{ id: string }>('select id from prompts where project_id = $1 and name = $2 for update', [projectId, name]);
        const id = p.rows[0]?.id;
        if (!id) return undefined;
        const has = await c.query('select 1 from prompt_versions where prompt_id = $1 and version = $2', [id, version]);
        if (!has.rowCount) throw errors.notFound(`Prompt "${name}" has no version ${version}`);
        const before = await c.query<{ version: number }>('select version from prompt_labels where prompt_id = $1 and label = $2', [id, label]);
        const from = before.rows[0]?.version ?? null;
        await c.query(
          `insert into prompt_labels (prompt_id, label, version) values ($1, $2, $3)
           on conflict (prompt_id, label) do update set version = excluded.version, updated_at = now()`,
          [id, label, version],
        );
        await c.query('update prompts set updated_at = now() where id = $1', [id]);
        await writeNotice(c, projectId, name, notice?.(from));
        return { from };
      });
    },

    /** Remove a label from a prompt; false when it had none. */
    async removeLabel(projectId: string, name: string, label: string): Promise<boolean> {
      const r = await pool.query('delete from prompt_labels l using prompts p where l.prompt_id = p.id and p.project_id = $1 and p.name = $2 and l.label = $3', [projectId, name, label]);
      return (r.rowCount ?? 0) > 0;
    },

    /**
     * Delete a whole prompt, or one version of it (its labels go with it; `latest` falls back to the
     * newest remaining version). Returns the deleted versions and the labels they carried.
     */
    async remove(projectId: string, name: string, version: number | undefined, notice?: (deleted: number[], labels: string[]) => PromptChangeNotice): Promise<{ versions: number[]; labels: string[] } | undefined> {
      return tx(pool, async (c) => {
        const p = await c.query<{ id: string }>('select id from prompts where project_id = $1 and name = $2 for update', [projectId, name]);
        const id = p.rows[0]?.id;
        if (!id) return undefined;
        const vs = await c.query<{ version: number }>('select version from prompt_versions where prompt_id = $1 and ($2::int is null or version = $2) order by version', [id, version ?? null]);
        if (!vs.rowCount) return undefined;
        const labels = await c.query<{ label: string }>('select label from prompt_labels where prompt_id = $1 and ($2::int is null or version = $2) order by label', [id, version ?? null]);
        const out = { versions: vs.rows.map((x) => x.version), labels: labels.rows.map((x) => x.label) };
        const remaining = await c.query<{ n: number | null }>('select max(version) as n from prompt_versions where prompt_id = $1 and version <> $2', [id, version ?? -1]);
        if (version === undefined || remaining.rows[0]!.n === null) {
          await c.query('delete from prompts where id = $1', [id]);
        } else {
          await c.query('delete from prompt_labels where prompt_id = $1 and version = $2', [id, version]);
          await c.query('delete from prompt_versions where prompt_id = $1 and version = $2', [id, version]);
          await c.query(`insert into prompt_labels (prompt_id, label, version) values ($1, 'latest', $2) on conflict (prompt_id, label) do update set version = excluded.version, updated_at = now()`, [id, remaining.rows[0]!.n]);
        }
        await writeNotice(c, projectId, name, notice?.(out.versions, out.labels));
        return out;
      });
    },

    async protectedLabels(projectId: string): Promise<string[]> {
      return (await pool.query<{ label: string }>('select label from prompt_protected_labels where project_id = $1 order by label', [projectId])).rows.map((r) => r.label);
    },

    async setProtectedLabels(projectId: string, labels: string[]): Promise<string[]> {
      await tx(pool, async (c) => {
        await c.query('delete from prompt_protected_labels where project_id = $1', [projectId]);
        await c.query('insert into prompt_protected_labels (project_id, label) select $1, l from unnest($2::text[]) l on conflict do nothing', [projectId, labels]);
      });
      return [...new Set(labels)].sort();
    },

    async event(projectId: string, id: string): Promise<PromptEventRecord | undefined> {
      const r = await pool.query<{ id: string; project_id: string; prompt_name: string; event: string; payload: Record<string, unknown>; created_at: Date }>(
        'select id, project_id, prompt_name, event, payload, created_at from prompt_events where project_id = $1 and id = $2',
        [projectId, id],
      );
      const x = r.rows[0];
      return x ? { id: x.id, projectId: x.project_id, promptName: x.prompt_name, event: x.event, payload: x.payload, createdAt: x.created_at } : undefined;
    },

    async events(projectId: string, name: string | undefined, limit: number): Promise<PromptEventRecord[]> {
      const r = await pool.query<{ id: string; project_id: string; prompt_name: string; event: string; payload: Record<string, unknown>; created_at: Date }>(
        'select id, project_id, prompt_name, event, payload, created_at from prompt_events where project_id = $1 and ($2::text is null or prompt_name = $2) order by created_at desc limit $3',
        [projectId, name ?? null, limit],
      );
      return r.rows.map((x) => ({ id: x.id, projectId: x.project_id, promptName: x.prompt_name, event: x.event, payload: x.payload, createdAt: x.created_at }));
    },
  };
}

export type PromptsRepo = ReturnType<typeof promptsRepo>;
