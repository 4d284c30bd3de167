import { errors } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { AlertConfig } from '../core/index.js';
import { noticeChannels, type NoticeSource } from '../alerts/index.js';
import type { ChangeBus, PromptChangeNotice, PromptsRepo, VersionRef } from '../storage/index.js';
import { diffLines, diffObject, promptLines, type DiffLine } from './diff.js';
import { toVersionOut, type CreatePromptBody, type VersionOut } from './schemas.js';
import { completeDeclarations, render, type PromptContent, type VariableDecl } from './template.js';

/** Who asks: the project, and the dashboard user's role when a session (not an API key) signed the request. */
export interface Actor {
  projectId: string;
  /** Key id or `user:<id>`, recorded as `created_by`. */
  id: string;
  role?: 'owner' | 'member' | 'viewer' | undefined;
}

export interface PromptsDeps {
  repo: PromptsRepo;
  bus: ChangeBus;
  /** The project's alert config: its enabled channels carry change notices. */
  alertConfig: (projectId: string) => Promise<AlertConfig | undefined>;
  /** Ask the outbox to send now rather than at its next poll. */
  nudge?: () => void;
  /** How long a resolved prompt is served from memory; a change anywhere clears it at once. */
  cacheTtlMs?: number;
  logger: Logger;
}

export interface Rendered {
  name: string;
  version: number;
  type: 'text' | 'chat';
  labels: string[];
  prompt: PromptContent;
  config: Record<string, unknown>;
}

export interface PromptDiff {
  name: string;
  from: number;
  to: number;
  prompt: DiffLine[];
  config: ReturnType<typeof diffObject>;
  variables: ReturnType<typeof diffObject>;
}

const refKey = (r: VersionRef) => ('version' in r ? `#${r.version}` : `@${r.label}`);
const promptKey = (projectId: string, name: string) => `${projectId}\u0000${name}`;

