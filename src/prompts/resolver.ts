import { errors } from '../core/errors.js';
import type { VersionRef } from '../storage/index.js';
import type { Experiments, ExperimentOut, Variant } from './experiments/service.js';
import type { Prompts } from './registry.js';
import { labelName, promptName } from './schemas.js';
import { render, type PromptContent, type VariableDecl } from './template.js';

/** A gateway request as the resolver sees it (no HTTP framework types). */
export interface PromptRequest {
  projectId: string;
  model: string | undefined;
  body: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}

/** What to send instead, and what the trace should record. */
export interface PromptResolution {
  /** The request body with the prompt rendered into `messages` and `prompt` / `prompt_variables` removed. */
  body: Record<string, unknown>;
  model?: string;
  prompt?: { name: string; version: number; label?: string };
  experiment?: { id: string; variant: string };
  /** Flat keys for the trace's metadata: prompt_name, prompt_version, prompt_label, experiment_id, experiment_variant. */
  metadata: Record<string, string | number>;
}

export type PromptResolver = (req: PromptRequest) => Promise<PromptResolution | null>;

const header = (h: PromptRequest['headers'], name: string): string | undefined => {
  const v = h[name];
  const s = (Array.isArray(v) ? v[0] : v)?.trim();
  return s || undefined;
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `name`, `name@label` or `name#version` (the `x-aether-prompt` header). */
export function parsePromptRef(s: string): { name: string; ref: VersionRef; label?: string } {
  const m = /^([^@#]+)(?:@([^@#]+)|#(\d+))?$/.exec(s.trim());
  const name = m?.[1] ? promptName.safeParse(m[1]) : undefined;
  if (!m || !name?.success) throw errors.badRequest(`x-aether-prompt must be name, name@label or name#version; got "${s.slice(0, 100)}"`, 'invalid_prompt_ref');
  if (m[3]) return { name: name.data, ref: { version: Number(m[3]) } };
  const label = m[2] ?? 'production';
  if (!labelName.safeParse(label).success) throw errors.badRequest(`Invalid label "${label.slice(0, 64)}" in x-aether-prompt`, 'invalid_prompt_ref');
  return { name: name.data, ref: { label }, label };
}

function named(req: PromptRequest): { name: string; ref: VersionRef; label?: string; variables: Record<string, unknown> } | undefined {
  const h = header(req.headers, 'x-aether-prompt');
  if (h) {
    const vars = req.body.prompt_variables;
    if (vars !== undefined && !isObject(vars)) throw errors.badRequest('prompt_variables must be an object', 'invalid_prompt_ref');
    return { ...parsePromptRef(h), variables: vars ?? {} };
  }
  const p = req.body.prompt;
  if (!isObject(p)) return undefined;
  if (typeof p.name !== 'string') throw errors.badRequest('prompt.name must be the name of a registered prompt', 'invalid_prompt_ref');
  if (p.variables !== undefined && !isObject(p.variables)) throw errors.badRequest('prompt.variables must be an object', 'invalid_prompt_ref');
  const base = parsePromptRef(p.name);
  if (typeof p.version === 'number') return { name: base.name, ref: { version: p.version }, variables: p.variables ?? {} };
  if (typeof p.label === 'string') return { ...parsePromptRef(`${base.name}@${p.label}`), variables: p.variables ?? {} };
  return { ...base, variables: p.variables ?? {} };
}

function unitOf(e: ExperimentOut, req: PromptRequest): string | undefined {
  if (e.unit === 'user') return header(req.headers, 'x-aether-user-id') ?? (typeof req.body.user === 'string' ? req.body.user : undefined);
  if (e.unit === 'session') return header(req.headers, 'x-aether-session-id');
  return undefined;
}

function messagesFor(type: string, content: PromptContent, existing: unknown): unknown[] {
  const own = Array.isArray(existing) ? existing : [];
  if (typeof content !== 'string' || type === 'chat') return [...(typeof content === 'string' ? [{ role: 'user', content }] : content), ...own];
  return own.length ? [{ role: 'system', content }, ...own] : [{ role: 'user', content }];
}

/**
 * Resolves a gateway request that names a prompt (`x-aether-prompt: name[@label|#version]` with body
 * `prompt_variables`, or body `prompt: {name, label?, version?, variables?}`) into messages, and
 * applies the variant of a running experiment on that prompt (or named by `x-aether-experiment`).
 * The rendered prompt comes first; the request's own messages follow. The prompt's config fills in
 * parameters the request does not set; a variant's model and params win over both.
 */
export function createPromptResolver(deps: { prompts: Pick<Prompts, 'get'>; experiments: Pick<Experiments, 'running' | 'assignOut'> }): PromptResolver {
  return async (req) => {
    const p = named(req);
    const expHeader = header(req.headers, 'x-aether-experiment');
    if (!p && !expHeader) return null;
    const running = await deps.experiments.running(req.projectId);
    const exp = expHeader ? running.find((e) => e.id === expHeader) : running.find((e) => e.prompt_name === p?.name);
    let variant: Variant | undefined;
    if (exp) variant = deps.experiments.assignOut(exp, unitOf(exp, req)).variant;

    const body: Record<string, unknown> = { ...req.body };
    delete body.prompt_variables;
    if (isObject(body.prompt)) delete body.prompt;
    const metadata: Record<string, string | number> = {};
    let model = req.model;
    let prompt: PromptResolution['prompt'];

    const name = p?.name ?? exp?.prompt_name ?? undefined;
    if (name && p) {
      let ref = p.ref;
      let label = p.label;
      if (variant?.prompt_version !== undefined) [ref, label] = [{ version: variant.prompt_version }, undefined];
      else if (variant?.prompt_label) [ref, label] = [{ label: variant.prompt_label }, variant.prompt_label];
      const { value } = await deps.prompts.get(req.projectId, name, ref);
      const rendered = render(value.prompt as PromptContent, value.variables as Record<string, VariableDecl>, p.variables);
      body.messages = messagesFor(value.type, rendered, req.body.messages);
      for (const [k, v] of Object.entries(value.config)) if (k !== 'model' && body[k] === undefined) body[k] = v;
      if (!model && typeof value.config.model === 'string') model = value.config.model;
      prompt = { name, version: value.version, ...(label ? { label } : {}) };
      Object.assign(metadata, { prompt_name: name, prompt_version: value.version }, label ? { prompt_label: label } : {});
    }
    if (exp && variant) {
      if (variant.model) model = variant.model;
      if (variant.params) Object.assign(body, variant.params);
      Object.assign(metadata, { experiment_id: exp.id, experiment_variant: variant.name });
    }
    if (model) body.model = model;
    return { body, ...(model ? { model } : {}), ...(prompt ? { prompt } : {}), ...(exp && variant ? { experiment: { id: exp.id, variant: variant.name } } : {}), metadata };
  };
}
