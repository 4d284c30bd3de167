import type { Alert, AlertConfig, BudgetSpec, Severity } from '../core/index.js';
import type { Logger } from '../core/logger.js';
import type { StatsRepo } from '../storage/index.js';

/** What set off an evaluation of a project's rules. */
export type Trigger =
  | { kind: 'schedule' }
  | { kind: 'traces' }
  | { kind: 'evaluations'; traces: Array<{ traceId: string; hallucinated: boolean; faithfulness: number | null }> };

export interface RuleContext {
  projectId: string;
  config: AlertConfig;
  now: Date;
  stats: StatsRepo;
  trigger: Trigger;
  /** Dedup keys of the project's open alerts: rules with hysteresis hold an open incident longer. */
  open: ReadonlySet<string>;
  /** Link to the dashboard, optionally to a trace. */
  link: (path: string) => string;
  /** The project's budgets (stored and from the gateway settings), read when a rule asks. */
  budgets?: () => Promise<BudgetSpec[]>;
}

/** A condition a rule found true now. Its key identifies the incident (one alert per key while open). */
export interface Firing {
  key: string;
  severity: Severity;
  title: string;
  message: string;
  /** The numbers: value, threshold, window, samples, … shown in notifications. */
  details: Record<string, unknown>;
  traceId?: string;
}

export interface RuleOutcome {
  /** Conditions true now. */
  firing: Firing[];
  /**
   * Whether open alerts of this rule that are not firing now should resolve. False when the rule
   * could not look (e.g. it only runs on evaluations and this was a trace trigger).
   */
  settles: boolean;
  /**
   * What the rule measured for conditions that are not firing now (same shape as a firing). An open
   * alert of that key resolves with these numbers, so the "resolved" message states the value at
   * resolve time.
   */
  readings?: Firing[];
}

/** An alert rule: one file in rules/, one line in the registry. */
export interface AlertRule {
  readonly type: string;
  readonly description: string;
  /** Triggers this rule reacts to (it is always evaluated on the schedule). */
  readonly on: ReadonlyArray<Trigger['kind']>;
  enabled(config: AlertConfig): boolean;
  evaluate(ctx: RuleContext): Promise<RuleOutcome>;
}

/** What a channel is asked to deliver. */
export interface AlertMessage {
  event: 'fired' | 'resolved' | 'test';
  alert: Alert;
  projectName: string;
  link: string;
}

/** A delivery that failed; `retryable` when trying again later may succeed. */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/**
 * A change notice another feature sends through the alert channels and outbox (e.g. a prompt label
 * moved): the webhook body is `payload`, Slack shows `title` and `text`.
 */
export interface Notice {
  id: string;
  /** Machine name, sent as `x-aether-event` (e.g. `prompt.label_moved`). */
  event: string;
  title: string;
  text: string;
  payload: Record<string, unknown>;
  projectName: string;
  link: string;
}

/** Loads a queued notice by its id (the `alert_id` of its deliveries). */
export type NoticeSource = (projectId: string, id: string) => Promise<Omit<Notice, 'projectName' | 'link'> & { path: string } | undefined>;

export interface ChannelDeps {
  fetch: typeof fetch;
  logger: Logger;
  timeoutMs: number;
}

/** A notification channel: one file in channels/, one line in the registry. */
export interface AlertChannel {
  readonly name: string;
  enabled(config: AlertConfig): boolean;
  send(msg: AlertMessage, config: AlertConfig, deps: ChannelDeps): Promise<void>;
  /** Channels that can carry change notices implement this. */
  notify?(n: Notice, config: AlertConfig, deps: ChannelDeps): Promise<void>;
}

export const severityOf = (config: AlertConfig, type: string, fallback: Severity): Severity => config.severity[type] ?? fallback;

/** A rate as a percentage with up to two decimals (0.0503 → "5.03%"): the precision the rules round to. */
export const fmtPct = (x: number) => `${Number((x * 100).toFixed(2))}%`;
/** Round a rate to the precision fmtPct shows, so the message and details.value are one number. */
export const roundRate = (x: number) => Math.round(x * 1e4) / 1e4;
/** Round spend to what fmtUsd shows (4 decimals under $1, cents above), so message and details agree. */
export const roundUsd = (x: number) => (x < 1 ? Math.round(x * 1e4) / 1e4 : Math.round(x * 100) / 100);
export const fmtUsd = (x: number) => `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}`;
