import type { Consumer } from './index.js';

/**
 * A polling loop with bounded concurrency, shared by adapters that pull work:
 * `fetch(n)` returns up to n jobs; `run(batch)` processes them.
 */
export function pollingConsumer<J>(opts: {
  concurrency: number;
  batchSize: number;
  pollMs: number;
  fetch: (n: number) => Promise<J[]>;
  run: (batch: J[]) => Promise<void>;
  onError: (e: unknown) => void;
  /** Called with a function that wakes the loop early. */
  registerNudge: (wake: () => void) => () => void;
}): Consumer {
  let stopped = false;
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const idle: Array<() => void> = [];
  const sleep = (ms: number) =>
    new Promise<void>((r) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        r();
      }
      wake = done;
    });
  const unregister = opts.registerNudge(() => wake?.());

  const loop = (async () => {
    while (!stopped) {
      const free = opts.concurrency - inFlight;
      if (free <= 0) {
        await sleep(opts.pollMs);
        continue;
      }
      const want = Math.min(free, opts.batchSize);
      let jobs: J[] = [];
      try {
        jobs = await opts.fetch(want);
      } catch (e) {
        opts.onError(e);
        await sleep(opts.pollMs * 4);
        continue;
      }
      if (jobs.length > 0) {
        inFlight += jobs.length;
        void opts
          .run(jobs)
          .catch(opts.onError)
          .finally(() => {
            inFlight -= jobs.length;
            wake?.();
            if (inFlight === 0) for (const r of idle.splice(0)) r();
          });
      }
      if (jobs.length < want) await sleep(opts.pollMs);
    }
  })();

  return {
    async stop() {
      stopped = true;
      unregister();
      wake?.();
      await loop;
      if (inFlight > 0) await new Promise<void>((r) => idle.push(r));
    },
  };
}
