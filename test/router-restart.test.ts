// The router's catalog is persisted: a restarted app (same store) predicts and picks as before.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../src/core/config.js';
import { createAether } from '../src/app.js';
import { openStore, type Store } from '../src/storage/index.js';
import { createTestDatabase, skipWithoutPostgres, tempDir } from './helpers/stores.js';
import { route, seed } from './helpers/router.js';

describe('router catalog survives a restart', () => {
  for (const kind of ['pglite', 'postgres'] as const) {
    it(kind, async (ctx) => {
      if (kind === 'postgres') {
        const why = await skipWithoutPostgres();
        if (why) return ctx.skip(why);
      }
      const dir = tempDir();
      const db = kind === 'postgres' ? await createTestDatabase() : undefined;
      const open = (): Promise<Store> => openStore({ dataDir: dir.dir, databaseUrl: db?.url });
      const start = async (store: Store) => createAether(parseConfig({ AETHER_DATA_DIR: dir.dir, LOG_LEVEL: 'silent' }), { store, logger: false, keyCacheMs: 0 });
      try {
        let store = await open();
        let aether = await start(store);
        const org = await store.organizations.create({ name: 'o' });
        const project = await store.projects.create({ orgId: org.id, name: 'p' });
        const { key } = await store.apiKeys.create({ projectId: project.id });
        await seed(aether, key, 10);
        await new Promise((r) => setTimeout(r, 1500)); // this process's own snapshot catches up with its writes
        const before = (await route(aether, key)).body;
        await aether.close();
        store = await open();
        aether = await start(store);
        const after = (await route(aether, key)).body;
        assert.equal(after.model, before.model);
        const q = (b: Record<string, unknown>) => (b.candidates as Array<{ model: string; quality: number }>).map((p) => [p.model, p.quality.toFixed(3)]);
        assert.deepEqual(q(after), q(before));
        await aether.close();
      } finally {
        await db?.drop();
        dir.remove();
      }
    });
  }
});
