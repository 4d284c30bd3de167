import type { Config } from '../core/config.js';
import type { Ingest } from '../ingest/index.js';
import type { Store } from '../storage/index.js';
import type { KeyAuth } from './auth.js';
import type { Metrics } from './metrics.js';

/** What routes need; built once by the composition root. */
export interface RouteDeps {
  config: Config;
  store: Store;
  ingest: Ingest;
  auth: KeyAuth;
  metrics: Metrics;
  version: string;
}