/** The prompt registry: versions, labels, rendering, a cache cleared across processes, change notices. */
export function createPrompts(d: PromptsDeps) {
  const ttl = d.cacheTtlMs ?? 300_000;
  const cache = new Map<string, Map<string, { value: VersionOut | undefined; expires: number }>>();
  let hits = 0;
  let misses = 0;
  d.bus.subscribe(
    (m) => {
      try {
        const { p, n } = JSON.parse(m) as { p: string; n: string };
        cache.delete(promptKey(p, n));
      } catch {
        cache.clear();
      }
    },
    () => cache.clear(),
  );

  async function changed(projectId: string, name: string): Promise<void> {
    cache.delete(promptKey(projectId, name));
    await d.bus.publish(JSON.stringify({ p: projectId, n: name })).catch((e: unknown) => d.logger.warn({ err: e }, 'prompt change notice not published; other processes refresh after the cache TTL'));
    d.nudge?.();
  }

  async function channelsOf(projectId: string): Promise<string[]> {
    return noticeChannels(await d.alertConfig(projectId).catch(() => undefined));
  }

  async function protectedOf(projectId: string): Promise<Set<string>> {
    return new Set(await d.repo.protectedLabels(projectId));
  }

  function mayMove(actor: Actor, prot: Set<string>, labels: string[]): void {
    const hit = labels.filter((l) => prot.has(l));
    if (hit.length && actor.role !== 'owner') {
      throw errors.forbidden(`Label${hit.length > 1 ? 's' : ''} ${hit.map((l) => `"${l}"`).join(', ')} ${hit.length > 1 ? 'are' : 'is'} protected: only an owner signed in to the dashboard can move ${hit.length > 1 ? 'them' : 'it'}`);
    }
  }

  function notice(event: string, payload: Record<string, unknown>, channels: string[]): PromptChangeNotice {
    return { event, payload: { ...payload, at: new Date().toISOString() }, channels };
  }

  /** One version by label or number, through the cache (`cached` says whether memory answered). */
  async function get(projectId: string, name: string, ref: VersionRef): Promise<{ value: VersionOut; cached: boolean }> {
    const pk = promptKey(projectId, name);
    const rk = refKey(ref);
    const hit = cache.get(pk)?.get(rk);
    if (hit && hit.expires > Date.now() && hit.value) {
      hits++;
      return { value: hit.value, cached: true };
    }
    misses++;
    const rec = await d.repo.get(projectId, name, ref);
    if (!rec) {
      if (!(await d.repo.exists(projectId, name))) throw errors.notFound(`No prompt "${name}" in this project`);
      throw errors.notFound('version' in ref ? `Prompt "${name}" has no version ${ref.version}` : `No version of prompt "${name}" is labelled "${ref.label}"; move the label first or ask for ?version=`);
    }
    const value = toVersionOut(rec);
    let m = cache.get(pk);
    if (!m) {
      if (cache.size > 10_000) cache.clear();
      m = new Map();
      cache.set(pk, m);
    }
    m.set(rk, { value, expires: Date.now() + ttl });
    return { value, cached: false };
  }

  return {
    get,

    /** Append the next version of `body.name` (1 for a new prompt) and point its labels at it. */
    async create(actor: Actor, body: CreatePromptBody): Promise<VersionOut> {
      const prompt = body.prompt as PromptContent;
      const variables = completeDeclarations(prompt, body.variables as Record<string, VariableDecl>);
      mayMove(actor, await protectedOf(actor.projectId), body.labels);
      const channels = await channelsOf(actor.projectId);
      const rec = await d.repo.create(
        actor.projectId,
        { name: body.name, type: body.type, prompt, config: body.config, variables, commitMessage: body.commit_message ?? null, createdBy: actor.id, tags: body.tags, category: body.category, labels: body.labels },
        (version, moved) =>
          notice('prompt.created', { prompt: { name: body.name, type: body.type, version, commit_message: body.commit_message ?? null }, labels: Object.fromEntries(Object.entries(moved).map(([l, from]) => [l, { from_version: from, to_version: version }])), actor: actor.id }, channels),
      );
      await changed(actor.projectId, body.name);
      return toVersionOut(rec);
    },

    async list(projectId: string, f: { tag?: string | undefined; category?: string | undefined; label?: string | undefined; search?: string | undefined }) {
      return (await d.repo.list(projectId, f)).map((p) => ({ name: p.name, type: p.type, tags: p.tags, category: p.category, versions: p.versions, latest_version: p.latestVersion, labels: p.labels, updated_at: p.updatedAt.toISOString() }));
    },

    async versions(projectId: string, name: string): Promise<VersionOut[]> {
      const vs = await d.repo.versions(projectId, name);
      if (!vs.length) throw errors.notFound(`No prompt "${name}" in this project`);
      return vs.map(toVersionOut);
    },

    /** Point `label` at `version`; `latest` is not movable, protected labels need an owner. */
    async moveLabel(actor: Actor, name: string, label: string, version: number): Promise<{ name: string; label: string; from_version: number | null; to_version: number }> {
      if (label === 'latest') throw errors.badRequest('"latest" always points at the newest version and cannot be moved', 'label_reserved');
      mayMove(actor, await protectedOf(actor.projectId), [label]);
      const channels = await channelsOf(actor.projectId);
      const r = await d.repo.moveLabel(actor.projectId, name, label, version, (from) =>
        notice('prompt.label_moved', { prompt: { name, version }, label, from_version: from, to_version: version, actor: actor.id }, channels),
      );
      if (!r) throw errors.notFound(`No prompt "${name}" in this project`);
      await changed(actor.projectId, name);
      return { name, label, from_version: r.from, to_version: version };
    },

    /** Delete a prompt, or one version of it. */
    async remove(actor: Actor, name: string, version: number | undefined): Promise<{ name: string; versions: number[]; labels: string[] }> {
      const prot = await protectedOf(actor.projectId);
      const current = version === undefined ? await d.repo.versions(actor.projectId, name) : [await d.repo.get(actor.projectId, name, { version })].filter((x) => x !== undefined);
      if (!current.length) throw errors.notFound(version === undefined ? `No prompt "${name}" in this project` : `Prompt "${name}" has no version ${version}`);
      mayMove(actor, prot, current.flatMap((v) => v.labels));
      const channels = await channelsOf(actor.projectId);
      const r = await d.repo.remove(actor.projectId, name, version, (versions, labels) => notice('prompt.deleted', { prompt: { name }, versions, labels, whole_prompt: version === undefined, actor: actor.id }, channels));
      if (!r) throw errors.notFound(`No prompt "${name}" in this project`);
      await changed(actor.projectId, name);
      return { name, ...r };
    },

    /** Render one version with variables (missing ones are a 400 naming them). */
    async render(projectId: string, name: string, ref: VersionRef, values: Record<string, unknown>): Promise<Rendered> {
      const { value } = await get(projectId, name, ref);
      return { name, version: value.version, type: value.type, labels: value.labels, prompt: render(value.prompt as PromptContent, value.variables as Record<string, VariableDecl>, values), config: value.config };
    },

    async diff(projectId: string, name: string, from: number, to: number): Promise<PromptDiff> {
      const [a, b] = await Promise.all([get(projectId, name, { version: from }), get(projectId, name, { version: to })]);
      return {
        name,
        from,
        to,
        prompt: diffLines(promptLines(a.value.prompt as PromptContent), promptLines(b.value.prompt as PromptContent)),
        config: diffObject(a.value.config, b.value.config),
        variables: diffObject(a.value.variables, b.value.variables),
      };
    },

    protectedLabels: (projectId: string) => d.repo.protectedLabels(projectId),

    async setProtectedLabels(actor: Actor, labels: string[]): Promise<string[]> {
      if (actor.role !== 'owner') throw errors.forbidden('Only an owner signed in to the dashboard can change which labels are protected');
      return d.repo.setProtectedLabels(actor.projectId, labels);
    },

    async events(projectId: string, name: string | undefined, limit: number) {
      return (await d.repo.events(projectId, name, limit)).map((e) => ({ id: e.id, event: e.event, prompt_name: e.promptName, payload: e.payload, created_at: e.createdAt.toISOString() }));
    },

    cacheStats: () => ({ hits, misses, prompts: cache.size }),
  };
}

