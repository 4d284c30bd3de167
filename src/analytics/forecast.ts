// Daily cost forecast: a linear trend on the de-seasonalised history with multiplicative weekly
// factors, and a 95% prediction interval from the residuals. Small, explainable, no dependencies.

export interface ForecastPoint {
  date: string;
  forecast: number;
  lower: number;
  upper: number;
}

export interface Forecast {
  history_days: number;
  method: string;
  days: ForecastPoint[];
  total: { forecast: number; lower: number; upper: number };
}

const DAY = 86_400_000;

/** Forecast `horizon` days after `history` (consecutive UTC days, oldest first, ending yesterday or today). */
export function forecastDaily(history: Array<{ date: string; cost: number }>, horizon: number): Forecast {
  const n = history.length;
  const y = history.map((h) => h.cost);
  const dow = history.map((h) => new Date(`${h.date}T00:00:00Z`).getUTCDay());
  const xs = y.map((_, i) => i);
  const xm = n ? (n - 1) / 2 : 0;
  const sxx = xs.reduce((s, x) => s + (x - xm) ** 2, 0);
  const ols = (v: number[]) => {
    const vm = n ? v.reduce((a, b) => a + b, 0) / n : 0;
    const b = sxx > 0 ? xs.reduce((s, x, i) => s + (x - xm) * (v[i]! - vm), 0) / sxx : 0;
    return { slope: b, intercept: vm - b * xm };
  };
  // Weekly factors need two full weeks to mean anything; before that every day weighs the same.
  // They are ratios to a first trend fit, so a rising trend does not leak into the weekday factors.
  const season = new Array<number>(7).fill(1);
  if (n >= 14) {
    const t0 = ols(y);
    const ratios: number[][] = Array.from({ length: 7 }, () => []);
    y.forEach((v, i) => {
      const base = t0.intercept + t0.slope * i;
      if (base > 0) ratios[dow[i]!]!.push(v / base);
    });
    for (let w = 0; w < 7; w++) season[w] = ratios[w]!.length ? ratios[w]!.reduce((a, b) => a + b, 0) / ratios[w]!.length : 1;
    const norm = season.reduce((a, b) => a + b, 0) / 7 || 1;
    for (let w = 0; w < 7; w++) season[w] = season[w]! / norm || 1;
  }
  const z = y.map((v, i) => v / season[dow[i]!]!);
  const { slope, intercept } = ols(z);
  const fitted = xs.map((x, i) => (intercept + slope * x) * season[dow[i]!]!);
  const dof = Math.max(1, n - 2);
  const sigma = Math.sqrt(y.reduce((s, v, i) => s + (v - fitted[i]!) ** 2, 0) / dof);
  const last = n ? Date.parse(`${history[n - 1]!.date}T00:00:00Z`) : Math.floor(Date.now() / DAY) * DAY - DAY;
  const days: ForecastPoint[] = [];
  for (let k = 1; k <= horizon; k++) {
    const t = new Date(last + k * DAY);
    const x = n - 1 + k;
    const f = Math.max(0, (intercept + slope * x) * season[t.getUTCDay()]!);
    const half = 1.96 * sigma * Math.sqrt(1 + (n ? 1 / n : 1) + (sxx > 0 ? (x - xm) ** 2 / sxx : 0));
    days.push({ date: t.toISOString().slice(0, 10), forecast: f, lower: Math.max(0, f - half), upper: f + half });
  }
  const total = days.reduce((s, d) => s + d.forecast, 0);
  const totalHalf = 1.96 * sigma * Math.sqrt(horizon);
  return {
    history_days: n,
    method: n >= 14 ? 'linear trend × weekly seasonality, 95% prediction interval' : 'linear trend, 95% prediction interval (weekly seasonality needs 14 days)',
    days,
    total: { forecast: total, lower: Math.max(0, total - totalHalf), upper: total + totalHalf },
  };
}
