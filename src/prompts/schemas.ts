import { z } from 'zod';
import { clientObject, dbText, jsonObject, boundedJson } from '../core/index.js';
import type { PromptVersionRecord } from '../storage/index.js';
import { VARIABLE_TYPES, type ChatMessage, type PromptContent, type VariableDecl } from './template.js';

/** Prompt names: no `@`, `#` or `/`, so `name@label` / `name#3` and URL paths stay unambiguous. */
// At most 100 characters: the router's limit on a path parameter (a longer name could not be read back).
export const promptName = dbText({ max: 100 }).regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]*$/, 'letters, digits, _ . : - (no spaces, @, # or /)');
export const labelName = dbText({ max: 64 }).regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'letters, digits, _ . - (starting with a letter or digit)');

const chatMessage = z.strictObject({
  role: dbText({ min: 1, max: 32 }),
  content: dbText({ max: 100_000 }),
  name: dbText({ max: 64 }).optional(),
});

export const variableDecl = z.union([
  z.enum(VARIABLE_TYPES).transform((type): VariableDecl => ({ type })),
  z.strictObject({ type: z.enum(VARIABLE_TYPES).default('string'), default: boundedJson().optional(), description: dbText({ max: 500 }).optional() }),
]);

export const createPromptBody = z
  .strictObject({
    name: promptName,
    type: z.enum(['text', 'chat']).default('text'),
    prompt: z.union([dbText({ max: 100_000 }), z.array(chatMessage).min(1).max(200)]),
    labels: z.array(labelName).max(20).default([]),
    config: jsonObject().default({}),
    variables: z.record(dbText({ max: 100 }).regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'a variable name'), variableDecl).default({}),
    commit_message: dbText({ max: 1000 }).nullable().optional(),
    tags: z.array(dbText({ min: 1, max: 64 })).max(20).optional(),
    category: dbText({ max: 100 }).nullable().optional(),
  })
  .superRefine((b, ctx) => {
    if (b.type === 'text' && typeof b.prompt !== 'string') ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'a text prompt is a string; send type "chat" for a list of messages' });
    if (b.type === 'chat' && typeof b.prompt === 'string') ctx.addIssue({ code: 'custom', path: ['prompt'], message: 'a chat prompt is a list of {role, content} messages' });
    if (b.labels.includes('latest')) ctx.addIssue({ code: 'custom', path: ['labels'], message: '"latest" is set automatically on the newest version' });
  });
export type CreatePromptBody = z.infer<typeof createPromptBody>;

export const versionOut = z
  .object({
    name: z.string(),
    type: z.enum(['text', 'chat']),
    version: z.number(),
    labels: z.array(z.string()),
    prompt: z.union([z.string(), z.array(z.object({ role: z.string(), content: z.string(), name: z.string().optional() }))]),
    config: clientObject(),
    variables: z.record(z.string(), z.object({ type: z.enum(VARIABLE_TYPES), default: z.unknown().optional(), description: z.string().optional() })),
    tags: z.array(z.string()),
    category: z.string().nullable(),
    commit_message: z.string().nullable(),
    created_by: z.string().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'PromptVersion' });
export type VersionOut = z.infer<typeof versionOut>;

/** The API view of a stored version. */
export function toVersionOut(r: PromptVersionRecord): VersionOut {
  return {
    name: r.name,
    type: r.type === 'chat' ? 'chat' : 'text',
    version: r.version,
    labels: r.labels,
    prompt: r.prompt as PromptContent,
    config: r.config,
    variables: r.variables as Record<string, VariableDecl>,
    tags: r.tags,
    category: r.category,
    commit_message: r.commitMessage,
    created_by: r.createdBy,
    created_at: r.createdAt.toISOString(),
  };
}

export type { ChatMessage };
