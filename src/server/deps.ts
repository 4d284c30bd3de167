import type { Config } from '../core/config.js';
import type { Ingest } from '../ingest/index.js';
import type { Store } from '../storage/index.js';
import type { KeyAuth } from './auth.js';
import type { Metrics } from './metrics.js';
import type { Sessions } from './session/index.js';
import type { EvaluationSettings, Evaluator, MetricRegistry } from '../evals/index.js';
import type { Queue } from '../queue/index.js';
import type { Gateway } from '../gateway/index.js';
import type { AlertEngine, AlertSettings, Deliverer } from '../alerts/index.js';
import type { Analytics, Costs } from '../analytics/index.js';
import type { Monitors } from '../monitors/index.js';
import type { Experiments, Prompts } from '../prompts/index.js';
import type { Router } from '../router/index.js';
import type { Rag } from '../rag/index.js';

/** What routes need; built once by the composition root. */
export interface RouteDeps {
  config: Config;
  store: Store;
  ingest: Ingest;
  auth: KeyAuth;
  /** Dashboard sign-in sessions. */
  sessions: Sessions;
  metrics: Metrics;
  evals: { queue: Queue; settings: EvaluationSettings; evaluator: Evaluator; registry: MetricRegistry };
  alerts: { settings: AlertSettings; engine: AlertEngine; deliverer: Deliverer };
  analytics: Analytics;
  costs: Costs;
  gateway: Gateway;
  prompts: Prompts;
  experiments: Experiments;
  router: Router;
  /** Retrieval collections and search. */
  rag: Rag;
  version: string;
  monitors: Monitors;
}
