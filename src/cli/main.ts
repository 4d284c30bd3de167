import { Command, Option } from 'commander';
import { parseConfig, type Config, type ConfigOverrides } from '../core/config.js';
import { AetherError } from '../core/errors.js';
import { bootstrapDefaults, createAether, createAlertStack, createEvalStack, createMonitorStack, createWorkerLlm, openConfiguredStore, startRetentionLoop, startWorker, VERSION } from '../app.js';
import { pino } from 'pino';
import type { Store } from '../storage/index.js';
import { EXAMPLE_TRACE } from '../core/example-trace.js';
import { registerImport } from './import.js';
import { registerRetention } from './retention.js';
import { createLangfuseKeyPair } from './langfuse.js';
import { registerMonitor } from './monitor.js';
import { registerPrompts } from './prompts.js';
import { registerRag } from './rag.js';
import { startDashboard } from './dashboard.js';

interface GlobalFlags {
  dataDir?: string;
  databaseUrl?: string;
  logLevel?: string;
  json?: boolean;
}

function configFrom(flags: GlobalFlags & { port?: string; host?: string; worker?: boolean; concurrency?: string }): Config {
  const overrides: ConfigOverrides = {
    AETHER_WORKER: flags.worker === false ? false : undefined,
    AETHER_WORKER_CONCURRENCY: flags.concurrency,
    AETHER_DATA_DIR: flags.dataDir,
    DATABASE_URL: flags.databaseUrl,
    LOG_LEVEL: flags.logLevel,
    AETHER_PORT: flags.port,
    AETHER_HOST: flags.host,
  };
  return parseConfig(process.env, overrides);
}

async function withStore<T>(cmd: Command, fn: (store: Store, flags: GlobalFlags) => Promise<T>): Promise<T> {
  const flags = cmd.optsWithGlobals<GlobalFlags>();
  const store = await openConfiguredStore(configFrom(flags));
  try {
    return await fn(store, flags);
  } finally {
    await store.close();
  }
}

function print(flags: GlobalFlags, value: unknown, lines: () => string[]): void {
  if (flags.json) console.log(JSON.stringify(value, null, 2));
  else for (const l of lines()) console.log(l);
}

/** Exit cleanly on SIGTERM/SIGINT after `close` finishes (forced after 15 s). */
function onSignals(close: () => Promise<void>, log: { info: (o: object, m: string) => void; error: (o: object, m: string) => void }): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining requests, writes and jobs');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        log.error({ err: e }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function runWorker(flags: GlobalFlags & { concurrency?: string }): Promise<void> {
  const config = configFrom(flags);
  const log = pino({ level: config.logLevel });
  // Attached to an embedded store another process serves, scoring yields to that process's API.
  const store = await openConfiguredStore(config, { priority: 'background' });
  const llm = await createWorkerLlm(config, store, log);
  const stack = await createEvalStack(config, store, log, llm.llm);
  const alerts = createAlertStack(config, store, log);
  const consumer = startWorker(config, store, stack, alerts, log);
  const retention = startRetentionLoop(config, store, log);
  const monitors = createMonitorStack(config, store, stack, alerts, log);
  onSignals(async () => {
    await consumer.stop();
    await retention.stop();
    await monitors.stop();
    await alerts.close();
    await llm.close();
    await stack.queue.close();
    await store.close();
  }, log);
}

