/**
 * A stack of cleanup steps (child processes, temp dirs, databases) that runs exactly once:
 * at the end of a run, on error, or on SIGINT/SIGTERM.
 */
type Step = { label: string; fn: () => Promise<void> | void };

const steps: Step[] = [];
let running: Promise<void> | undefined;

/** Register a cleanup step; steps run last-registered first. Returns a function that runs it early. */
export function onCleanup(label: string, fn: () => Promise<void> | void): () => Promise<void> {
  const step: Step = { label, fn };
  steps.push(step);
  return async () => {
    const i = steps.indexOf(step);
    if (i < 0) return;
    steps.splice(i, 1);
    await step.fn();
  };
}

async function unwindTo(mark: number): Promise<void> {
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

/** On SIGINT/SIGTERM: clean up, then exit 130/143. */
export function cleanupOnSignals(): void {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up…`);
      void cleanupAll().finally(() => process.exit(code));
    });
  }
}
