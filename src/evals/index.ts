export type { EvalTrace, Judge, Metric, MetricDeps, MetricResult, ChatMessage, JudgeReply, LlmPort, LlmChatCall, LlmCallOptions } from './contract.js';
export { notApplicable, unitScore } from './contract.js';
export { builtinMetrics, createRegistry, isMetric, type MetricRegistry, type BuiltinMetricName } from './registry.js';
export { createEvaluator, toEvalTrace, type Evaluator } from './service.js';
export { createEvaluationSettings, type EvaluationSettings } from './settings.js';
export { startEvaluationWorker, evaluationHandler, type WorkerDeps } from './worker.js';
export { createJudge, JudgeError, type JudgeSettings } from './judge/client.js';
export { findPii, hasPii } from './metrics/pii.js';
