import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { clientObject, dbText, errorBodySchema, errors, idParam } from '../../core/index.js';
import { createExperimentBody } from '../../prompts/index.js';
import type { RouteDeps } from '../deps.js';

const secured: Array<Record<string, string[]>> = [{ apiKey: [] }, { bearer: [] }, { session: [] }];
const tags = ['experiments'];
const errs = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema, 409: errorBodySchema };
const experimentOut = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  prompt_name: z.string().nullable(),
  unit: z.string(),
  variants: z.array(clientObject()),
  settings: clientObject(),
  winner: z.string().nullable(),
  created_at: z.string(),
  started_at: z.string().nullable(),
  ended_at: z.string().nullable(),
}).meta({ id: 'Experiment' });
const params = z.object({ id: idParam() });

/** A/B experiments: create, lifecycle, assignment for apps outside the gateway, results. */
export function experimentRoutes(deps: RouteDeps): FastifyPluginAsyncZod {
  const { auth, experiments, prompts } = deps;
  return async (app) => {
    app.post(
      '/api/v1/experiments',
      { schema: { tags, summary: 'Create an experiment (draft) with weighted variants', security: secured, body: createExperimentBody, response: { 201: experimentOut, ...errs } } },
      async (req, reply) => {
        const p = await auth.authenticate(req.headers);
        const promote = req.body.settings.promote_label;
        if (promote && p.user?.role !== 'owner' && (await prompts.protectedLabels(p.project.id)).includes(promote)) {
          throw errors.forbidden(`Label "${promote}" is protected: only an owner can create an experiment that promotes it`);
        }
        reply.status(201);
        return experiments.create(p.project.id, req.body);
      },
    );
    app.get(
      '/api/v1/experiments',
      { schema: { tags, summary: 'Experiments of the project, newest first', security: secured, querystring: z.strictObject({ status: z.enum(['draft', 'running', 'paused', 'completed']).optional() }), response: { 200: z.object({ data: z.array(experimentOut) }), ...errs } } },
      async (req) => ({ data: await experiments.list((await auth.authenticate(req.headers)).project.id, req.query.status) }),
    );
    app.get('/api/v1/experiments/:id', { schema: { tags, summary: 'One experiment', security: secured, params, response: { 200: experimentOut, ...errs } } }, async (req) =>
      experiments.get((await auth.authenticate(req.headers)).project.id, req.params.id),
    );
    for (const action of ['start', 'pause', 'complete'] as const) {
      app.post(
        `/api/v1/experiments/:id/${action}`,
        {
          schema: {
            tags,
            summary: { start: 'Start (draft or paused → running)', pause: 'Pause (running → paused)', complete: 'Complete (optionally naming the winner)' }[action],
            security: secured,
            params,
            body: z.strictObject({ winner: dbText({ max: 64 }).optional() }).nullish(),
            response: { 200: experimentOut, ...errs },
          },
        },
        async (req) => experiments.transition((await auth.authenticate(req.headers)).project.id, req.params.id, action, action === 'complete' ? req.body?.winner : undefined),
      );
    }
    app.delete('/api/v1/experiments/:id', { schema: { tags, summary: 'Delete an experiment', security: secured, params, response: { 204: z.null(), ...errs } } }, async (req, reply) => {
      await experiments.remove((await auth.authenticate(req.headers)).project.id, req.params.id);
      return reply.status(204).send(null);
    });
    app.post(
      '/api/v1/experiments/:id/assign',
      {
        schema: {
          tags,
          summary: 'The variant for a user or session (sticky), or a fresh draw per request',
          description: 'Record the answer in your trace metadata as experiment_id and experiment_variant so results can be cut by variant.',
          security: secured,
          params,
          body: z.strictObject({ user_id: dbText({ min: 1, max: 256 }).optional(), session_id: dbText({ min: 1, max: 256 }).optional() }).nullish(),
          response: { 200: z.object({ experiment_id: z.string(), status: z.string(), variant: clientObject(), sticky: z.boolean() }), ...errs },
        },
      },
      async (req) => {
        const p = await auth.authenticate(req.headers);
        const e = await experiments.get(p.project.id, req.params.id);
        const unit = e.unit === 'user' ? req.body?.user_id : e.unit === 'session' ? req.body?.session_id : undefined;
        if (e.unit !== 'request' && !unit) throw errors.badRequest(`This experiment assigns by ${e.unit}: send ${e.unit}_id`, 'unit_required');
        return experiments.assign(p.project.id, req.params.id, unit);
      },
    );
    app.get(
      '/api/v1/experiments/:id/results',
      { schema: { tags, summary: 'Per-variant results, always-valid intervals against the control, and the decision', security: secured, params, response: { 200: z.record(z.string(), z.unknown()), ...errs } } },
      async (req) => experiments.results((await auth.authenticate(req.headers)).project.id, req.params.id),
    );
  };
}