async function serve(flags: GlobalFlags & { port?: string; host?: string; worker?: boolean; demo?: boolean }): Promise<void> {
  const config = configFrom(flags);
  const aether = await createAether(config, { log: pino({ level: config.logLevel }), workerThread: config.worker.thread });
  const log = aether.server.log;
  if (aether.store.kind === 'pglite' && aether.store.attached) {
    await aether.close();
    throw new AetherError(409, 'already_running', `Another Aether process already serves the data dir ${config.dataDir}`);
  }
  const creds = aether.store.kind === 'pglite' ? await bootstrapDefaults(aether.store, config.dataDir) : undefined;
  await aether.server.listen({ port: config.port, host: config.host });
  const addr = aether.server.server.address();
  const url = typeof addr === 'object' && addr ? `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}` : '';
  log.info({ url, store: aether.store.kind, version: VERSION }, 'aether listening');
  console.log(`\nAether ${VERSION} is listening on ${url}  (store: ${aether.store.kind}; API docs: ${url}/docs)`);
  if (creds) {
    console.log('\nFirst start: created organization "Default", project "default" and an API key.');
    console.log(`  project_id: ${creds.project_id}`);
    console.log(`  api_key:    ${creds.api_key}   (shown once; also saved to ${config.dataDir}/credentials.json)`);
    console.log(`\nSend a trace:\n  curl -X POST ${url}/api/v1/traces/ -H "X-API-Key: ${creds.api_key}" \\`);
    console.log(`    -H "Content-Type: application/json" -d '${JSON.stringify(EXAMPLE_TRACE)}'`);
    console.log('  (scored faithful: the context supports every statement of the response)\n');
  }
  const dashboard = await startDashboard(aether, url, { demo: flags.demo === true, log });
  onSignals(async () => {
    await dashboard.stop();
    await aether.close();
  }, log);
}

function projectRef(store: Store, ref: string) {
  return store.projects.find(ref).then((p) => {
    if (!p) throw new AetherError(404, 'not_found', `No project "${ref}"; list them with \`aether projects list\``);
    return p;
  });
}

