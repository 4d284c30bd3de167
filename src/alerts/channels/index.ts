import type { AlertChannel } from '../contract.js';
import { log } from './log.js';
import { slack } from './slack.js';
import { webhook } from './webhook.js';

/** Notification channels. Adding one: a file here, a line below, a config field, its test. */
export const channels = { slack, webhook, log } satisfies Record<string, AlertChannel>;
export type ChannelName = keyof typeof channels;
