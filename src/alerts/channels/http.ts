import { DeliveryError } from '../contract.js';

/** POST JSON; classify failures: 429/5xx/network/timeout are retryable, other 4xx are not. */
export async function postJson(
  doFetch: typeof fetch,
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  let res: Response;
  try {
    res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    const timeout = (e as Error).name === 'TimeoutError';
    throw new DeliveryError(timeout ? `timed out after ${timeoutMs} ms` : `unreachable: ${(e as Error).message}`, true);
  }
  const text = await res.text().catch(() => '');
  if (res.ok) return;
  const retryable = res.status === 429 || res.status >= 500 || res.status === 408;
  throw new DeliveryError(`answered ${res.status}: ${text.slice(0, 200)}`, retryable, res.status);
}
