import { z } from 'zod';

// At most USD 1M per million tokens (USD 1 per token, the router's cap): larger ones overflow the stored per-token price and every cost computed from it.
const perMtok = z.number().finite().nonnegative().max(1_000_000);

/** `PUT /api/v1/projects/{id}/prices/{model}`: the project's price for a model, USD per million tokens. */
export const modelPriceInputSchema = z.strictObject({
  input_per_mtok: perMtok,
  output_per_mtok: perMtok,
  cache_read_per_mtok: perMtok.optional().describe('prompt tokens read from cache; default: the input price'),
  cache_write_per_mtok: perMtok.optional().describe('prompt tokens written to cache; default: the input price'),
});

export const modelPriceOutSchema = z
  .object({
    model: z.string(),
    input_per_mtok: z.number(),
    output_per_mtok: z.number(),
    cache_read_per_mtok: z.number().nullable(),
    cache_write_per_mtok: z.number().nullable(),
    updated_at: z.string(),
  })
  .meta({ id: 'ModelPrice' });

export const unpricedModelOutSchema = z
  .object({
    model: z.string(),
    traces: z.number().describe('traces with usage recorded without a price'),
    input_tokens: z.number(),
    output_tokens: z.number(),
    last_seen: z.string(),
  })
  .meta({ id: 'UnpricedModel' });
