export { createPrompts, promptNoticeSource, type Prompts, type PromptsDeps, type Actor, type Rendered, type PromptDiff } from './registry.js';
export { createPromptBody, versionOut, promptName, labelName, toVersionOut, type VersionOut, type CreatePromptBody } from './schemas.js';
export { render, variablesIn, completeDeclarations, VARIABLE_TYPES, type VariableDecl, type VariableType, type PromptContent, type ChatMessage } from './template.js';
export { diffLines, promptLines, type DiffLine } from './diff.js';
export { createExperiments, createExperimentBody, type Experiments, type ExperimentDeps, type ExperimentOut, type ExperimentAction, type Variant, type CreateExperimentBody } from './experiments/service.js';
export { msprt, rateArm, zTest, normalQuantile, type Arm, type SequentialResult } from './experiments/stats.js';
export { assign, bucket, pick } from './experiments/assign.js';
export { createPromptResolver, parsePromptRef, type PromptResolver, type PromptRequest, type PromptResolution } from './resolver.js';
