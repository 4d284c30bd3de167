import type { AlertChannel } from '../contract.js';

/** Every alert event as a structured log line (always on). */
export const log: AlertChannel = {
  name: 'log',
  enabled: () => true,
  async send(m, _config, deps) {
    deps.logger.warn(
      { alert: { id: m.alert.id, type: m.alert.type, severity: m.alert.severity, project: m.projectName, details: m.alert.details }, event: m.event },
      `alert ${m.event}: ${m.alert.title}`,
    );
  },
  async notify(n, _config, deps) {
    deps.logger.info({ notice: { id: n.id, event: n.event, project: n.projectName } }, n.title);
  },
};
