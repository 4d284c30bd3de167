export { importLangfuse, type LangfuseFileSummary, type LangfuseImportSummary, type LangfuseSource } from './import.js';
export { parseLangfuseFile, type LangfuseFile, type LangfuseTraceExport } from './parse.js';
export { langfuseToTrace, observationUsage, retrievedContexts } from './to-trace.js';
export { createLangfuseIngest, type LangfuseIngest, type LangfuseIngestDeps, type IngestionResult } from './live.js';
export { applyEvents, INGESTION_TYPES, type IngestionEvent, type TraceState } from './events.js';
export { flattenUsageDetails, scoreToEvaluation } from './state.js';
export { applyLangfuseAttributes } from './otel.js';
