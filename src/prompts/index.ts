export { createPrompts, promptNoticeSource, type Prompts, type PromptsDeps, type Actor, type Rendered, type PromptDiff } from './registry.js';
export { createPromptBody, versionOut, promptName, labelName, toVersionOut, type VersionOut, type CreatePromptBody } from './schemas.js';
export { render, variablesIn, completeDeclarations, VARIABLE_TYPES, type VariableDecl, type VariableType, type PromptContent, type ChatMessage } from './template.js';
export { diffLines, promptLines, type DiffLine } from './diff.js';
