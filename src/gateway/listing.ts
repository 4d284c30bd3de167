// What `GET /v1/models` lists: every model a caller of this project can reach right now.
import { pricedModels } from '../core/index.js';
import type { Endpoint } from './models.js';

export interface ListedModel {
  id: string;
  /** The endpoint serving it; `aether` for an alias. */
  ownedBy: string;
}

/**
 * Configured names (aliases, `models`, fallbacks) first, then for each endpoint this project can call
 * (a key server-wide or stored for the project, or none needed) the models the price table knows for
 * its provider as `endpoint/model`, and the models the provider always serves (`mock/echo`).
 * Fine-tune templates (`ft:…`) are left out: a fine-tune is called by its own id.
 */
export function listModels(endpoints: Iterable<Endpoint>, configured: Iterable<string>, storedKeys: ReadonlySet<string>): ListedModel[] {
  const out = new Map<string, ListedModel>();
  const owner = (id: string) => (id.includes('/') ? id.slice(0, id.indexOf('/')) : 'aether');
  for (const id of [...configured].sort()) out.set(id, { id, ownedBy: owner(id) });
  for (const ep of endpoints) {
    const reachable = ep.apiKey !== undefined || storedKeys.has(ep.name) || !ep.provider.requiresKey;
    if (!reachable) continue;
    const names = [...(ep.provider.listedModels ?? []), ...pricedModels(ep.providerName).filter((m) => !m.startsWith('ft:')).sort()];
    for (const m of names) {
      const id = `${ep.name}/${m}`;
      if (!out.has(id)) out.set(id, { id, ownedBy: ep.name });
    }
  }
  return [...out.values()];
}
