import { AetherError, errors } from '../core/errors.js';

export const VARIABLE_TYPES = ['string', 'number', 'boolean', 'json'] as const;
export type VariableType = (typeof VARIABLE_TYPES)[number];

/** A declared `{{variable}}`: its type, an optional default and a note for the dashboard. */
export interface VariableDecl {
  type: VariableType;
  default?: unknown;
  description?: string;
}

export interface ChatMessage {
  role: string;
  content: string;
  name?: string;
}

export type PromptContent = string | ChatMessage[];

const VAR = /\{\{\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*\}\}/g;

/** Variable names a template uses, in order of first use. */
export function variablesIn(content: PromptContent): string[] {
  const texts = typeof content === 'string' ? [content] : content.map((m) => m.content);
  const seen = new Set<string>();
  for (const t of texts) for (const m of t.matchAll(VAR)) seen.add(m[1]!);
  return [...seen];
}

/** A value of the declared type (numbers and booleans also from their text form, as the CLI sends them), or undefined. */
export function coerce(type: VariableType, v: unknown): unknown {
  switch (type) {
    case 'string':
      return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
    case 'number':
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
      return undefined;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === 'false') return v === 'true';
      return undefined;
    case 'json':
      return v;
  }
}

/** The declared variables completed with the undeclared ones the template uses (as strings). */
export function completeDeclarations(content: PromptContent, declared: Record<string, VariableDecl>): Record<string, VariableDecl> {
  const out: Record<string, VariableDecl> = { ...declared };
  for (const name of variablesIn(content)) if (!Object.hasOwn(out, name)) out[name] = { type: 'string' };
  for (const [name, d] of Object.entries(declared)) {
    if (d.default !== undefined && coerce(d.type, d.default) === undefined) {
      throw errors.badRequest(`variables.${name}.default is not a ${d.type}`, 'invalid_variable');
    }
  }
  return out;
}

const show = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v));

/**
 * Fill `{{variables}}` from `values`, then defaults. Missing or mistyped values are a 400 that
 * names every one of them.
 */
export function render(content: PromptContent, decls: Record<string, VariableDecl>, values: Record<string, unknown>): PromptContent {
  const resolved = new Map<string, unknown>();
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const name of variablesIn(content)) {
    const d = decls[name] ?? { type: 'string' as const };
    const given = Object.hasOwn(values, name) ? values[name] : undefined;
    const raw = given ?? d.default;
    if (raw === undefined || raw === null) {
      missing.push(name);
      continue;
    }
    const v = coerce(d.type, raw);
    if (v === undefined) wrong.push(`${name} (expected ${d.type})`);
    else resolved.set(name, v);
  }
  if (missing.length || wrong.length) {
    const parts = [missing.length ? `missing variables: ${missing.join(', ')}` : '', wrong.length ? `wrong type: ${wrong.join(', ')}` : ''].filter(Boolean);
    throw new AetherError(400, missing.length ? 'missing_variables' : 'invalid_variable', `Cannot render the prompt: ${parts.join('; ')}`, {
      details: { missing, wrong_type: wrong },
    });
  }
  const fill = (t: string) => t.replace(VAR, (_m, name: string) => show(resolved.get(name)));
  return typeof content === 'string' ? fill(content) : content.map((m) => ({ ...m, content: fill(m.content) }));
}
