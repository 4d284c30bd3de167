// The k best (slot, score) pairs of a stream: a binary heap with the worst kept at the root, over
// typed arrays that are reused from one search to the next. Ties go to the lower slot, so the
// answer does not depend on the order pairs arrive in.

/** `a` ranks below `b`: a lower score, or the same score at a higher slot. */
const worse = (va: number, ja: number, vb: number, jb: number) => va < vb || (va === vb && ja > jb);

export class TopK {
  private idx: Int32Array;
  private val: Float64Array;
  private k = 0;
  private n = 0;

  constructor(capacity = 16) {
    this.idx = new Int32Array(capacity);
    this.val = new Float64Array(capacity);
  }

  /** Start over, keeping the best `k`. */
  reset(k: number): void {
    if (k > this.idx.length) {
      this.idx = new Int32Array(k);
      this.val = new Float64Array(k);
    }
    this.k = k;
    this.n = 0;
  }

  push(j: number, v: number): void {
    const { idx, val } = this;
    if (this.n < this.k) {
      let i = this.n++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!worse(v, j, val[parent]!, idx[parent]!)) break;
        idx[i] = idx[parent]!;
        val[i] = val[parent]!;
        i = parent;
      }
      idx[i] = j;
      val[i] = v;
      return;
    }
    if (this.k === 0 || !worse(val[0]!, idx[0]!, v, j)) return;
    this.siftDown(j, v, this.n);
  }

  /** Place (j, v) at the root and sift it down within the first `n`. */
  private siftDown(j: number, v: number, n: number): void {
    const { idx, val } = this;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && worse(val[r]!, idx[r]!, val[l]!, idx[l]!) ? r : l;
      if (!worse(val[c]!, idx[c]!, v, j)) break;
      idx[i] = idx[c]!;
      val[i] = val[c]!;
      i = c;
    }
    idx[i] = j;
    val[i] = v;
  }

  /** Empty the heap into `slots` and `scores`, best first; returns how many. */
  drain(slots: Int32Array, scores: Float64Array): number {
    const count = this.n;
    for (let n = count; n > 0; n--) {
      slots[n - 1] = this.idx[0]!;
      scores[n - 1] = this.val[0]!;
      this.siftDown(this.idx[n - 1]!, this.val[n - 1]!, n - 1);
    }
    this.n = 0;
    return count;
  }
}

/**
 * Move the `k` best (slot, score) pairs of the first `n` to the front, in no particular order
 * (Wirth's selection: linear on average, where a heap costs k log k more for the order).
 */
export function selectBest(slots: Int32Array, scores: Float64Array, n: number, k: number): void {
  const at = k - 1;
  let l = 0;
  let r = n - 1;
  while (l < r) {
    const xv = scores[at]!;
    const xj = slots[at]!;
    let i = l;
    let j = r;
    do {
      while (worse(xv, xj, scores[i]!, slots[i]!)) i++;
      while (worse(scores[j]!, slots[j]!, xv, xj)) j--;
      if (i <= j) {
        const sv = scores[i]!;
        const sj = slots[i]!;
        scores[i] = scores[j]!;
        slots[i] = slots[j]!;
        scores[j] = sv;
        slots[j] = sj;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < at) l = i;
    if (at < i) r = j;
  }
}
