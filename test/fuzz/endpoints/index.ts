// The fuzz table: every write and read endpoint of the server, each with its generator and checks.
import type { Endpoint } from '../check.js';
import type { FuzzServer } from '../harness.js';
import { configEndpoints } from './config.js';
import { featureEndpoints } from './features.js';
import { langfuseEndpoints } from './langfuse.js';
import { gatewayEndpoints } from './gateway.js';
import { ingestEndpoints } from './ingest.js';
import { readEndpoints } from './reads.js';
import { sessionEndpoints } from './session.js';

/** All targets, writes first so the reads that follow see what hostile writes left behind. */
export async function allEndpoints(s: FuzzServer): Promise<Array<Endpoint<unknown>>> {
  const main = { id: s.t.projectId, slug: s.slug };
  const other = { id: s.t.other.projectId, slug: (await s.t.aether.store.projects.get(s.t.other.projectId))!.slug };
  const k = { key: s.t.key, otherKey: s.t.other.key };
  const k2 = { key: s.t.other.key, otherKey: s.t.key };
  return [...ingestEndpoints(k, s.seededTraces), ...gatewayEndpoints(k), ...configEndpoints(k2, other), ...sessionEndpoints(s.session, other), ...(await featureEndpoints(s, k, k2, other, s.seededTraces)), ...(await langfuseEndpoints(s, k, s.seededTraces)), ...readEndpoints(k, main, s.seededTraces)];
}
