// The prompt index's term table: an open-addressing hash of term → (document frequency, postings)
// over typed arrays, with every term's postings contiguous in one flat pool of slots and weights.
// A query term costs one probe and then a linear read, instead of Map lookups and a posting object
// per term (which were most of a search's time at a few hundred thousand terms).
//
// A term's block grows by moving to the end of the pool at twice its size; the holes it leaves are
// reclaimed when they are most of the pool, and by `repack` (the index calls it after compacting).

const EMPTY = -1;

type Pool = Int32Array | Float32Array | Float64Array;

/** A pool of at least `need` items (doubling), with the first `used` of `a` copied in. */
function grown<T extends Pool>(a: T, used: number, need: number): T {
  let size = Math.max(1, a.length * 2);
  while (size < need) size *= 2;
  const b = new (a.constructor as new (n: number) => T)(size);
  b.set(a.subarray(0, used));
  return b;
}

export class TermTable {
  private keys = new Int32Array(0);
  /** Live prompts holding the term. */
  private dfs = new Int32Array(0);
  private starts = new Int32Array(0);
  private lens = new Int32Array(0);
  private caps = new Int32Array(0);
  private used = 0;
  private mask = 0;
  /** Postings (prompt slots and term weights), one block per term. */
  slots = new Int32Array(1024);
  weights = new Float32Array(1024);
  private end = 0;

  constructor(capacity = 1024) {
    this.allocate(1 << Math.ceil(Math.log2(Math.max(16, capacity * 2))));
  }

  /** Empty table arrays of `size` positions (a power of two). */
  private allocate(size: number): void {
    this.mask = size - 1;
    this.keys = new Int32Array(size).fill(EMPTY);
    this.dfs = new Int32Array(size);
    this.starts = new Int32Array(size);
    this.lens = new Int32Array(size);
    this.caps = new Int32Array(size);
    this.used = 0;
  }

  /** Distinct terms held. */
  get size(): number {
    return this.used;
  }

  /** The table position of a term (terms are non-negative), or -1. */
  find(term: number): number {
    const { keys, mask } = this;
    let i = Math.imul(term, 0x9e3779b1) >>> 0 & mask;
    for (;;) {
      const k = keys[i]!;
      if (k === term) return i;
      if (k === EMPTY) return -1;
      i = (i + 1) & mask;
    }
  }

  private insert(term: number): number {
    if ((this.used + 1) * 2 > this.keys.length) this.grow();
    const { keys, mask } = this;
    let i = Math.imul(term, 0x9e3779b1) >>> 0 & mask;
    while (keys[i] !== EMPTY) {
      if (keys[i] === term) return i;
      i = (i + 1) & mask;
    }
    keys[i] = term;
    this.used++;
    return i;
  }

  private grow(): void {
    const old = { keys: this.keys, dfs: this.dfs, starts: this.starts, lens: this.lens, caps: this.caps };
    this.allocate(old.keys.length * 2);
    for (let j = 0; j < old.keys.length; j++) {
      if (old.keys[j] === EMPTY) continue;
      const i = this.insert(old.keys[j]!);
      this.dfs[i] = old.dfs[j]!;
      this.starts[i] = old.starts[j]!;
      this.lens[i] = old.lens[j]!;
      this.caps[i] = old.caps[j]!;
    }
  }

  df(pos: number): number {
    return pos < 0 ? 0 : this.dfs[pos]!;
  }
  start(pos: number): number {
    return this.starts[pos]!;
  }
  len(pos: number): number {
    return this.lens[pos]!;
  }

  /** Change a term's document frequency (by +1 when a prompt holding it arrives, -1 when it leaves). */
  count(term: number, by: number): void {
    const i = by > 0 ? this.insert(term) : this.find(term);
    if (i >= 0) this.dfs[i] = Math.max(0, this.dfs[i]! + by);
  }

  /** Append a posting (prompt slot, term weight) to a term's block. */
  post(term: number, slot: number, weight: number): void {
    const i = this.insert(term);
    let len = this.lens[i]!;
    if (len === this.caps[i]) {
      const cap = Math.max(2, len * 2);
      this.reserve(cap);
      const from = this.starts[i]!;
      this.slots.copyWithin(this.end, from, from + len);
      this.weights.copyWithin(this.end, from, from + len);
      this.starts[i] = this.end;
      this.caps[i] = cap;
      this.end += cap;
    }
    const at = this.starts[i]! + len++;
    this.slots[at] = slot;
    this.weights[at] = weight;
    this.lens[i] = len;
  }

  private reserve(n: number): void {
    if (this.end + n <= this.slots.length) return;
    // Mostly holes left by moved blocks: pack the blocks instead of growing the pool.
    if (this.live() * 2 < this.end) {
      this.repack();
      if (this.end + n <= this.slots.length) return;
    }
    this.slots = grown(this.slots, this.end, this.end + n);
    this.weights = grown(this.weights, this.end, this.end + n);
  }

  private live(): number {
    let n = 0;
    for (let i = 0; i < this.lens.length; i++) n += this.lens[i]!;
    return n;
  }

  /** Lay the blocks out again without holes, each with a quarter of its length spare. */
  repack(): void {
    const { keys, starts, lens, caps } = this;
    const slack = (len: number) => len + (len >> 2) + 1;
    let total = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== EMPTY) total += slack(lens[i]!);
    const s = new Int32Array(Math.max(1024, total));
    const w = new Float32Array(s.length);
    let at = 0;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === EMPTY) continue;
      const len = lens[i]!;
      s.set(this.slots.subarray(starts[i]!, starts[i]! + len), at);
      w.set(this.weights.subarray(starts[i]!, starts[i]! + len), at);
      starts[i] = at;
      caps[i] = slack(len);
      at += caps[i]!;
    }
    this.slots = s;
    this.weights = w;
    this.end = at;
  }
}

/**
 * Per prompt slot, its outcomes as (model slot, mean score) pairs in one flat pool, so a pass over
 * a search's neighbours reads two small arrays instead of chasing each entry object.
 */
export class SlotOutcomes {
  private starts = new Int32Array(64);
  private lens = new Int32Array(64);
  private caps = new Int32Array(64);
  models = new Int32Array(256);
  means = new Float64Array(256);
  private end = 0;

  start(slot: number): number {
    return this.starts[slot]!;
  }
  len(slot: number): number {
    return slot < this.lens.length ? this.lens[slot]! : 0;
  }

  /** Replace a slot's outcomes. */
  set(slot: number, models: ArrayLike<number>, means: ArrayLike<number>): void {
    if (slot >= this.starts.length) {
      const used = this.starts.length;
      this.starts = grown(this.starts, used, slot + 1);
      this.lens = grown(this.lens, used, slot + 1);
      this.caps = grown(this.caps, used, slot + 1);
    }
    const n = models.length;
    if (n > this.caps[slot]!) {
      const cap = Math.max(2, n * 2);
      if (this.end + cap > this.models.length) {
        this.models = grown(this.models, this.end, this.end + cap);
        this.means = grown(this.means, this.end, this.end + cap);
      }
      this.starts[slot] = this.end;
      this.caps[slot] = cap;
      this.end += cap;
    }
    const at = this.starts[slot]!;
    for (let i = 0; i < n; i++) {
      this.models[at + i] = models[i]!;
      this.means[at + i] = means[i]!;
    }
    this.lens[slot] = n;
  }

  /** Forget every slot (the index sets its live ones again after compacting). */
  clear(): void {
    this.lens.fill(0);
    this.caps.fill(0);
    this.end = 0;
  }

}
