/**
 * A fixed-capacity FIFO ring buffer. Pushing into a full queue overwrites the oldest item: under a
 * long outage the newest traces are the most useful, and memory stays bounded without ever blocking
 * the caller.
 */
export class BoundedQueue<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Append; returns true when the oldest item had to be dropped to make room. */
  push(item: T): boolean {
    const cap = this.capacity;
    if (this.size < cap) {
      this.items[(this.head + this.size) % cap] = item;
      this.size++;
      return false;
    }
    this.items[this.head] = item;
    this.head = (this.head + 1) % cap;
    return true;
  }

  /** Remove and return up to `n` items from the front. */
  take(n: number): T[] {
    const count = Math.min(n, this.size);
    const out = new Array<T>(count);
    const cap = this.capacity;
    for (let i = 0; i < count; i++) {
      out[i] = this.items[this.head] as T;
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % cap;
    }
    this.size -= count;
    return out;
  }

  /** The front item without removing it. */
  peek(): T | undefined {
    return this.size > 0 ? this.items[this.head] : undefined;
  }
}
