import { CronExpressionParser } from 'cron-parser';
import type { Schedule } from './spec.js';

/** The first scheduled time strictly after `after`. */
export function nextRun(s: Schedule, after: Date): Date {
  if ('interval_minutes' in s) return new Date(after.getTime() + s.interval_minutes * 60_000);
  return CronExpressionParser.parse(s.cron, { currentDate: after, ...(s.timezone ? { tz: s.timezone } : {}) }).next().toDate();
}

/** How long one period of the schedule lasts around `at` (to tell a late run from an on-time one). */
export function periodMs(s: Schedule, at: Date): number {
  const a = nextRun(s, at);
  return nextRun(s, a).getTime() - a.getTime();
}
