// Plays the demo: a few days of history at once, then live traffic through ingestion (RAG traces)
// and the gateway's offline mock provider (chat calls, fallbacks, failures) for a couple of minutes,
// then a slow trickle until stopped.
import type { Logger } from '../core/logger.js';
import type { Gateway } from '../gateway/index.js';
import type { Ingest } from '../ingest/index.js';
import { CHAT_PROMPTS } from './corpus.js';
import { conditionsAt, history, LIVE_SECONDS, ragTrace, seededRng, USERS, type Rng } from './generate.js';

export interface DemoDeps {
  project: { id: string; slug: string };
  ingest: Pick<Ingest, 'ingestBatch'>;
  /** When given, a share of the traffic goes through the gateway's `mock/…` models, so gateway traces appear too. */
  gateway?: Pick<Gateway, 'chat'> | undefined;
  logger: Logger;
}

export interface DemoOptions {
  /** Demo seconds per real second: tests run the scenario faster (default 1). */
  speed?: number;
  /** Traces per demo second during live traffic (default 3). */
  rate?: number;
  /** Traces of history written at start (default 800), over `historyDays` (default 7). */
  historyTraces?: number;
  historyDays?: number;
  /** Real milliseconds between traces once live traffic is over (default 5000). */
  trickleEveryMs?: number;
  seed?: number;
}

export interface DemoRun {
  /** Resolves when the live phase is over (the trickle continues until stop). */
  live: Promise<void>;
  stats(): { traces: number; gatewayCalls: number; rejected: number };
  /** Stop generating and wait for writes in flight. */
  stop(): Promise<void>;
}

const TICK_MS = 250;
const GATEWAY_SHARE = 0.15;
const MAX_GATEWAY_IN_FLIGHT = 8;

/** Start generating demo traffic into a project. */
export function startDemo(deps: DemoDeps, opts: DemoOptions = {}): DemoRun {
  const speed = opts.speed ?? 1;
  const rate = opts.rate ?? 3;
  const rng: Rng = seededRng(opts.seed ?? 42);
  const abort = new AbortController();
  const inFlight = new Set<Promise<unknown>>();
  const counts = { traces: 0, gatewayCalls: 0, rejected: 0 };
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let gatewayBusy = 0;

  const track = <T>(p: Promise<T>): void => {
    const q = p.catch((e: unknown) => deps.logger.warn({ err: e }, 'demo: a write failed')).finally(() => inFlight.delete(q));
    inFlight.add(q);
  };
  const write = (traces: Array<Record<string, unknown>>) => {
    if (traces.length === 0 || stopped) return;
    track(
      deps.ingest.ingestBatch(deps.project, { traces }).then((r) => {
        counts.traces += r.accepted;
        counts.rejected += r.rejected;
        if (r.rejected) deps.logger.warn({ first: r.results.find((x) => x.status !== 201) }, 'demo: traces rejected');
      }),
    );
  };
  const chat = (second: number) => {
    const gw = deps.gateway;
    if (!gw || gatewayBusy >= MAX_GATEWAY_IN_FLIGHT) return false;
    const c = conditionsAt(second);
    const failing = rng() < c.errorRate * 2;
    const headers: Record<string, string> = { 'x-aether-user-id': USERS[Math.floor(rng() * USERS.length)]!, 'x-aether-tags': 'chat-assistant,prod' };
    // A failing primary with a fallback shows retries and fallbacks; without one, an error.
    if (failing && rng() < 0.5) headers['x-aether-fallback'] = 'mock/gpt-4o-mini';
    const body = { model: failing ? 'mock/fail-primary' : rng() < 0.7 ? 'mock/gpt-4o-mini' : 'mock/claude-3-5-haiku', messages: [{ role: 'user', content: CHAT_PROMPTS[Math.floor(rng() * CHAT_PROMPTS.length)]! }] };
    gatewayBusy++;
    counts.gatewayCalls++;
    track(
      gw
        .chat({ keyId: 'demo', project: deps.project }, body, headers, abort.signal)
        .catch(() => undefined) // failures are part of the show; the gateway traces them itself
        .finally(() => gatewayBusy--),
    );
    return true;
  };

  let finishLive: () => void = () => {};
  const live = new Promise<void>((r) => (finishLive = r));
  const t0 = Date.now();
  let owed = 0;
  const tick = () => {
    if (stopped) return;
    const second = ((Date.now() - t0) * speed) / 1000;
    if (second >= LIVE_SECONDS) {
      finishLive();
      deps.logger.info({ traces: counts.traces }, 'demo: live traffic done; a trace every few seconds from now on');
      const trickle = () => {
        if (stopped) return;
        write([ragTrace(rng, Date.now(), conditionsAt(0))]);
        timer = setTimeout(trickle, opts.trickleEveryMs ?? 5_000);
      };
      trickle();
      return;
    }
    owed += (rate * speed * TICK_MS) / 1000;
    const batch: Array<Record<string, unknown>> = [];
    for (; owed >= 1; owed--) if (!(rng() < GATEWAY_SHARE && chat(second))) batch.push(ragTrace(rng, Date.now() - Math.round(rng() * TICK_MS), conditionsAt(second)));
    write(batch);
    timer = setTimeout(tick, TICK_MS);
  };

  const past = history(rng, Date.now(), opts.historyTraces ?? 800, opts.historyDays ?? 7);
  for (let i = 0; i < past.length; i += 500) write(past.slice(i, i + 500));
  tick();

  return {
    live,
    stats: () => ({ ...counts }),
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      abort.abort(new Error('demo stopped'));
      finishLive();
      await Promise.allSettled([...inFlight]);
    },
  };
}
