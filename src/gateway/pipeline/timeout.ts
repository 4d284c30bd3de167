/** An abort reason that says a deadline passed (the HTTP client reports it as a 504). */
export function timeoutError(message: string): Error {
  const e = new Error(message);
  e.name = 'TimeoutError';
  return e;
}

/**
 * One attempt's abort signal: fires when its deadline passes or the client goes away. `arm`
 * restarts the deadline, so a stream can switch from "first chunk within" to "next chunk within".
 */
export class Deadline {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private armed = '';
  private readonly onParentAbort = () => this.controller.abort(this.parent.reason);

  constructor(private readonly parent: AbortSignal) {
    if (parent.aborted) this.controller.abort(parent.reason);
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** (Re)start the deadline: abort with a TimeoutError unless disarmed or re-armed within `ms`. */
  arm(ms: number, what: string): void {
    const key = `${ms}|${what}`;
    // refresh() re-arms the same timer: cheaper than a new one per streamed chunk.
    if (this.timer && this.armed === key) {
      this.timer.refresh();
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.armed = key;
    this.timer = setTimeout(() => this.controller.abort(timeoutError(`${what} within ${ms} ms`)), ms);
  }

  /** Stop the deadline without disposing (e.g. while a slow client reads the last chunk). */
  disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Abort now (e.g. the consumer stopped reading). */
  abort(reason: unknown): void {
    this.controller.abort(reason);
  }

  /** Stop the timer and stop listening to the parent. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.parent.removeEventListener('abort', this.onParentAbort);
  }
}
