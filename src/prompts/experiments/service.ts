import { z } from 'zod';
import { dbText, errors, jsonObject } from '../../core/index.js';
import type { ExperimentRecord, ExperimentsRepo, VariantStats } from '../../storage/index.js';
import { labelName, promptName } from '../schemas.js';
import { assign } from './assign.js';
import { msprt, rateArm, type SequentialResult } from './stats.js';

const variantSchema = z.strictObject({
  name: labelName,
  weight: z.number().positive().max(1_000_000).default(1),
  prompt_version: z.number().int().min(1).max(2_147_483_647).optional(),
  prompt_label: labelName.optional(),
  model: dbText({ min: 1, max: 200 }).optional(),
  params: jsonObject().optional(),
});
export type Variant = z.infer<typeof variantSchema>;

const settingsSchema = z.strictObject({
  alpha: z.number().min(0.001).max(0.2).default(0.05),
  tau: z.number().positive().max(1).default(0.05),
  min_samples: z.number().int().min(10).max(1_000_000).default(100),
  metric: dbText({ min: 1, max: 100 }).optional(),
  guardrails: z.array(z.enum(['errors', 'hallucinations'])).default(['errors', 'hallucinations']),
  auto_complete: z.boolean().default(true),
  promote_label: labelName.optional(),
  control: labelName.optional(),
});
type Settings = z.infer<typeof settingsSchema> & { stopped?: string[] };

export const createExperimentBody = z
  .strictObject({
    name: dbText({ min: 1, max: 200 }),
    prompt_name: promptName.optional(),
    unit: z.enum(['user', 'session', 'request']).default('user'),
    variants: z.array(variantSchema).min(2).max(10),
    settings: settingsSchema.default(settingsSchema.parse({})),
  })
  .superRefine((b, ctx) => {
    const names = b.variants.map((v) => v.name);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', path: ['variants'], message: 'variant names must be unique' });
    if (b.settings.control && !names.includes(b.settings.control)) ctx.addIssue({ code: 'custom', path: ['settings', 'control'], message: 'not one of the variants' });
    b.variants.forEach((v, i) => {
      if ((v.prompt_version !== undefined || v.prompt_label) && !b.prompt_name) ctx.addIssue({ code: 'custom', path: ['variants', i], message: 'a prompt version or label needs the experiment’s prompt_name' });
      if (v.prompt_version !== undefined && v.prompt_label) ctx.addIssue({ code: 'custom', path: ['variants', i], message: 'prompt_version or prompt_label, not both' });
    });
    if (b.settings.promote_label && !b.prompt_name) ctx.addIssue({ code: 'custom', path: ['settings', 'promote_label'], message: 'promoting a label needs prompt_name' });
  });
export type CreateExperimentBody = z.infer<typeof createExperimentBody>;

export interface ExperimentOut {
  id: string;
  name: string;
  status: string;
  prompt_name: string | null;
  unit: string;
  variants: Variant[];
  settings: Settings;
  winner: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
}

const out = (e: ExperimentRecord): ExperimentOut => ({
  id: e.id,
  name: e.name,
  status: e.status,
  prompt_name: e.promptName,
  unit: e.unit,
  variants: e.variants as Variant[],
  settings: e.settings as Settings,
  winner: e.winner,
  created_at: e.createdAt.toISOString(),
  started_at: e.startedAt?.toISOString() ?? null,
  ended_at: e.endedAt?.toISOString() ?? null,
});

const TRANSITIONS: Record<string, { from: string[]; to: string }> = {
  start: { from: ['draft', 'paused'], to: 'running' },
  pause: { from: ['running'], to: 'paused' },
  complete: { from: ['running', 'paused'], to: 'completed' },
};
export type ExperimentAction = keyof typeof TRANSITIONS;

export interface ExperimentDeps {
  repo: ExperimentsRepo;
  /** Checks a prompt version or label exists (a 404 otherwise). */
  checkPrompt: (projectId: string, name: string, ref: { version: number } | { label: string }) => Promise<void>;
  /** Moves a label to the winner's prompt version (as the system: experiments promote their own label). */
  promote: (projectId: string, name: string, label: string, version: number, experimentId: string) => Promise<void>;
}

const cmp = (r: SequentialResult) => ({ diff: r.diff, ci: r.ci, p: r.p, significant: r.significant });

