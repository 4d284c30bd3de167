import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AetherError, errors } from '../../core/errors.js';
import { checkJsonBounds, checkProtobufBounds, createOtlpReceiver, decodeJsonExport, decodeProtobufExport, encodeExportResponse, encodeStatus, type DecodedExport } from '../../ingest/index.js';
import { spansRepo } from '../../storage/index.js';
import type { Principal } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import { toAetherError } from '../errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const PROTOBUF = /^application\/(x-)?protobuf\b/i;

const isProtobuf = (req: FastifyRequest) => PROTOBUF.test(String(req.headers['content-type'] ?? ''));

/** google.rpc.Code for an HTTP status, as OTLP/HTTP error bodies carry it. */
function rpcCode(status: number): number {
  const codes: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 413: 8, 415: 3, 429: 8, 503: 14 };
  return codes[status] ?? (status >= 500 ? 13 : 3);
}

/** Undo Content-Encoding, refusing output beyond `limit` bytes (a small gzip body can inflate to gigabytes). */
async function decompress(req: FastifyRequest, body: Buffer, limit: number): Promise<Buffer> {
  const enc = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (enc === 'identity' || enc === '') return body;
  if (enc !== 'gzip' && enc !== 'deflate') {
    throw new AetherError(415, 'unsupported_media_type', `Unsupported Content-Encoding "${enc}": send gzip or an uncompressed body`);
  }
  try {
    return await (enc === 'gzip' ? gunzipAsync : inflateAsync)(body, { maxOutputLength: limit });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw errors.tooLarge(`The ${enc}-decoded body is larger than ${limit} bytes; export fewer spans per request`);
    throw errors.badRequest(`Body is not valid ${enc}: ${(e as Error).message}`, 'invalid_encoding');
  }
}

/** Decode after checking element counts and nesting on the raw bytes (yielding as it walks). */
async function decode(req: FastifyRequest, body: Buffer): Promise<DecodedExport> {
  if (isProtobuf(req)) {
    await checkProtobufBounds(body);
    return await decodeProtobufExport(body);
  }
  await checkJsonBounds(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw errors.badRequest(`Body is not valid JSON: ${(e as Error).message}`, 'invalid_json');
  }
  return await decodeJsonExport(parsed);
}

/** Answer in the request's encoding: ExportTraceServiceResponse on success, google.rpc.Status on error. */
function send(req: FastifyRequest, reply: FastifyReply, status: number, rejected: number, message: string, ae?: AetherError) {
  const proto = isProtobuf(req);
  reply.status(status).header('content-type', proto ? 'application/x-protobuf' : 'application/json; charset=utf-8');
  if (status === 200) {
    const json = rejected > 0 || message ? { partialSuccess: { rejectedSpans: rejected, errorMessage: message } } : {};
    return reply.send(proto ? Buffer.from(encodeExportResponse(rejected, message)) : JSON.stringify(json));
  }
  const code = rpcCode(status);
  // The JSON body is a google.rpc.Status for OTLP clients, plus Aether's usual error object for people.
  const error = ae ? ae.toJSON().error : { code: 'bad_request', message };
  return reply.send(proto ? Buffer.from(encodeStatus(code, error.message)) : JSON.stringify({ code, message: error.message, error }));
}

/** Where else the receiver is mounted (Langfuse's /api/public/otel/v1/traces) and how it authenticates there. */
export interface OtlpMount {
  path: string;
  authenticate: (headers: Record<string, string | string[] | undefined>) => Promise<Principal>;
  /** Adjust decoded spans before mapping (e.g. vendor attributes onto the conventions). */
  transform?: (d: DecodedExport) => DecodedExport;
  summary: string;
  security: Array<Record<string, string[]>>;
}

/** OTLP/HTTP trace receiver: `POST /v1/traces`, protobuf or JSON, optionally gzip-compressed. */
export function otlpRoutes(deps: RouteDeps, mount?: OtlpMount): FastifyPluginAsyncZod {
  return async (app) => {
    const limit = deps.config.maxBatchBodyBytes;
    const receiver = createOtlpReceiver({
      ingest: deps.ingest,
      spans: spansRepo(deps.store.pool),
      prices: (projectId) => deps.ingest.prices.get(projectId),
      samplingRate: async (projectId) => {
        const c = await deps.evals.settings.get(projectId);
        return c.enabled ? c.sampling_rate : 0;
      },
    });

    // Scoped to this plugin: the body is read raw so it can be gunzipped, then decoded by type.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(['application/x-protobuf', 'application/protobuf', 'application/json'], { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));
    app.setErrorHandler((err, req, reply) => {
      let ae = toAetherError(err, req);
      if (ae.status === 415 && ae.code === 'unsupported_media_type' && !/Content-Encoding/.test(ae.message)) {
        ae = new AetherError(415, 'unsupported_media_type', `Unsupported Content-Type "${req.headers['content-type'] ?? ''}": OTLP/HTTP sends application/x-protobuf or application/json`);
      }
      if (ae.status >= 500) req.log.error({ err }, 'request failed');
      return send(req, reply, ae.status, 0, ae.message, ae);
    });

    app.post(
      mount?.path ?? '/v1/traces',
      {
        bodyLimit: limit,
        schema: {
          tags: ['otlp'],
          summary: mount?.summary ?? 'OpenTelemetry OTLP/HTTP trace export',
          description:
            'ExportTraceServiceRequest as application/x-protobuf or application/json, optionally Content-Encoding: gzip. ' +
            'Spans become Aether traces (one per OTel trace id) using the GenAI and OpenInference conventions; see docs/otel.md.',
          security: mount?.security ?? [{ apiKey: [] }, { bearer: [] }],
        },
      },
      async (req, reply) => {
        const principal = await (mount?.authenticate ?? deps.auth.authenticate)(req.headers);
        const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
        const plain = await decode(req, await decompress(req, raw, limit));
        const decoded = mount?.transform ? mount.transform(plain) : plain;
        const out = await receiver.export(principal.project, decoded);
        if (out.appendedSpans) deps.metrics.spansIngested.inc(out.appendedSpans);
        if (out.evaluationsQueued) deps.evals.queue.nudge();
        const kept = out.acceptedSpans + out.appendedSpans + out.duplicateSpans;
        if (kept === 0 && out.rejectedSpans > 0) {
          return send(req, reply, 400, out.rejectedSpans, '', errors.badRequest(`No span was accepted: ${out.errorMessage}`, 'invalid_otlp'));
        }
        return send(req, reply, 200, out.rejectedSpans, out.errorMessage);
      },
    );
  };
}
