// The Langfuse export shapes Aether reads. A trace export is `{trace, observations}` (the UI's
// "download trace" JSON); the public API's trace (observations nested in it), an array of either,
// and a list response `{data: [...]}` are accepted too. A `*.chatml.json` file is a different thing:
// Langfuse's ChatML reading of each observation's input/output, keyed by observation id.
import { z } from 'zod';
import { errors } from '../../core/errors.js';
import { clientObject } from '../../core/schemas/api.js';
import { fieldIssues } from '../../core/validate.js';

const n = z.number().finite().nullish();
const text = z.string().nullish();
// Usage and cost maps: numbers are kept, anything else (null, strings) ignored rather than failing the file.
const numbers = z
  .record(z.string(), z.unknown())
  .transform((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => typeof v === 'number' && Number.isFinite(v))) as Record<string, number>)
  .nullish();

export const observationSchema = z.looseObject({
  id: z.string().min(1),
  traceId: text,
  parentObservationId: text,
  type: z.string().nullish(),
  name: text,
  startTime: z.string().min(1),
  endTime: text,
  completionStartTime: text,
  level: text,
  statusMessage: text,
  version: text,
  environment: text,
  model: text,
  modelParameters: clientObject().nullish(),
  input: z.unknown(),
  output: z.unknown(),
  metadata: z.unknown(),
  usageDetails: numbers,
  costDetails: numbers,
  inputUsage: n,
  outputUsage: n,
  totalUsage: n,
  totalCost: n,
  calculatedTotalCost: n,
  // Exports before Langfuse v3 carry usage as {input, output, total} and promptTokens/completionTokens.
  usage: z.looseObject({ input: n, output: n, total: n }).nullish(),
  promptTokens: n,
  completionTokens: n,
  promptName: text,
  promptVersion: z.union([z.number(), z.string()]).nullish(),
});

export const traceSchema = z.looseObject({
  id: z.string().min(1),
  name: text,
  timestamp: z.string().min(1),
  input: z.unknown(),
  output: z.unknown(),
  userId: text,
  sessionId: text,
  tags: z.array(z.string()).nullish(),
  metadata: z.unknown(),
  release: text,
  version: text,
  environment: text,
  projectId: text,
  public: z.boolean().nullish(),
  bookmarked: z.boolean().nullish(),
  latency: n,
  scores: z.array(z.unknown()).nullish(),
});

export type LangfuseObservation = z.output<typeof observationSchema>;
export type LangfuseTrace = z.output<typeof traceSchema>;

export interface LangfuseTraceExport {
  trace: LangfuseTrace;
  observations: LangfuseObservation[];
}

/** ChatML messages Langfuse parsed out of an observation's input and output (absent when it could not). */
export interface ChatmlView {
  input?: unknown[];
  output?: unknown[];
}

export type LangfuseFile =
  | { kind: 'traces'; traces: LangfuseTraceExport[] }
  | { kind: 'chatml'; observations: Map<string, ChatmlView> };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseTrace(raw: unknown, at: string): LangfuseTraceExport {
  const o = isObj(raw) ? raw : {};
  const traceRaw = isObj(o.trace) ? o.trace : o;
  const obsRaw = Array.isArray(o.observations) ? o.observations : isObj(o.trace) && Array.isArray(o.trace.observations) ? o.trace.observations : [];
  const t = traceSchema.safeParse(traceRaw);
  if (!t.success) throw errors.validation(fieldIssues(t.error, `${at}trace`));
  const observations = obsRaw.map((x, i) => {
    const r = observationSchema.safeParse(x);
    if (!r.success) throw errors.validation(fieldIssues(r.error, `${at}observations.${i}`));
    return r.data;
  });
  return { trace: t.data, observations };
}

const isChatmlEntry = (v: unknown) =>
  isObj(v) && Object.keys(v).length > 0 && Object.entries(v).every(([k, x]) => (k === 'input' || k === 'output') && isObj(x) && typeof x.success === 'boolean');

/** Recognise and validate one file's parsed JSON; a file of neither kind is a 400 saying what was expected. */
export function parseLangfuseFile(json: unknown): LangfuseFile {
  if (isObj(json) && (isObj(json.trace) || (typeof json.id === 'string' && Array.isArray(json.observations)))) {
    return { kind: 'traces', traces: [parseTrace(json, '')] };
  }
  const list = Array.isArray(json) ? json : isObj(json) && Array.isArray(json.data) ? json.data : undefined;
  if (list) return { kind: 'traces', traces: list.map((x, i) => parseTrace(x, `${i}.`)) };
  if (isObj(json) && Object.keys(json).length > 0 && Object.values(json).every(isChatmlEntry)) {
    const observations = new Map<string, ChatmlView>();
    for (const [id, v] of Object.entries(json as Record<string, Record<string, { success: boolean; data?: unknown }>>)) {
      const pick = (x: { success: boolean; data?: unknown } | undefined) => (x?.success && Array.isArray(x.data) ? x.data : undefined);
      observations.set(id, { input: pick(v.input), output: pick(v.output) });
    }
    return { kind: 'chatml', observations };
  }
  throw errors.badRequest(
    'Not a Langfuse export: expected a trace export {"trace": {...}, "observations": [...]}, a trace with "observations", a list of them, or a ChatML file {"<observation id>": {"input": {"success": …}}}',
    'invalid_langfuse',
  );
}
