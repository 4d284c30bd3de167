import { parseConfig } from '../../src/core/config.js';
import { createAether, type Aether } from '../../src/app.js';
import type { StoreCase } from './stores.js';
import { tempDir } from './stores.js';

export interface TestApp {
  aether: Aether;
  projectId: string;
  key: string;
  other: { projectId: string; key: string };
  close: () => Promise<void>;
}

/** An Aether app over a fresh store of the given kind, with two projects and a key for each. */
export async function startTestApp(c: StoreCase, env: Record<string, string> = {}): Promise<TestApp> {
  const { store, cleanup } = await c.open();
  const t = tempDir();
  const config = parseConfig({ AETHER_DATA_DIR: t.dir, LOG_LEVEL: 'silent', ...env });
  const aether = await createAether(config, { store, logger: false, keyCacheMs: 0 });
  const org = await store.organizations.create({ name: 'Test Org' });
  const p1 = await store.projects.create({ orgId: org.id, name: 'one' });
  const p2 = await store.projects.create({ orgId: org.id, name: 'two' });
  const k1 = await store.apiKeys.create({ projectId: p1.id });
  const k2 = await store.apiKeys.create({ projectId: p2.id });
  return {
    aether,
    projectId: p1.id,
    key: k1.key,
    other: { projectId: p2.id, key: k2.key },
    close: async () => {
      await aether.close();
      await cleanup();
      t.remove();
    },
  };
}
