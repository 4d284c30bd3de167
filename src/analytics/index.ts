export { createAnalytics, aggregate, type Analytics, type Bucket } from './metrics.js';
export { createCosts, periodBounds, type Costs } from './costs.js';
export { forecastDaily, type Forecast, type ForecastPoint } from './forecast.js';
export { resolveRange, segments, GRAINS, WINDOWS, type Grain } from './window.js';
export { bucketOf, mergeHists, percentile, PERCENTILE_MAX_RELATIVE_ERROR } from './hist.js';
export { createBudgetBook, budgetSpecOf, type BudgetBook } from './budgets.js';
