import { createHmac } from 'node:crypto';
import type { AlertChannel } from '../contract.js';
import { postJson } from './http.js';

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: receivers check freshness and integrity. */
export function signature(secret: string, body: string, t: number = Math.floor(Date.now() / 1000)): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Generic JSON webhook, signed with the project's secret in `X-Aether-Signature`. */
export const webhook: AlertChannel = {
  name: 'webhook',
  enabled: (c) => c.webhook_enabled && !!c.webhook_url,
  async send(m, config, deps) {
    const body = JSON.stringify({ event: m.event, project: m.projectName, link: m.link, alert: m.alert });
    const headers: Record<string, string> = { 'x-aether-event': m.event, 'x-aether-alert-id': m.alert.id };
    if (config.webhook_secret) headers['x-aether-signature'] = signature(config.webhook_secret, body);
    await postJson(deps.fetch, config.webhook_url!, body, headers, deps.timeoutMs);
  },
  async notify(n, config, deps) {
    const body = JSON.stringify({ id: n.id, event: n.event, project: n.projectName, link: n.link, ...n.payload });
    const headers: Record<string, string> = { 'x-aether-event': n.event, 'x-aether-notice-id': n.id };
    if (config.webhook_secret) headers['x-aether-signature'] = signature(config.webhook_secret, body);
    await postJson(deps.fetch, config.webhook_url!, body, headers, deps.timeoutMs);
  },
};
