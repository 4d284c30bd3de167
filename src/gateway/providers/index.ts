import type { Provider } from '../contract.js';
import { anthropic } from './anthropic.js';
import { mock } from './mock.js';
import { openai } from './openai.js';
import { openaiCompatible } from './openai-compatible.js';
import { openrouter } from './openrouter.js';

/** Every provider the gateway speaks. Adding one = a file in providers/ + a line here. */
export const providers = {
  openai,
  anthropic,
  openrouter,
  'openai-compatible': openaiCompatible,
  mock,
} satisfies Record<string, Provider>;

export type ProviderName = keyof typeof providers;

export const PROVIDER_NAMES = Object.keys(providers) as [ProviderName, ...ProviderName[]];
