// Drift: how a model's newest quality outcomes differ from what its record predicted, per model and
// per model × task type. The prompt index never forgets, so without this a model that got worse
// keeps its old record for thousands of requests.
//
// Each outcome arrives with a residual r = score − the prediction of that model's nearest past
// outcomes (knn.ts). The last `window` residuals are kept (default 128) and the drift is the mean of
// the newest j of them for j = 20, 40, 80, 128, each soft-thresholded at 2.5 of its standard
// errors (σ/√j, σ from all the residuals kept), whichever shift is largest: a sharp drop shows within ~20 outcomes on the short
// windows, a small steady one on the long windows where the standard error is smallest, and noise
// on a steady model reads as 0 on all of them. (An exponentially weighted mean over 30 outcomes,
// thresholded at 2 SE, took ~1,300 requests to move traffic off a model that halved its accuracy in
// bench/router/sim.ts: old residuals dilute a fresh drop, and the threshold eats most of what remains.)
// The lower bound the router checks quality floors against (`low`) takes a negative shift already
// at one standard error of the newest 10, so a model that starts to slip stops being trusted for
// floors before its mean estimate moves.

export interface DriftOptions {
  /** Residuals kept per model (the longest window). */
  window?: number;
  /** Outcomes needed before any drift is reported. */
  minOutcomes?: number;
  /** Standard errors each window's mean must clear (soft threshold). */
  z?: number;
}

/** A model's shift against its record: `mean` moves the estimate, `low` its lower bound (≤ mean). */
export interface DriftEstimate {
  mean: number;
  low: number;
}

export const NO_DRIFT: DriftEstimate = Object.freeze({ mean: 0, low: 0 });

const soft = (x: number, t: number) => Math.sign(x) * Math.max(0, Math.abs(x) - t);
const WINDOWS = [20, 40, 80, 128];

/** The newest residuals of one model (or model × task type), in a ring. */
class Residuals {
  private readonly buf: Float64Array;
  n = 0;
  constructor(size: number) {
    this.buf = new Float64Array(size);
  }
  add(r: number): void {
    this.buf[this.n % this.buf.length] = r;
    this.n++;
  }
  /** Mean of the newest `j` residuals. */
  mean(j: number): number {
    const size = this.buf.length;
    let s = 0;
    for (let i = 1; i <= j; i++) s += this.buf[(this.n - i) % size]!;
    return s / j;
  }
  /**
   * Variance of the residuals kept (floored at 0.01): one figure for every window, since twenty
   * 0/1 outcomes in a row that happen to agree would otherwise look like certainty.
   */
  variance(): number {
    const j = Math.min(this.n, this.buf.length);
    const m = this.mean(j);
    let s2 = 0;
    for (let i = 0; i < j; i++) s2 += (this.buf[i]! - m) ** 2;
    return Math.max(0.01, s2 / Math.max(1, j - 1));
  }
}

/** A model's residuals: over all its outcomes, and per task type. */
interface ModelResiduals {
  all: Residuals;
  byTask: Map<string, Residuals>;
}

export class DriftMeter {
  private readonly meters = new Map<string, ModelResiduals>();
  /** Each meter's estimate, until its next residual (a route decision asks for it per candidate). */
  private readonly cached = new WeakMap<Residuals, { n: number; e: DriftEstimate }>();
  private readonly size: number;
  private readonly minOutcomes: number;
  private readonly z: number;

  constructor(opts: DriftOptions = {}) {
    this.size = opts.window ?? 128;
    this.minOutcomes = opts.minOutcomes ?? 10;
    this.z = opts.z ?? 2.5;
  }

  /** Record one outcome's residual (score − prediction) of `model` on a prompt of `taskType`. */
  observe(model: string, taskType: string | undefined, residual: number): void {
    let m = this.meters.get(model);
    if (!m) this.meters.set(model, (m = { all: new Residuals(this.size), byTask: new Map() }));
    m.all.add(residual);
    if (!taskType) return;
    let t = m.byTask.get(taskType);
    if (!t) m.byTask.set(taskType, (t = new Residuals(this.size)));
    t.add(residual);
  }

  private one(m: Residuals | undefined): DriftEstimate {
    if (!m || m.n < this.minOutcomes) return NO_DRIFT;
    const hit = this.cached.get(m);
    if (hit?.n === m.n) return hit.e;
    const sd = Math.sqrt(m.variance());
    let mean = 0;
    for (const j of WINDOWS) {
      if (j > m.n || j > this.size) break;
      const d = soft(m.mean(j), (this.z * sd) / Math.sqrt(j));
      if (Math.abs(d) > Math.abs(mean)) mean = d;
    }
    const first = Math.min(10, m.n);
    const e = { mean, low: Math.min(mean, 0, soft(m.mean(first), sd / Math.sqrt(first))) };
    this.cached.set(m, { n: m.n, e });
    return e;
  }

  /** The drift of `model` for `taskType`: whichever of the model's and the task's own is further from 0. */
  estimate(model: string, taskType?: string): DriftEstimate {
    const m = this.meters.get(model);
    const all = this.one(m?.all);
    if (!taskType) return all;
    const task = this.one(m?.byTask.get(taskType));
    if (task === NO_DRIFT) return all; // all.low is never above 0, so this is the general case with task 0
    return {
      mean: Math.abs(task.mean) > Math.abs(all.mean) ? task.mean : all.mean,
      low: Math.min(task.low, all.low),
    };
  }

  /** The raw state behind an estimate (for the bench's trace and tests): mean of the newest 10 and 128. */
  state(model: string, taskType?: string): { short: number; long: number; n: number } | undefined {
    const r = this.meters.get(model);
    const m = taskType ? r?.byTask.get(taskType) : r?.all;
    return m && { short: m.mean(Math.min(10, m.n)), long: m.mean(Math.min(this.size, m.n)), n: m.n };
  }
}
