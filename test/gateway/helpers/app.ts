import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { storeCases, tempDir } from '../../helpers/stores.js';
import { startUpstream, upstreamEnv, type Upstream } from './upstream.js';

export interface GatewayTestApp {
  t: TestApp;
  /** `http://127.0.0.1:<port>` of Aether. */
  base: string;
  upstream: Upstream;
  /** GET a trace by id with the project key, waiting for the background write. */
  trace(id: string): Promise<Record<string, unknown> & { spans: Array<Record<string, unknown>>; metadata: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** Aether on embedded PGlite, listening on loopback, with every provider pointed at a mock upstream. */
export async function startGatewayApp(settings: Record<string, unknown> = {}, env: Record<string, string> = {}): Promise<GatewayTestApp> {
  const upstream = await startUpstream();
  const dir = tempDir('aether-gw-');
  const file = join(dir.dir, 'gateway.json');
  writeFileSync(file, JSON.stringify(settings));
  const t = await startTestApp(storeCases[0]!, { ...upstreamEnv(upstream, file), ...env });
  await t.aether.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = t.aether.server.addresses().find((a) => a.family === 'IPv4')!;
  const base = `http://127.0.0.1:${addr.port}`;
  return {
    t,
    base,
    upstream,
    async trace(id) {
      for (let i = 0; i < 100; i++) {
        const r = await fetch(`${base}/api/v1/traces/${id}`, { headers: { 'x-api-key': t.key } });
        if (r.status === 200) return (await r.json()) as Awaited<ReturnType<GatewayTestApp['trace']>>;
        await new Promise((res) => setTimeout(res, 30));
      }
      throw new Error(`trace ${id} never appeared`);
    },
    async close() {
      await t.close();
      await upstream.close();
      dir.remove();
    },
  };
}
