import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { AetherError } from '../core/errors.js';

interface Conn {
  url: string;
  key: string;
  json: boolean;
}

/** Server and key: --url/--api-key, else AETHER_URL / AETHER_API_KEY, else the local default. */
function conn(cmd: Command): Conn {
  const o = cmd.optsWithGlobals<{ url?: string; apiKey?: string; json?: boolean }>();
  const key = o.apiKey ?? process.env.AETHER_API_KEY;
  if (!key) throw new AetherError(400, 'no_key', 'Pass --api-key or set AETHER_API_KEY (a project key, ae_…)');
  return { url: (o.url ?? process.env.AETHER_URL ?? 'http://127.0.0.1:8000').replace(/\/$/, ''), key, json: !!o.json };
}

async function call<T>(c: Conn, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(c.url + path, { method, headers: { 'x-api-key': c.key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  } catch (e) {
    throw new AetherError(503, 'unreachable', `cannot reach ${c.url}: ${(e as Error).message}`);
  }
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : {};
  if (!res.ok) throw new AetherError(res.status, 'request_failed', (parsed as { error?: { message?: string } }).error?.message ?? `${method} ${path} answered ${res.status}`);
  return parsed as T;
}

const collect = (v: string, prev: string[]) => [...prev, v];
const enc = encodeURIComponent;

function parseJson(flag: string, s: string | undefined): unknown {
  if (s === undefined) return undefined;
  try {
    return JSON.parse(s) as unknown;
  } catch {
    throw new AetherError(400, 'invalid_json', `${flag} must be JSON`);
  }
}

function vars(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf('=');
    if (i <= 0) throw new AetherError(400, 'invalid_var', `--var takes name=value, got "${p}"`);
    out[p.slice(0, i)] = p.slice(i + 1);
  }
  return out;
}

interface Version {
  name: string;
  type: string;
  version: number;
  labels: string[];
  prompt: string | Array<{ role: string; content: string }>;
  commit_message: string | null;
  created_at: string;
}

const show = (p: Version['prompt']) => (typeof p === 'string' ? p : p.map((m) => `[${m.role}] ${m.content}`).join('\n'));
/** `name`, `name@label` or `name#version` (as in the gateway's x-aether-prompt header); --label also works. */
function target(spec: string, label: string | undefined): { name: string; version?: number; label?: string } {
  const m = /^([^@#]+)(?:@([^@#]+)|#(\d+))?$/.exec(spec);
  if (!m) throw new AetherError(400, 'invalid_prompt_ref', `expected name, name@label or name#version, got "${spec}"`);
  if (m[3]) return { name: m[1]!, version: Number(m[3]) };
  return { name: m[1]!, label: m[2] ?? label ?? 'production' };
}
const query = (t: { version?: number; label?: string }) => (t.version !== undefined ? `version=${t.version}` : `label=${enc(t.label!)}`);

/** `aether prompts list|get|create|label|render`: the prompt registry of a running server, over HTTP. */
export function registerPrompts(program: Command): void {
  const prompts = program
    .command('prompts')
    .description('prompt registry of a running server (--url, --api-key or AETHER_URL, AETHER_API_KEY)')
    .option('--url <url>', 'server root (env AETHER_URL, default http://127.0.0.1:8000)')
    .option('--api-key <key>', 'project API key (env AETHER_API_KEY)');
  const out = (c: Conn, value: unknown, lines: () => string[]) => console.log(c.json ? JSON.stringify(value, null, 2) : lines().join('\n'));

  prompts
    .command('list')
    .description('prompts with their labels')
    .option('--tag <tag>')
    .option('--label <label>', 'only prompts that have this label')
    .action(async (o: { tag?: string; label?: string }, cmd: Command) => {
      const c = conn(cmd);
      const q = new URLSearchParams(Object.entries(o).filter((e): e is [string, string] => typeof e[1] === 'string'));
      const r = await call<{ data: Array<{ name: string; type: string; latest_version: number; labels: Record<string, number> }> }>(c, 'GET', `/api/v1/prompts?${q.toString()}`);
      out(c, r, () => (r.data.length ? r.data.map((p) => `${p.name}  ${p.type}  v${p.latest_version}  ${Object.entries(p.labels).map(([l, v]) => `${l}=v${v}`).join(' ')}`) : ['no prompts']));
    });

  prompts
    .command('get <name>')
    .description('one version: name (label production), name@label or name#version')
    .option('--label <label>')
    .action(async (spec: string, o: { label?: string }, cmd: Command) => {
      const c = conn(cmd);
      const t = target(spec, o.label);
      const v = await call<Version>(c, 'GET', `/api/v1/prompts/${enc(t.name)}?${query(t)}`);
      out(c, v, () => [`${v.name} v${v.version} (${v.type}) labels: ${v.labels.join(', ')}${v.commit_message ? ` — ${v.commit_message}` : ''}`, show(v.prompt)]);
    });

  prompts
    .command('create <name>')
    .description('create the next version from --text or --file (a chat prompt: a JSON list of {role, content})')
    .option('--text <text>', 'the prompt text')
    .option('--file <path>', 'read the prompt from a file (.json = chat messages)')
    .option('--type <type>', 'text or chat (default: chat for a JSON list, else text)')
    .option('--label <label>', 'point this label at the new version (repeatable)', collect, [])
    .option('-m, --message <message>', 'commit message')
    .option('--config <json>', 'config object, e.g. {"model":"gpt-4o-mini","temperature":0.2}')
    .option('--variables <json>', 'declared variables, e.g. {"lang":{"type":"string","default":"English"}}')
    .option('--tag <tag>', 'tag (repeatable)', collect, [])
    .action(async (name: string, o: { text?: string; file?: string; type?: string; label: string[]; message?: string; config?: string; variables?: string; tag: string[] }, cmd: Command) => {
      const c = conn(cmd);
      if (!o.text === !o.file) throw new AetherError(400, 'prompt_required', 'Pass exactly one of --text or --file');
      let prompt: unknown = o.text;
      if (o.file) {
        const raw = readFileSync(o.file, 'utf8');
        prompt = o.file.endsWith('.json') ? parseJson('--file', raw) : raw;
      }
      const body = {
        name,
        type: o.type ?? (Array.isArray(prompt) ? 'chat' : 'text'),
        prompt,
        labels: o.label,
        ...(o.message ? { commit_message: o.message } : {}),
        ...(o.config ? { config: parseJson('--config', o.config) } : {}),
        ...(o.variables ? { variables: parseJson('--variables', o.variables) } : {}),
        ...(o.tag.length ? { tags: o.tag } : {}),
      };
      const v = await call<Version>(c, 'POST', '/api/v1/prompts', body);
      out(c, v, () => [`created ${v.name} v${v.version}; labels: ${v.labels.join(', ')}`]);
    });

  prompts
    .command('label <name> <label> <version>')
    .description('move a label to a version')
    .action(async (name: string, label: string, version: string, _o, cmd: Command) => {
      const c = conn(cmd);
      const n = Number(version);
      if (!Number.isInteger(n) || n < 1) throw new AetherError(400, 'invalid_version', `version must be a positive integer, got "${version}"`);
      const r = await call<{ from_version: number | null; to_version: number }>(c, 'POST', `/api/v1/prompts/${enc(name)}/labels`, { label, version: n });
      out(c, r, () => [`${name}: ${label} ${r.from_version === null ? 'set' : `moved from v${r.from_version}`} to v${r.to_version}`]);
    });

  prompts
    .command('render <name>')
    .description('render name, name@label or name#version with --var name=value')
    .option('--label <label>')
    .option('--var <name=value>', 'a variable (repeatable)', collect, [])
    .action(async (spec: string, o: { label?: string; var: string[] }, cmd: Command) => {
      const c = conn(cmd);
      const t = target(spec, o.label);
      const body = { ...(t.version !== undefined ? { version: t.version } : { label: t.label }), variables: vars(o.var) };
      const r = await call<{ version: number; prompt: Version['prompt'] }>(c, 'POST', `/api/v1/prompts/${enc(t.name)}/render`, body);
      out(c, r, () => [show(r.prompt)]);
    });
}
