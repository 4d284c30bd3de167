// The few OTLP messages Aether reads and writes, as a protobufjs JSON descriptor written by hand
// from opentelemetry-proto (collector/trace/v1, trace/v1, resource/v1, common/v1) and
// google/rpc/status.proto. Field numbers are the wire contract; names are protobufjs's camelCase.
// Fields Aether does not read (trace_state, flags, dropped counts, schema_url, entity refs) are
// left out: protobuf decoders skip unknown fields, so payloads that carry them decode the same.
import protobuf from 'protobufjs/light.js';

const keyValues = (id: number) => ({ rule: 'repeated', type: 'opentelemetry.proto.common.v1.KeyValue', id });

const descriptor = {
  nested: {
    opentelemetry: {
      nested: {
        proto: {
          nested: {
            common: {
              nested: {
                v1: {
                  nested: {
                    AnyValue: {
                      oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
                      fields: {
                        stringValue: { type: 'string', id: 1 },
                        boolValue: { type: 'bool', id: 2 },
                        intValue: { type: 'int64', id: 3 },
                        doubleValue: { type: 'double', id: 4 },
                        arrayValue: { type: 'ArrayValue', id: 5 },
                        kvlistValue: { type: 'KeyValueList', id: 6 },
                        bytesValue: { type: 'bytes', id: 7 },
                      },
                    },
                    ArrayValue: { fields: { values: { rule: 'repeated', type: 'AnyValue', id: 1 } } },
                    KeyValueList: { fields: { values: { rule: 'repeated', type: 'KeyValue', id: 1 } } },
                    KeyValue: { fields: { key: { type: 'string', id: 1 }, value: { type: 'AnyValue', id: 2 } } },
                    InstrumentationScope: {
                      fields: { name: { type: 'string', id: 1 }, version: { type: 'string', id: 2 }, attributes: keyValues(3) },
                    },
                  },
                },
              },
            },
            resource: {
              nested: { v1: { nested: { Resource: { fields: { attributes: keyValues(1) } } } } },
            },
            trace: {
              nested: {
                v1: {
                  nested: {
                    ResourceSpans: {
                      fields: {
                        resource: { type: 'opentelemetry.proto.resource.v1.Resource', id: 1 },
                        scopeSpans: { rule: 'repeated', type: 'ScopeSpans', id: 2 },
                      },
                    },
                    ScopeSpans: {
                      fields: {
                        scope: { type: 'opentelemetry.proto.common.v1.InstrumentationScope', id: 1 },
                        spans: { rule: 'repeated', type: 'Span', id: 2 },
                      },
                    },
                    Span: {
                      fields: {
                        traceId: { type: 'bytes', id: 1 },
                        spanId: { type: 'bytes', id: 2 },
                        parentSpanId: { type: 'bytes', id: 4 },
                        name: { type: 'string', id: 5 },
                        kind: { type: 'int32', id: 6 },
                        startTimeUnixNano: { type: 'fixed64', id: 7 },
                        endTimeUnixNano: { type: 'fixed64', id: 8 },
                        attributes: keyValues(9),
                        events: { rule: 'repeated', type: 'Event', id: 11 },
                        links: { rule: 'repeated', type: 'Link', id: 13 },
                        status: { type: 'Status', id: 15 },
                      },
                      nested: {
                        Event: {
                          fields: { timeUnixNano: { type: 'fixed64', id: 1 }, name: { type: 'string', id: 2 }, attributes: keyValues(3) },
                        },
                        Link: { fields: { traceId: { type: 'bytes', id: 1 }, spanId: { type: 'bytes', id: 2 } } },
                      },
                    },
                    // code is the StatusCode enum on the wire; read as int32 so unknown values survive.
                    Status: { fields: { message: { type: 'string', id: 2 }, code: { type: 'int32', id: 3 } } },
                  },
                },
              },
            },
            collector: {
              nested: {
                trace: {
                  nested: {
                    v1: {
                      nested: {
                        ExportTraceServiceRequest: {
                          fields: { resourceSpans: { rule: 'repeated', type: 'opentelemetry.proto.trace.v1.ResourceSpans', id: 1 } },
                        },
                        ExportTraceServiceResponse: { fields: { partialSuccess: { type: 'ExportTracePartialSuccess', id: 1 } } },
                        ExportTracePartialSuccess: {
                          fields: { rejectedSpans: { type: 'int64', id: 1 }, errorMessage: { type: 'string', id: 2 } },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
    google: {
      nested: { rpc: { nested: { Status: { fields: { code: { type: 'int32', id: 1 }, message: { type: 'string', id: 2 } } } } } },
    },
  },
};

const root = protobuf.Root.fromJSON(descriptor);
const requestType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
const responseType = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse');
const statusType = root.lookupType('google.rpc.Status');

// The decoded message shapes (protobufjs leaves unset scalars at their defaults on the prototype).
export interface PbAnyValue {
  value?: 'stringValue' | 'boolValue' | 'intValue' | 'doubleValue' | 'arrayValue' | 'kvlistValue' | 'bytesValue';
  stringValue?: string;
  boolValue?: boolean;
  intValue?: unknown;
  doubleValue?: number;
  arrayValue?: { values: PbAnyValue[] };
  kvlistValue?: { values: PbKeyValue[] };
  bytesValue?: Uint8Array;
}
export interface PbKeyValue {
  key: string;
  value?: PbAnyValue | null;
}
export interface PbSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: unknown;
  endTimeUnixNano: unknown;
  attributes: PbKeyValue[];
  events: Array<{ timeUnixNano: unknown; name: string; attributes: PbKeyValue[] }>;
  links: Array<{ traceId: Uint8Array; spanId: Uint8Array }>;
  status?: { message: string; code: number } | null;
}
export interface PbExportRequest {
  resourceSpans: Array<{
    resource?: { attributes: PbKeyValue[] } | null;
    scopeSpans: Array<{ scope?: { name: string; version: string } | null; spans: PbSpan[] }>;
  }>;
}

/** Decode an ExportTraceServiceRequest; throws protobufjs's error on a malformed buffer. */
export function decodeExportRequest(body: Uint8Array): PbExportRequest {
  return requestType.decode(body) as unknown as PbExportRequest;
}

/** Encode an ExportTraceServiceResponse (partial_success only when something was rejected). */
export function encodeExportResponse(rejectedSpans: number, errorMessage: string): Uint8Array {
  const body = rejectedSpans > 0 || errorMessage ? { partialSuccess: { rejectedSpans, errorMessage } } : {};
  return responseType.encode(responseType.fromObject(body)).finish();
}

/** Encode a google.rpc.Status, the body OTLP/HTTP prescribes for 4xx and 5xx answers. */
export function encodeStatus(code: number, message: string): Uint8Array {
  return statusType.encode(statusType.fromObject({ code, message })).finish();
}

/** For tests and benchmarks: encode a request from a plain object in protobufjs's camelCase shape. */
export function encodeExportRequest(request: Record<string, unknown>): Uint8Array {
  return requestType.encode(requestType.fromObject(request)).finish();
}

/** For clients of this module's tests: decode a response body. */
export function decodeExportResponse(body: Uint8Array): { rejectedSpans: number; errorMessage: string } {
  const m = responseType.toObject(responseType.decode(body), { longs: Number, defaults: true }) as {
    partialSuccess?: { rejectedSpans: number; errorMessage: string };
  };
  return m.partialSuccess ?? { rejectedSpans: 0, errorMessage: '' };
}

/** Decode a google.rpc.Status body. */
export function decodeStatus(body: Uint8Array): { code: number; message: string } {
  return statusType.toObject(statusType.decode(body), { defaults: true }) as { code: number; message: string };
}

/** The request's message type, for walking the wire format without decoding it (bounds.ts). */
export function exportRequestType(): protobuf.Type {
  root.resolveAll();
  return requestType;
}