/** Experiments: lifecycle, sticky assignment, results with always-valid statistics and a decision. */
export function createExperiments(d: ExperimentDeps) {
  const running = new Map<string, { at: number; list: ExperimentOut[] }>();

  async function mustGet(projectId: string, id: string): Promise<ExperimentOut> {
    const e = await d.repo.get(projectId, id);
    if (!e) throw errors.notFound(`No experiment "${id}" in this project`);
    return out(e);
  }

  function assignOut(e: ExperimentOut, unitId: string | undefined) {
    const stopped = new Set(e.settings.stopped ?? []);
    const control = e.settings.control ?? e.variants[0]!.name;
    if (e.status !== 'running') {
      const fixed = e.variants.find((v) => v.name === (e.winner ?? control))!;
      return { experiment_id: e.id, status: e.status, variant: fixed, sticky: true };
    }
    const open = e.variants.filter((v) => !stopped.has(v.name));
    const r = assign(e.id, open.length ? open : e.variants, e.unit === 'request' ? undefined : unitId);
    return { experiment_id: e.id, status: e.status, variant: r.variant, sticky: r.sticky };
  }

  return {
    async create(projectId: string, body: CreateExperimentBody): Promise<ExperimentOut> {
      if (body.prompt_name) {
        for (const v of body.variants) {
          if (v.prompt_version !== undefined) await d.checkPrompt(projectId, body.prompt_name, { version: v.prompt_version });
          else if (v.prompt_label) await d.checkPrompt(projectId, body.prompt_name, { label: v.prompt_label });
        }
      }
      return out(await d.repo.create({ projectId, name: body.name, promptName: body.prompt_name ?? null, unit: body.unit, variants: body.variants, settings: body.settings }));
    },
    get: mustGet,
    list: async (projectId: string, status?: string) => (await d.repo.list(projectId, status)).map(out),
    async transition(projectId: string, id: string, action: ExperimentAction, winner?: string): Promise<ExperimentOut> {
      const e = await mustGet(projectId, id);
      const t = TRANSITIONS[action]!;
      if (winner !== undefined && !e.variants.some((v) => v.name === winner)) throw errors.badRequest(`"${winner}" is not a variant of this experiment`);
      const moved = await d.repo.transition(projectId, id, t.from, t.to, winner);
      if (!moved) throw errors.conflict(`Cannot ${action} an experiment that is ${e.status} (allowed from ${t.from.join(' or ')})`);
      running.delete(projectId);
      return out(moved);
    },
    async remove(projectId: string, id: string): Promise<void> {
      if (!(await d.repo.remove(projectId, id))) throw errors.notFound(`No experiment "${id}" in this project`);
      running.delete(projectId);
    },
    /** The variant for a unit (user id, session id; none = a fresh draw per request). */
    async assign(projectId: string, id: string, unitId: string | undefined) {
      const e = await mustGet(projectId, id);
      if (e.status === 'draft') throw errors.conflict('This experiment is a draft: start it first');
      return assignOut(e, unitId);
    },
    assignOut,
    /** Running experiments of a project (cached for a second: the gateway asks on every call). */
    async running(projectId: string): Promise<ExperimentOut[]> {
      const hit = running.get(projectId);
      if (hit && Date.now() - hit.at < 1000) return hit.list;
      const list = (await d.repo.list(projectId, 'running')).map(out);
      if (running.size > 10_000) running.clear();
      running.set(projectId, { at: Date.now(), list });
      return list;
    },

    /** Per-variant results, comparisons with the control, and the running decision (applied when automatic). */
    async results(projectId: string, id: string) {
      let e = await mustGet(projectId, id);
      const s = e.settings;
      const stats = new Map((await d.repo.stats(projectId, id, s.metric ?? null)).map((x) => [x.variant, x]));
      const empty = (variant: string): VariantStats => ({ variant, n: 0, errors: 0, evaluated: 0, hallucinated: 0, successes: 0, latencyP50: null, latencyP95: null, costMean: null, metricN: 0, metricMean: null, metricVar: null });
      const control = s.control ?? e.variants[0]!.name;
      const c = stats.get(control) ?? empty(control);
      const rows = e.variants.map((v) => {
        const x = stats.get(v.name) ?? empty(v.name);
        const base = {
          name: v.name,
          n: x.n,
          success_rate: x.n ? x.successes / x.n : null,
          error_rate: x.n ? x.errors / x.n : null,
          hallucination_rate: x.evaluated ? x.hallucinated / x.evaluated : null,
          evaluated: x.evaluated,
          latency_p50_ms: x.latencyP50,
          latency_p95_ms: x.latencyP95,
          cost_per_request_usd: x.costMean,
          ...(s.metric ? { metric: { name: s.metric, n: x.metricN, mean: x.metricMean } } : {}),
        };
        if (v.name === control) return { ...base, vs_control: null };
        const vs = {
          success: cmp(msprt(rateArm(c.n, c.successes), rateArm(x.n, x.successes), s.alpha, s.tau)),
          errors: cmp(msprt(rateArm(c.n, c.errors), rateArm(x.n, x.errors), s.alpha, s.tau)),
          hallucinations: cmp(msprt(rateArm(c.evaluated, c.hallucinated), rateArm(x.evaluated, x.hallucinated), s.alpha, s.tau)),
          ...(s.metric && c.metricMean !== null && x.metricMean !== null
            ? { metric: cmp(msprt({ n: c.metricN, mean: c.metricMean, variance: c.metricVar ?? 0 }, { n: x.metricN, mean: x.metricMean, variance: x.metricVar ?? 0 }, s.alpha, s.tau)) }
            : {}),
        };
        return { ...base, vs_control: vs };
      });

      const enough = (n: number) => n >= s.min_samples;
      const tripped = rows.filter(
        (r) => r.vs_control && enough(r.n) && enough(c.n) && ((s.guardrails.includes('errors') && r.vs_control.errors.significant && r.vs_control.errors.diff > 0) || (s.guardrails.includes('hallucinations') && r.vs_control.hallucinations.significant && r.vs_control.hallucinations.diff > 0)),
      );
      const stopped = [...new Set([...(s.stopped ?? []), ...tripped.map((r) => r.name)])];
      const challengers = rows.filter((r) => r.vs_control && !stopped.includes(r.name));
      const better = challengers.filter((r) => enough(r.n) && enough(c.n) && r.vs_control!.success.significant && r.vs_control!.success.diff > 0).sort((a, b) => b.vs_control!.success.diff - a.vs_control!.success.diff);
      const controlWins = enough(c.n) && challengers.every((r) => enough(r.n) && r.vs_control!.success.significant && r.vs_control!.success.diff < 0);
      const winner = better[0]?.name ?? (controlWins ? control : undefined);
      const state = e.status === 'completed' ? 'completed' : winner ? 'winner' : tripped.length ? 'guardrail' : rows.every((r) => enough(r.n)) ? 'running' : 'collecting';
      const reason =
        state === 'completed'
          ? `completed${e.winner ? `; winner ${e.winner}` : ''}`
          : winner
            ? winner === control
              ? `${control} (control) is significantly better than every other variant`
              : `${winner} beats ${control} on success rate (always-valid ${Math.round((1 - s.alpha) * 100)}% interval excludes 0)`
            : tripped.length
              ? `stopped ${tripped.map((r) => r.name).join(', ')}: significantly worse on a guardrail`
              : state === 'collecting'
                ? `collecting: each variant needs ${s.min_samples} observations`
                : 'no significant difference yet';

      if (e.status === 'running' && stopped.length > (s.stopped ?? []).length) {
        e = out((await d.repo.updateSettings(projectId, id, { ...s, stopped })) ?? (await d.repo.get(projectId, id))!);
        running.delete(projectId);
      }
      if (e.status === 'running' && winner && s.auto_complete) {
        const done = await d.repo.transition(projectId, id, ['running'], 'completed', winner);
        if (done) {
          e = out(done);
          running.delete(projectId);
          const v = e.variants.find((x) => x.name === winner);
          if (s.promote_label && e.prompt_name && v?.prompt_version !== undefined) await d.promote(projectId, e.prompt_name, s.promote_label, v.prompt_version, id);
        }
      }
      return {
        experiment: e,
        control,
        method: { name: 'mSPRT (normal mixture), always valid', alpha: s.alpha, tau: s.tau },
        variants: rows,
        decision: { state, winner: e.winner ?? winner ?? null, stopped, reason },
      };
    },
  };
}

export type Experiments = ReturnType<typeof createExperiments>;
