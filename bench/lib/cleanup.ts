/**
 * A stack of cleanup steps (child processes, temp dirs, databases) that runs exactly once:
 * at the end of a run, on error, or on SIGINT/SIGTERM.
 */
type Step = { label: string; fn: () => Promise<void> | void };

const steps: Step[] = [];
let running: Promise<void> | undefined;

/**
 * Register a cleanup step; steps run last-registered first. Returns a function that runs it early.
 * Once the final cleanup has begun (e.g. on Ctrl-C), runs `fn` at once and throws, to stop the run.
 */
export function onCleanup(label: string, fn: () => Promise<void> | void): () => Promise<void> {
  if (running) {
    void Promise.resolve()
      .then(fn)
      .catch(() => undefined);
    throw new Error(`aborted: cleanup under way (${label})`);
  }
  const step: Step = { label, fn };
  steps.push(step);
  return async () => {
    const i = steps.indexOf(step);
    if (i < 0) return;
    steps.splice(i, 1);
    await step.fn();
  };
}

let chain: Promise<void> = Promise.resolve();

/** Run the steps above `mark`, one at a time; calls queue behind each other. */
function unwindTo(mark: number): Promise<void> {
  chain = chain.then(() => unwind(mark));
  return chain;
}

async function unwind(mark: number): Promise<void> {
  while (steps.length > mark) {
    const step = steps.pop()!;
    try {
      await step.fn();
    } catch (e) {
      console.error(`cleanup "${step.label}" failed: ${(e as Error).message}`);
    }
  }
}

/** Returns a function that runs (only) the steps registered from now on. */
export function cleanupScope(): () => Promise<void> {
  const mark = steps.length;
  return () => unwindTo(mark);
}

/** Run every registered step, logging (not throwing) failures. */
export function cleanupAll(): Promise<void> {
  running ??= unwindTo(0);
  return running;
}

/** On SIGINT/SIGTERM: clean up, then exit 130/143. Repeated signals (e.g. relayed by tsx) are ignored. */
export function cleanupOnSignals(): void {
  let caught = false;
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      if (caught) return;
      caught = true;
      console.error(`\n${signal}: cleaning up…`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
}

/** Run a benchmark's main: a failure is printed and sets exit code 1; cleanup always runs. */
export async function runBench(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (e) {
    console.error(`\nbenchmark failed: ${(e as Error).stack ?? String(e)}`);
    process.exitCode = 1;
  } finally {
    await cleanupAll();
  }
}
