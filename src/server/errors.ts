import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AetherError, errors, type FieldIssue } from '../core/errors.js';

/** Translate anything thrown by a route into an AetherError. The only place errors become responses. */
export function toAetherError(err: unknown, req: FastifyRequest): AetherError {
  if (err instanceof AetherError) return err;
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext ?? 'body';
    const issues: FieldIssue[] = err.validation.map((v) => {
      const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
      let message = v.message ?? 'is invalid';
      if (/received undefined/.test(message)) message = 'is required';
      return { field: field ? `${where === 'body' ? '' : `${where}.`}${field}` : where, message };
    });
    return errors.validation(issues);
  }
  const fe = err as Partial<FastifyError> & { statusCode?: number };
  switch (fe.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errors.tooLarge(
        `Request body is larger than this endpoint accepts (${req.routeOptions.bodyLimit ?? 'limit'} bytes); send fewer or smaller traces per request`,
      );
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AetherError(415, 'unsupported_media_type', `Unsupported Content-Type "${req.headers['content-type'] ?? ''}": send application/json`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errors.badRequest('Body is empty: send a JSON object', 'invalid_json');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errors.badRequest(`Body is not valid JSON (${(fe.message ?? '').replace(/^Body is not valid JSON but content-type is set to 'application\/json'$/, 'parse failed')}); check quoting and brackets`, 'invalid_json');
  }
  if (err instanceof SyntaxError || fe.statusCode === 400) {
    return errors.badRequest(`Body is not valid JSON: ${(err as Error).message}`, 'invalid_json');
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new AetherError(fe.statusCode, (fe.code ?? 'bad_request').toLowerCase(), fe.message ?? 'Bad request');
  }
  return errors.internal('Internal error', err);
}

/** Fastify error handler: log server faults, answer with the safe JSON body. */
export function errorHandler(err: unknown, req: FastifyRequest, reply: FastifyReply): void {
  const ae = toAetherError(err, req);
  if (ae.status >= 500) req.log.error({ err }, 'request failed');
  reply.status(ae.status).send(ae.toJSON());
}
