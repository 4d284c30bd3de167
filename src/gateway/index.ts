// The LLM gateway's public surface: the composition root builds it, the HTTP edge calls it.
export { createGateway, type Gateway, type GatewayDeps, type GatewayPrincipal, type ProviderEnv } from './gateway.js';
export type { GatewayReply } from './core.js';
export { loadGatewaySettings, parseGatewaySettings, gatewaySettingsSchema, type GatewaySettings } from './settings.js';
export { GatewayError, UpstreamError, openAIErrorBody, anthropicErrorBody, asAetherError } from './errors.js';
export { dailyBudget, type BudgetCheck, type BudgetDecision, type BudgetQuery } from './pipeline/budget.js';
export { memoryBreakerStore, type BreakerStore, type BreakerConfig, type BreakerState } from './pipeline/breaker.js';
export { memoryBucketStore, createRateLimiter, type BucketStore } from './pipeline/rate-limit.js';
export { memoryCacheStore, cacheKey, type CacheStore } from './pipeline/cache.js';
export { redisBreakerStore, redisBucketStore, redisCacheStore, type RedisLike } from './state/redis.js';
export { retryDelay } from './pipeline/retry.js';
export { providers, PROVIDER_NAMES, type ProviderName } from './providers/index.js';
export type { Provider, CallContext, CallTarget, ChunkEvent, ChatResult } from './contract.js';
export { parseSse } from './sse.js';
export { safeHeaders, headerValue, cleanString, cleanStrings, checkDepth, MAX_BODY_DEPTH } from './safety.js';
export type { Sealer } from './credentials.js';
