// The Spend forecast card's note when there is no forecast yet.
import { usd } from './format.js';

/** Why there is no forecast yet. The forecast reads whole UTC days, so spend that began today waits for tomorrow. */
export function forecastPending(spentInRange: number): string {
  return spentInRange > 0
    ? `${usd(spentInRange)} spent so far today. The forecast starts once a full UTC day with spend has passed.`
    : 'No spend recorded yet: the forecast starts from the first day with cost.';
}
