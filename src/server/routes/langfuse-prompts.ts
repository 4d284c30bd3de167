// Langfuse's prompt endpoints (`/api/public/v2/prompts`) served from Aether's prompt registry, in
// Langfuse's shapes, so `langfuse.getPrompt(name)` and `createPrompt` work unchanged.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseOrThrow } from '../../core/validate.js';
import { dbText, idParam, VALUE_LIMITS } from '../../core/schemas/safe.js';
import { clientObject } from '../../core/schemas/api.js';
import { createPromptBody, type Prompts, type VersionOut } from '../../prompts/index.js';
import type { Principal } from '../auth.js';

const basic = [{ langfuseBasic: [] }];

// Path and query values reach the store: NUL-free text and versions that fit the int4 column.
const getParams = z.object({ name: idParam() });
const getQuery = z.looseObject({ version: z.coerce.number().int().min(1).max(VALUE_LIMITS.int4).optional(), label: dbText({ min: 1, max: 100 }).optional() });
const listQuery = z.looseObject({ page: z.coerce.number().int().min(1).default(1), limit: z.coerce.number().int().min(1).max(100).default(50), label: dbText({ max: 100 }).optional(), tag: dbText({ max: 64 }).optional(), name: dbText({ max: 100 }).optional() });
// Langfuse's create body: camelCase, chat messages may carry `type: "chatmessage"`.
const createBody = z.looseObject({
  name: z.string(),
  type: z.enum(['text', 'chat']).optional(),
  prompt: z.unknown(),
  config: clientObject().optional(),
  labels: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  commitMessage: z.string().nullable().optional(),
});

/** A registry version as Langfuse returns a prompt. */
function langfusePrompt(v: VersionOut, projectId: string) {
  return {
    id: `${v.name}#${v.version}`,
    projectId,
    name: v.name,
    version: v.version,
    type: v.type,
    prompt: v.prompt,
    config: v.config,
    labels: v.labels,
    tags: v.tags,
    commitMessage: v.commit_message,
    createdBy: v.created_by,
    createdAt: v.created_at,
    updatedAt: v.created_at,
  };
}

/** Register the v2 prompt routes on the Langfuse-authenticated scope. */
export function langfusePromptRoutes(pub: FastifyInstance, prompts: Prompts, authenticate: (h: Record<string, string | string[] | undefined>) => Promise<Principal>): void {
  pub.get('/api/public/v2/prompts/:name', { schema: { tags: ['langfuse'], summary: 'A prompt by label (default production) or version', security: basic } }, async (req) => {
    const p = await authenticate(req.headers);
    const { name } = parseOrThrow(getParams, req.params);
    const q = parseOrThrow(getQuery, req.query);
    const ref = q.version !== undefined ? { version: q.version } : { label: q.label ?? 'production' };
    return langfusePrompt((await prompts.get(p.project.id, name, ref)).value, p.project.id);
  });

  pub.post('/api/public/v2/prompts', { schema: { tags: ['langfuse'], summary: 'Create the next version of a prompt', security: basic } }, async (req, reply) => {
    const p = await authenticate(req.headers);
    const b = parseOrThrow(createBody, req.body);
    const chat = Array.isArray(b.prompt);
    const prompt = chat ? (b.prompt as Array<Record<string, unknown>>).map((m) => ({ role: m.role, content: m.content })) : b.prompt;
    const body = parseOrThrow(createPromptBody, { name: b.name, type: b.type ?? (chat ? 'chat' : 'text'), prompt, config: b.config, labels: b.labels, tags: b.tags, commit_message: b.commitMessage });
    const v = await prompts.create({ projectId: p.project.id, id: p.keyId }, body);
    return reply.status(201).send(langfusePrompt(v, p.project.id));
  });

  pub.get('/api/public/v2/prompts', { schema: { tags: ['langfuse'], summary: 'Prompts of the project, in pages', security: basic } }, async (req) => {
    const p = await authenticate(req.headers);
    const q = parseOrThrow(listQuery, req.query);
    const all = (await prompts.list(p.project.id, { label: q.label, tag: q.tag, search: q.name })).filter((x) => !q.name || x.name === q.name);
    const page = all.slice((q.page - 1) * q.limit, q.page * q.limit);
    const data = await Promise.all(
      page.map(async (x) => ({ name: x.name, type: x.type, versions: (await prompts.versions(p.project.id, x.name)).map((v) => v.version).sort((a, b) => a - b), labels: x.labels, tags: x.tags, lastUpdatedAt: x.updated_at })),
    );
    return {
      data,
      meta: { page: q.page, limit: q.limit, totalItems: all.length, totalPages: Math.ceil(all.length / q.limit) },
    };
  });
}