/** Build the `aether` command. */
export function buildCli(): Command {
  const program = new Command('aether')
    .description('Aether: observability, evaluation and alerting for LLM and RAG applications')
    .version(VERSION)
    .option('--data-dir <dir>', 'embedded store and generated secrets (env AETHER_DATA_DIR, default ./.aether)')
    .option('--database-url <url>', 'use PostgreSQL instead of the embedded store (env DATABASE_URL)')
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env LOG_LEVEL)')
    .option('--json', 'print machine-readable JSON');

  program
    .command('serve', { isDefault: true })
    .description('run the API server')
    .option('-p, --port <port>', 'port (env AETHER_PORT, default 8000)')
    .option('-H, --host <host>', 'interface to bind (env AETHER_HOST, default 127.0.0.1)')
    .option('--no-worker', 'do not run the evaluation worker in this process (env AETHER_WORKER=false)')
    .option('--demo', 'generate demo traffic (and a demo owner on a fresh store) so the dashboard has something to show')
    .action(async (_opts, cmd: Command) => serve(cmd.optsWithGlobals()));

  program
    .command('demo')
    .description('run the server with demo traffic (same as `serve --demo`)')
    .option('-p, --port <port>', 'port (env AETHER_PORT, default 8000)')
    .option('-H, --host <host>', 'interface to bind (env AETHER_HOST, default 127.0.0.1)')
    .action(async (_opts, cmd: Command) => serve({ ...cmd.optsWithGlobals(), demo: true }));

  program
    .command('worker')
    .description('run an evaluation worker (any number may run against one database or Redis)')
    .option('-c, --concurrency <n>', 'jobs at once (env AETHER_WORKER_CONCURRENCY, default 64)')
    .action(async (_opts, cmd: Command) => runWorker(cmd.optsWithGlobals()));

  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .action(async (_o, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const m = await store.migrations();
        print(flags, m, () => [`migrations applied: ${m.applied}/${m.expected} (${store.kind})`]);
      }),
    );

  const orgs = program.command('orgs').description('manage organizations');
  orgs
    .command('create <name>')
    .description('create an organization')
    .action(async (name: string, _o, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const org = await store.organizations.create({ name });
        print(flags, org, () => [`created organization ${org.slug} (${org.id})`]);
      }),
    );
  orgs
    .command('list')
    .description('list organizations')
    .action(async (_o, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const list = await store.organizations.list();
        print(flags, list, () => list.map((o) => `${o.id}  ${o.slug}  ${o.name}`));
      }),
    );

  const projects = program.command('projects').description('manage projects');
  projects
    .command('create <name>')
    .description('create a project (in the first organization unless --org is given)')
    .option('--org <ref>', 'organization id or slug')
    .option('--slug <slug>', 'project slug (default: from the name)')
    .action(async (name: string, o: { org?: string; slug?: string }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const org = o.org ? await store.organizations.find(o.org) : (await store.organizations.list())[0] ?? (await store.organizations.create({ name: 'Default', slug: 'default' }));
        if (!org) throw new AetherError(404, 'not_found', `No organization "${o.org}"; list them with \`aether orgs list\``);
        const p = await store.projects.create({ orgId: org.id, name, slug: o.slug });
        print(flags, p, () => [`created project ${p.slug} (${p.id}) in ${org.slug}`]);
      }),
    );
  projects
    .command('list')
    .description('list projects')
    .action(async (_o, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const list = await store.projects.list();
        print(flags, list, () => list.map((p) => `${p.id}  ${p.slug}  ${p.name}`));
      }),
    );

  const keys = program.command('keys').description('manage API keys');
  keys
    .command('create')
    .description('create an API key for a project; the key is shown once')
    .requiredOption('--project <ref>', 'project id or slug')
    .option('--name <name>', 'a label for the key', 'cli')
    .option('--langfuse', 'create a Langfuse-style key pair (pk-lf-… / sk-lf-…) for the Langfuse SDKs instead')
    .action(async (o: { project: string; name: string; langfuse?: boolean }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const p = await projectRef(store, o.project);
        if (o.langfuse) return void (await createLangfuseKeyPair(store, p, o.name).then((r) => print(flags, r.value, () => r.lines)));
        const { key, record } = await store.apiKeys.create({ projectId: p.id, name: o.name });
        print(flags, { ...record, key, project_id: p.id }, () => [
          `created key ${record.id} for project ${p.slug}`,
          `api_key: ${key}`,
          'Store it now: it cannot be shown again.',
        ]);
      }),
    );
  keys
    .command('list')
    .description('list the keys of a project (never their secrets)')
    .requiredOption('--project <ref>', 'project id or slug')
    .action(async (o: { project: string }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const p = await projectRef(store, o.project);
        const list = await store.apiKeys.list(p.id);
        print(flags, list, () =>
          list.map(
            (k) =>
              `${k.id}  ${k.prefix}…  ${k.name}  created ${k.createdAt.toISOString()}  last used ${k.lastUsedAt?.toISOString() ?? 'never'}${k.revokedAt ? `  REVOKED ${k.revokedAt.toISOString()}` : ''}`,
          ),
        );
      }),
    );
  keys
    .command('revoke <keyId>')
    .description('revoke a key by its id (see `keys list`)')
    .action(async (keyId: string, _o, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const k = await store.apiKeys.revoke(keyId);
        if (!k) throw new AetherError(404, 'not_found', `No key "${keyId}"; list keys with \`aether keys list --project <ref>\``);
        print(flags, k, () => [`revoked key ${k.id} (${k.prefix}…) at ${k.revokedAt?.toISOString()}`]);
      }),
    );
  registerImport(program, withStore);
  registerRetention(program, withStore, () => parseConfig(process.env).retention.days);
  registerMonitor(program, withStore, configFrom);
  registerPrompts(program);
  registerRag(program, withStore);
  return program;
}

/** Entry point: run the CLI, turning errors into a message and exit code 1. */
export async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  program.addOption(new Option('--no-color').hideHelp());
  try {
    await program.parseAsync(argv);
  } catch (e) {
    const msg = e instanceof AetherError ? e.message : e instanceof Error ? e.message : String(e);
    console.error(`aether: ${msg}`);
    process.exit(1);
  }
}

if (process.argv[1] && /cli[\\/]main\.(ts|js)$/.test(process.argv[1])) {
  await main(process.argv);
}
