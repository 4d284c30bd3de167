export { createMonitors, viewOf, runView, type Monitors, type MonitorsDeps, type MonitorView } from './service.js';
export { runMonitor, evaluationConfigOf, type MonitorDeps, type RunOptions, type RunReport } from './runner.js';
export { parseMonitorYaml, parseMonitorJson, MonitorSpecError, type SpecIssue } from './parse.js';
export { monitorSpecSchema, SOURCE_TYPES, SAMPLING_STRATEGIES, type MonitorSpec } from './spec.js';
export { sample, draw } from './sample.js';
export { getPath } from './paths.js';
export { createExtractor, type EvalInput, type ExtractorHook } from './extract.js';
export { aggregate, statusOf, worst, type MonitorStatus } from './status.js';
export { nextRun } from './schedule.js';
