export { checkJsonBounds, checkProtobufBounds, OTLP_LIMITS } from './bounds.js';
export { decodeProtobufExport } from './decode-proto.js';
export { decodeJsonExport } from './decode-json.js';
export { createOtlpReceiver, type ExportOutcome, type OtlpReceiver, type OtlpReceiverDeps } from './receiver.js';
export { buildTraces, type BuiltTrace } from './to-traces.js';
export type { AttrValue, Attributes, DecodedExport, OtlpSpan, SpanRejection } from './model.js';
export {
  decodeExportResponse,
  decodeStatus,
  encodeExportRequest,
  encodeExportResponse,
  encodeStatus,
} from './proto.js';
