// The evaluation worker of `npm start`, on its own thread: the same pieces `aether worker` runs
// (scoring, alert rules on evaluations, retention), with its own connection to the store. On the
// embedded store that connection is the background socket, whose statements wait while ingestion
// and the API's are queued; the API thread's event loop never runs a metric.
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import type { Config } from './core/config.js';
import { createAlertStack, createEvalStack, createWorkerLlm, startRetentionLoop, startWorker } from './app.js';
import { openStore, type EmbeddedSocket } from './storage/index.js';

export interface WorkerThreadInput {
  config: Config;
  /** The embedded store's sockets; undefined on PostgreSQL. */
  socket: EmbeddedSocket | undefined;
}

/** Messages from the API thread. */
export type ToWorkerThread = 'nudge' | 'stop';
/** Messages to the API thread. */
export type FromWorkerThread = { type: 'ready' } | { type: 'stopped' } | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('worker-thread must run in a worker thread');
const { config, socket } = workerData as WorkerThreadInput;
const log = pino({ level: config.logLevel }).child({ thread: 'worker' });
const send = (m: FromWorkerThread) => port.postMessage(m);

/** Linux schedules threads one by one: a nicer scoring thread leaves the cores to requests first. */
function lowerThreadPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid)) setPriority(tid, 10);
  } catch {
    // not Linux, or not allowed: scoring just shares the cores evenly
  }
}
lowerThreadPriority();

try {
  const store = await openStore({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    migrate: false,
    socket,
    priority: 'background',
  });
  const llm = await createWorkerLlm(config, store, log);
  const stack = await createEvalStack(config, store, log, llm.llm);
  const alerts = createAlertStack(config, store, log);
  const consumer = startWorker(config, store, stack, alerts, log);
  const retention = startRetentionLoop(config, store, log);
  let stopping: Promise<void> | undefined;
  port.on('message', (m: ToWorkerThread) => {
    if (m === 'nudge') stack.queue.nudge();
    else if (m === 'stop') {
      stopping ??= (async () => {
        await consumer.stop();
        await retention.stop();
        await alerts.close();
        await llm.close();
        await stack.queue.close();
        await store.close();
      })()
        .catch((e: unknown) => log.error({ err: e }, 'worker thread: shutdown failed'))
        .finally(() => {
          send({ type: 'stopped' });
          port.close();
        });
    }
  });
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}