export type Prompts = ReturnType<typeof createPrompts>;

const TITLES: Record<string, (p: Record<string, unknown>, name: string) => { title: string; text: string }> = {
  'prompt.created': (p, name) => {
    const v = (p.prompt as { version?: number } | undefined)?.version;
    const labels = Object.keys((p.labels as Record<string, unknown> | undefined) ?? {}).filter((l) => l !== 'latest');
    return { title: `Prompt ${name}: version ${v} created`, text: `${(p.prompt as { commit_message?: string | null }).commit_message ?? 'No commit message.'}${labels.length ? ` Labels: ${labels.join(', ')}.` : ''}` };
  },
  'prompt.label_moved': (p, name) => ({ title: `Prompt ${name}: ${String(p.label)} → version ${String(p.to_version)}`, text: `Label "${String(p.label)}" moved from ${p.from_version === null ? 'nowhere' : `version ${String(p.from_version)}`} to version ${String(p.to_version)}.` }),
  'prompt.deleted': (p, name) => ({ title: `Prompt ${name}: deleted`, text: p.whole_prompt ? 'The prompt and all its versions were deleted.' : `Version ${String((p.versions as number[] | undefined)?.join(', '))} deleted.` }),
};

/** The outbox's view of prompt change events (wired into the alert deliverer by the composition root). */
export function promptNoticeSource(repo: Pick<PromptsRepo, 'event'>): NoticeSource {
  return async (projectId, id) => {
    const e = await repo.event(projectId, id);
    if (!e) return undefined;
    const t = (TITLES[e.event] ?? ((_p: Record<string, unknown>, name: string) => ({ title: `Prompt ${name} changed`, text: e.event })))(e.payload, e.promptName);
    return { id: e.id, event: e.event, ...t, payload: e.payload, path: `/prompts/${encodeURIComponent(e.promptName)}` };
  };
}
