import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { MonitorSource } from '../spec.js';
import { inWindow, toDate, type Source, type SourceItem } from './contract.js';

type SlackSpec = Extract<MonitorSource, { type: 'slack' }>;

interface SlackMessage {
  type?: string;
  subtype?: string;
  ts: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
  username?: string;
  text?: string;
  reply_count?: number;
}

const isMessage = (m: unknown): m is SlackMessage =>
  !!m && typeof m === 'object' && typeof (m as SlackMessage).ts === 'string' && ((m as SlackMessage).type ?? 'message') === 'message';

// Channel joins, topic changes and the like are not conversation.
const NOISE = new Set(['channel_join', 'channel_leave', 'channel_topic', 'channel_purpose', 'channel_name', 'pinned_item', 'bot_add']);

/**
 * A channel folder of a standard Slack export (one `YYYY-MM-DD.json` array of messages per day).
 * Each top-level message is an item; its thread replies (by `thread_ts`) come with it: `query` is the
 * opening message, `response` the first reply, `messages` the whole thread.
 */
export function slackSource(spec: SlackSpec, baseDir: string): Source {
  const dir = resolve(baseDir, spec.path);
  return {
    key: `slack:${dir}`.slice(0, 1000),
    async list(ctx) {
      if (!statSync(dir).isDirectory()) throw new Error(`source.path ${spec.path} is not a Slack export channel folder`);
      const all: SlackMessage[] = [];
      for (const f of readdirSync(dir).filter((n) => /^\d{4}-\d{2}-\d{2}\.json$/.test(n)).sort()) {
        const day = JSON.parse(readFileSync(join(dir, f), 'utf8')) as unknown;
        if (!Array.isArray(day)) throw new Error(`${f}: a Slack export day file is a JSON array of messages`);
        all.push(...day.filter(isMessage).filter((m) => !m.subtype || !NOISE.has(m.subtype)));
      }
      const replies = new Map<string, SlackMessage[]>();
      for (const m of all) if (m.thread_ts && m.thread_ts !== m.ts) replies.set(m.thread_ts, [...(replies.get(m.thread_ts) ?? []), m]);
      const items: SourceItem[] = all
        .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
        .map((m) => {
          const thread = spec.include_replies ? (replies.get(m.ts) ?? []).sort((a, b) => Number(a.ts) - Number(b.ts)) : [];
          const msg = (x: SlackMessage) => ({ ts: x.ts, user: x.user ?? x.bot_id ?? x.username ?? null, bot: !!x.bot_id, text: x.text ?? '' });
          return {
            id: m.ts,
            ts: toDate(m.ts),
            fields: {
              id: m.ts,
              ts: m.ts,
              user: m.user ?? m.bot_id ?? null,
              text: m.text ?? '',
              query: m.text ?? '',
              response: thread[0]?.text ?? null,
              reply_count: thread.length,
              messages: [msg(m), ...thread.map(msg)],
            },
          };
        });
      return inWindow(items, ctx, !!spec.window);
    },
  };
}
