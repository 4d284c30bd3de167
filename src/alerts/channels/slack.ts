import type { AlertChannel, AlertMessage } from '../contract.js';
import { postJson } from './http.js';

const EMOJI = { critical: ':red_circle:', warning: ':large_orange_circle:', info: ':large_blue_circle:' } as const;

function fieldValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/0+$/, '').replace(/\.$/, '');
  return String(v);
}

/** A Slack Block Kit message: what happened, the numbers, and a button to the dashboard. */
export function slackPayload(m: AlertMessage): Record<string, unknown> {
  const a = m.alert;
  const headline =
    m.event === 'test'
      ? ':white_check_mark: Aether test message'
      : m.event === 'resolved'
        ? `:white_check_mark: Resolved: ${a.title}`
        : `${EMOJI[a.severity]} ${a.title}`;
  const numbers = ['value', 'threshold', 'samples', 'window_minutes', 'baseline', 'budget']
    .filter((k) => a.details[k] !== undefined && a.details[k] !== null)
    .map((k) => ({ type: 'mrkdwn', text: `*${k.replace('_', ' ')}*\n${fieldValue(a.details[k])}` }));
  return {
    text: `${headline} (${m.projectName})`,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: headline.slice(0, 150), emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: m.event === 'resolved' ? `The condition cleared. ${a.message}` : a.message } },
      ...(numbers.length ? [{ type: 'section', fields: numbers.slice(0, 10) }] : []),
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `project *${m.projectName}* · ${a.type} · severity ${a.severity} · ${a.created_at}` }],
      },
      { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: a.trace_id ? 'Open trace' : 'Open dashboard' }, url: m.link }] },
    ],
  };
}

/** Slack incoming webhook. */
export const slack: AlertChannel = {
  name: 'slack',
  enabled: (c) => c.slack_enabled && !!c.slack_webhook_url,
  async send(m, config, deps) {
    await postJson(deps.fetch, config.slack_webhook_url!, JSON.stringify(slackPayload(m)), {}, deps.timeoutMs);
  },
  async notify(n, config, deps) {
    const body = {
      text: `${n.title} (${n.projectName})`,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: `*${n.title}*\n${n.text}` } },
        { type: 'context', elements: [{ type: 'mrkdwn', text: `project *${n.projectName}* · ${n.event}` }] },
        { type: 'actions', elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open dashboard' }, url: n.link }] },
      ],
    };
    await postJson(deps.fetch, config.slack_webhook_url!, JSON.stringify(body), {}, deps.timeoutMs);
  },
};
