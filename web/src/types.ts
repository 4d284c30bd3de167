// JSON shapes of the server's responses (src/core/schemas/*, src/analytics/*, docs/*.md).

export type Role = 'owner' | 'member' | 'viewer';

export interface Me {
  user: { id: string; email: string; name: string | null; role: Role };
  org: { id: string; name: string };
  projects: Array<{ id: string; name: string; slug: string }>;
  csrf_token: string;
}

// Trace, span and evaluation shapes are the server's own (type-only: nothing is bundled from there).
export type { Context, Span, Trace } from '../../src/core/schemas/trace.js';
export type { Evaluation } from '../../src/core/schemas/evaluation.js';
import type { Trace } from '../../src/core/schemas/trace.js';
import type { Evaluation } from '../../src/core/schemas/evaluation.js';

export interface TraceDetail extends Trace {
  evaluations: Evaluation[];
  evaluation_cost_usd: number;
}

export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}

export interface Summary {
  from: string;
  to: string;
  traces: number;
  errors: number;
  error_rate: number | null;
  tokens: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: { mean: number | null; p50: number | null; p95: number | null; p99: number | null };
  throughput_per_min: number;
  llm_cost_usd: number;
  evaluation_cost_usd: number;
  hallucination_rate: number | null;
  mean_faithfulness: number | null;
  evaluated_traces: number;
}

export interface TimePoint {
  t: string;
  traces: number;
  errors: number;
  error_rate: number | null;
  tokens: number;
  cost_usd: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  hallucination_rate: number | null;
}

export interface TimeSeries {
  from: string;
  to: string;
  bucket: 'minute' | 'hour' | 'day';
  points: TimePoint[];
}

export interface BreakdownItem {
  key: string;
  traces: number;
  errors: number;
  error_rate: number | null;
  tokens: number;
  cost_usd: number;
  latency_ms: { mean: number | null; p50: number | null; p95: number | null; p99: number | null };
}

export interface Breakdown {
  from: string;
  to: string;
  by: string;
  items: BreakdownItem[];
  total_keys: number;
}

export interface Alert {
  id: string;
  project_id: string;
  type: string;
  severity: 'info' | 'warning' | 'critical';
  status: 'open' | 'resolved';
  dedup_key: string;
  title: string;
  message: string;
  details: Record<string, unknown>;
  trace_id: string | null;
  created_at: string;
  updated_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export interface Delivery {
  id: string;
  channel: string;
  event: string;
  status: string;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
  attempt_log: Array<Record<string, unknown>>;
}

export interface BudgetStatus {
  budget: { id: string; name: string; scope: 'project' | 'model' | 'user'; scope_value: string | null; period: 'daily' | 'weekly' | 'monthly'; amount_usd: number; action: 'block' | 'downgrade' | 'alert'; downgrade_model: string | null; created_at: string };
  period_start: string;
  period_end: string;
  spent_usd: number;
  remaining_usd: number;
  percent_used: number | null;
  projected_usd: number;
  projected_over: boolean;
}

export interface Forecast {
  history_days: number;
  method: string;
  days: Array<{ date: string; forecast: number; lower: number; upper: number }>;
  total: { forecast: number; lower: number; upper: number };
}

export interface Recommendation {
  kind: string;
  message: string;
  estimated_savings_usd: number;
  evidence: Record<string, unknown>;
}

export interface EvaluationConfig {
  enabled: boolean;
  metrics: string[];
  sampling_rate: number;
  hallucination_threshold: number;
  evaluator: 'auto' | 'local' | 'judge';
  thresholds: Record<string, number>;
  custom_metrics: Array<Record<string, unknown>>;
}

export interface ApiKey {
  id: string;
  name?: string | null;
  prefix?: string;
  key_prefix?: string;
  created_at?: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

export interface Project {
  id: string;
  name: string;
  slug: string;
  org_id?: string;
  created_at?: string;
}

export interface ProviderCredential {
  provider: string;
  api_key_hint: string;
  base_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface User {
  id: string;
  email: string;
  name: string | null;
  role: Role;
  created_at?: string;
}
