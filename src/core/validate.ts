import type { z } from 'zod';
import { errors, type FieldIssue } from './errors.js';

/** Turn zod issues into field issues whose messages tell the caller what to fix. */
export function fieldIssues(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? [i.keys.join(',')] : [];
    const path = [prefix, ...i.path.map(String), ...keys].filter((s) => s !== '').join('.');
    let message = i.message;
    if (i.code === 'invalid_type' && /received undefined/.test(i.message)) message = `is required (${i.expected})`;
    else if (i.code === 'unrecognized_keys') message = 'is not a known field; remove it or check its spelling';
    return { field: path, message };
  });
}

/** Parse or throw a 400 naming every offending field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, prefix = ''): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw errors.validation(fieldIssues(r.error, prefix));
  return r.data;
}
