export { importLangfuse, type LangfuseFileSummary, type LangfuseImportSummary, type LangfuseSource } from './import.js';
export { parseLangfuseFile, type LangfuseFile, type LangfuseTraceExport } from './parse.js';
export { langfuseToTrace, observationUsage } from './to-trace.js';
