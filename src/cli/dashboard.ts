// What `aether serve` does for the dashboard once it listens: print where to sign in (the one-time
// setup link while no user exists), and in demo mode create a demo owner and play demo traffic.
import { randomBytes } from 'node:crypto';
import type { Aether } from '../app.js';
import type { Logger } from '../core/logger.js';
import { configureDemoProject, demoProject, startDemo } from '../demo/index.js';
import { createFirstOwner, ensureSetupToken } from '../server/session/index.js';

export const DEMO_EMAIL = 'demo@aether.local';

/** Print sign-in instructions and start the demo when asked; returns how to stop it. */
export async function startDashboard(aether: Aether, url: string, opts: { demo: boolean; log: Logger }): Promise<{ stop(): Promise<void> }> {
  const { store, config } = aether;
  // A wildcard bind address is not something a browser can open.
  const base = url.replace('//0.0.0.0:', '//localhost:').replace('//[::]:', '//localhost:');
  let demoPassword: string | undefined;
  if (opts.demo && (await store.users.count()) === 0) {
    demoPassword = randomBytes(12).toString('base64url');
    await createFirstOwner(store, { email: DEMO_EMAIL, name: 'Demo owner', password: demoPassword });
  }
  const token = await ensureSetupToken(store, config.dataDir);
  console.log(`Dashboard: ${base}/`);
  if (token) console.log(`No user yet: create the first owner at ${base}/setup?token=${token}\n  (one-time link; printed again on each start until it is used)`);
  if (demoPassword) console.log(`Demo owner created: sign in at ${base}/ as ${DEMO_EMAIL} with password ${demoPassword}   (shown once)`);
  if (!opts.demo) return { stop: async () => {} };

  const project = await demoProject(store);
  await configureDemoProject({ alerts: aether.alerts.settings, evaluations: aether.evals.settings, budgets: store.budgets }, project.id);
  const run = startDemo({ project, ingest: aether.ingest, gateway: aether.gateway, logger: opts.log });
  console.log(`Demo: a week of history plus about 2.5 minutes of live traffic (then a trace every 5 s) into project "${project.slug}"; hallucinations, a latency spike, a cost spike and errors fire alerts within a minute or two.\n`);
  return { stop: () => run.stop() };
}
