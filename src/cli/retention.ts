import type { Command } from 'commander';
import { AetherError } from '../core/errors.js';
import { applyRetention } from '../ingest/index.js';
import type { StoreRunner } from './import.js';

const days = (v: string): number | null => {
  if (v === 'default') return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 36_500) throw new AetherError(400, 'invalid_days', `"${v}" is not a number of days (1 to 36500) or "default"`);
  return n;
};

/** `aether retention set|run`: how long each project keeps its traces, and deleting what is older. */
export function registerRetention(program: Command, withStore: StoreRunner, defaultDays: () => number | undefined): void {
  const r = program.command('retention').description("delete traces older than a project's retention (with their spans and evaluations)");
  r.command('set <project> <days>')
    .description('keep the project\'s traces this many days ("default": the server\'s AETHER_RETENTION_DAYS)')
    .action(async (ref: string, d: string, _o, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const p = await store.projects.find(ref);
        if (!p) throw new AetherError(404, 'not_found', `No project "${ref}"; list them with \`aether projects list\``);
        const n = days(d);
        await store.retention.set(p.id, n);
        const out = { project_id: p.id, retention_days: n };
        console.log(flags.json ? JSON.stringify(out, null, 2) : `project ${p.slug} keeps traces ${n === null ? 'for the server default' : `${n} days`}`);
      }),
    );
  r.command('run')
    .description('apply retention now (the worker also does it every AETHER_RETENTION_INTERVAL_MS)')
    .option('--project <ref>', 'only this project')
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .action(async (o: { project?: string; dryRun?: boolean }, cmd: Command) =>
      withStore(cmd, async (store, flags) => {
        const p = o.project ? await store.projects.find(o.project) : undefined;
        if (o.project && !p) throw new AetherError(404, 'not_found', `No project "${o.project}"; list them with \`aether projects list\``);
        const res = await applyRetention(store, { defaultDays: defaultDays(), projectId: p?.id, dryRun: o.dryRun });
        if (flags.json) console.log(JSON.stringify(res, null, 2));
        else if (res.length === 0) console.log('no project has a retention: set one with `aether retention set <project> <days>` or AETHER_RETENTION_DAYS');
        else for (const x of res) console.log(`${x.projectId}: ${o.dryRun ? 'would delete' : 'deleted'} ${x.traces} traces older than ${x.before} (${x.days} days)${o.dryRun ? '' : `, ${x.spans} spans, ${x.evaluations} evaluations`}`);
      }),
    );
}
