// Model names → targets. `provider/model` names an endpoint explicitly (`openrouter/anthropic/x`
// splits at the first slash); aliases map a name to such a string; bare names go to the endpoint
// whose provider claims their prefix (`claude-…`), else to `default_provider`.
import type { Provider } from './contract.js';
import { GatewayError } from './errors.js';
import type { ProviderName } from './providers/index.js';
import { own } from './safety.js';

/** A named upstream: a provider at a base URL with server-wide credentials. */
export interface Endpoint {
  name: string;
  providerName: ProviderName;
  provider: Provider;
  baseUrl: string | undefined;
  apiKey: string | undefined;
  headers: Record<string, string>;
}

/** One model at one endpoint. */
export interface Target {
  endpoint: Endpoint;
  model: string;
  /** `endpoint/model`, the name used in traces, headers and breaker keys. */
  label: string;
}

export interface ResolverSettings {
  aliases: Record<string, string>;
  fallbacks: Record<string, string[]>;
  default_provider?: string | undefined;
}

/** Resolves model names and fallback chains against the configured endpoints. */
export function createResolver(endpoints: Map<string, Endpoint>, s: ResolverSettings) {
  const memo = new Map<string, Target>();
  const target = (endpoint: Endpoint, model: string): Target => ({ endpoint, model, label: `${endpoint.name}/${model}` });

  function lookup(name: string, depth: number): Target {
    const alias = own(s.aliases, name);
    if (alias !== undefined && alias !== name && depth < 8) return lookup(alias, depth + 1);
    const slash = name.indexOf('/');
    if (slash > 0) {
      const ep = endpoints.get(name.slice(0, slash));
      if (ep && slash < name.length - 1) return target(ep, name.slice(slash + 1));
    }
    for (const ep of endpoints.values()) if (ep.provider.modelPrefixes?.some((p) => name.startsWith(p))) return target(ep, name);
    const fallback = s.default_provider ? endpoints.get(s.default_provider) : undefined;
    if (fallback) return target(fallback, name);
    throw new GatewayError(404, 'model_not_found', `Unknown model "${name}": name it provider/model (providers: ${[...endpoints.keys()].join(', ')}) or define an alias in AETHER_GATEWAY_CONFIG`);
  }

  function resolve(name: string): Target {
    let t = memo.get(name);
    if (!t) {
      t = lookup(name, 0);
      if (memo.size > 10_000) memo.clear();
      memo.set(name, t);
    }
    return t;
  }

  return {
    resolve,
    /** The model and then its fallbacks (from the request header, else from config), without repeats. */
    chain(model: string, requested?: string[]): Target[] {
      const first = resolve(model);
      const names = requested ?? own(s.fallbacks, model) ?? own(s.fallbacks, first.label) ?? [];
      const out = [first];
      for (const n of names) {
        const t = resolve(n);
        if (!out.some((x) => x.label === t.label)) out.push(t);
      }
      return out;
    },
    /** Every alias with what it resolves to (unresolvable ones left out). */
    aliases(): Array<{ alias: string; target: Target }> {
      return Object.keys(s.aliases).flatMap((alias) => {
        try {
          return [{ alias, target: resolve(alias) }];
        } catch {
          return [];
        }
      });
    },
  };
}

export type Resolver = ReturnType<typeof createResolver>;
