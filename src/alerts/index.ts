export type { AlertRule, AlertChannel, AlertMessage, Notice, NoticeSource, Firing, RuleContext, RuleOutcome, Trigger } from './contract.js';
export { DeliveryError } from './contract.js';
export { rules, type RuleName } from './rules/index.js';
export { channels, type ChannelName } from './channels/index.js';
export { slackPayload } from './channels/slack.js';
export { signature as webhookSignature } from './channels/webhook.js';
export { createAlertSettings, type AlertSettings } from './settings.js';
export { createAlertEngine, type AlertEngine, type EvaluationReport } from './engine.js';
export { createDeliverer, alertLink, noticeChannels, type Deliverer } from './delivery.js';
