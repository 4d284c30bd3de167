// Makes a project ready for the demo: alert rules tuned so the scenario's incidents fire (and the
// baseline does not), local evaluation (no judge spend on fake traffic), and budgets to watch.
import type { AlertSettings } from '../alerts/index.js';
import type { EvaluationSettings } from '../evals/index.js';
import type { Project, Store } from '../storage/index.js';

/**
 * Alert rules for the demo. A one-minute window lets the live incidents stand out from the history
 * evaluated at start; 20 samples keep the slow trickle from flapping alerts open and shut.
 */
export const DEMO_ALERT_CONFIG = {
  hallucination_alerts_enabled: true,
  hallucination_rate_threshold: 0.2,
  latency_alerts_enabled: true,
  latency_p95_threshold_ms: 4000,
  error_rate_alerts_enabled: true,
  error_rate_threshold: 0.05,
  cost_spike_alerts_enabled: true,
  cost_spike_factor: 3,
  cost_spike_min_usd: 1,
  window_minutes: 1,
  min_samples: 20,
  cooldown_minutes: 5,
};

export interface DemoSetupDeps {
  alerts: Pick<AlertSettings, 'get' | 'put'>;
  evaluations: Pick<EvaluationSettings, 'get' | 'put'>;
  budgets: Pick<Store['budgets'], 'list' | 'create'>;
}

/** Configure alerts (unless the project has its own), local evaluation and two budgets. */
export async function configureDemoProject(d: DemoSetupDeps, projectId: string): Promise<void> {
  if (!(await d.alerts.get(projectId))) await d.alerts.put(projectId, DEMO_ALERT_CONFIG);
  const evalConfig = await d.evaluations.get(projectId);
  if (evalConfig.evaluator !== 'local') await d.evaluations.put(projectId, { ...evalConfig, evaluator: 'local' });
  if ((await d.budgets.list(projectId)).length === 0) {
    await d.budgets.create({ project_id: projectId, name: 'Daily LLM spend', scope: 'project', scope_value: null, period: 'daily', amount_usd: 25, action: 'alert', downgrade_model: null });
    await d.budgets.create({ project_id: projectId, name: 'GPT-4o this month', scope: 'model', scope_value: 'gpt-4o', period: 'monthly', amount_usd: 150, action: 'alert', downgrade_model: null });
  }
}

/** The project demo traffic goes to: the first project of the first organization, created when there is none. */
export async function demoProject(store: Pick<Store, 'organizations' | 'projects'>): Promise<Project> {
  const org = (await store.organizations.list())[0] ?? (await store.organizations.create({ name: 'Default', slug: 'default' }));
  return (await store.projects.list(org.id))[0] ?? (await store.projects.create({ orgId: org.id, name: 'default', slug: 'default' }));
}
