// What every request passes before a route sees it: a JSON body of bounded shape, and path and
// query strings the store can hold. Route schemas then check each field (src/core/schemas/safe.ts).
import type { FastifyRequest } from 'fastify';
import { errors, jsonProblem, textProblem, type FieldIssue } from '../core/index.js';

/** Deeper than any body Aether takes: 32 levels of spans, each with 32 levels of attributes, fit. */
export const MAX_BODY_DEPTH = 128;

const pathOf = (p: Array<string | number>) => p.map(String).join('.');

/**
 * Parse a JSON body. JSON.parse makes `__proto__` an ordinary own key (no prototype is touched),
 * so the body can be parsed first and its shape checked after, to say where the problem is. A
 * `__proto__` key is refused by name (code reserved_key), and nesting is bounded so that no later
 * JSON.stringify or recursive walk can overflow the stack.
 */
export function parseJsonBody(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw errors.badRequest(`Body is not valid JSON (${(e as Error).message}); check quoting and brackets`, 'invalid_json');
  }
  const p = jsonProblem(value, MAX_BODY_DEPTH, { text: false });
  if (p?.message.startsWith('nests deeper')) {
    throw errors.badRequest(`Body is nested deeper than the limit of ${MAX_BODY_DEPTH} levels (at ${pathOf(p.path.slice(0, 8))}…)`, 'too_deep');
  }
  if (p) {
    const field = pathOf(p.path) || 'body';
    throw errors.validation([{ field, message: p.message }]);
  }
  return value;
}

function stringsOf(where: string, o: unknown): FieldIssue[] {
  if (!o || typeof o !== 'object') return [];
  const issues: FieldIssue[] = [];
  for (const [k, v] of Object.entries(o as Record<string, unknown>)) {
    for (const s of Array.isArray(v) ? v : [v]) {
      const p = typeof s === 'string' ? textProblem(s) : undefined;
      if (p) issues.push({ field: `${where}.${k}`, message: p });
    }
    const kp = textProblem(k);
    if (kp) issues.push({ field: `${where}.${k}`, message: `name ${kp}` });
  }
  return issues;
}

/** preValidation hook: a NUL or lone surrogate in a path or query parameter is a 400, on every route. */
export async function checkUrlText(req: FastifyRequest): Promise<void> {
  const issues = [...stringsOf('params', req.params), ...stringsOf('querystring', req.query)];
  if (issues.length) throw errors.validation(issues);
}
