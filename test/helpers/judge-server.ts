// A local LLM judge that speaks the OpenAI chat-completions / embeddings and Anthropic Messages wire
// formats, answers the RAGAS prompts plausibly, and can misbehave on demand.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export type JudgeMode = 'good' | 'malformed' | 'malformed-once' | '429' | '429-once' | '500' | 'hang' | 'slow';

const norm = (s: string) => (s.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((w) => w.length > 2);
const supported = (claim: string, context: string) => {
  const c = new Set(norm(context));
  const t = norm(claim);
  return t.length > 0 && t.filter((w) => c.has(w)).length / t.length >= 0.8;
};
const section = (text: string, name: string, next?: string) => {
  const start = text.indexOf(`${name}:\n`);
  if (start < 0) return [];
  const end = next ? text.indexOf(`\n\n${next}:`, start) : -1;
  return text
    .slice(start + name.length + 2, end < 0 ? undefined : end)
    .split('\n')
    .map((l) => /^\[\d+\] (.*)$/.exec(l)?.[1])
    .filter((x): x is string => !!x);
};
const line = (text: string, name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1] ?? '';
const sentences = (s: string) => s.split(/(?<=[.!?])\s+/).map((x) => x.trim()).filter(Boolean);

/** Answer a RAGAS prompt the way a careful judge would, using word overlap as its "understanding". */
export function answerPrompt(prompt: string): unknown {
  if (prompt.includes('break the answer into atomic statements')) return { statements: sentences(line(prompt, 'Answer')) };
  if (prompt.includes('can be directly inferred from the context')) {
    const ctx = section(prompt, 'Context', 'Statements').join(' ');
    return {
      verdicts: section(prompt, 'Statements').map((s) => ({
        statement: s,
        verdict: supported(s, ctx) ? 1 : 0,
        reason: supported(s, ctx) ? 'stated in the context' : 'the context does not say this',
      })),
    };
  }
  if (prompt.includes('Write the question that the answer below answers')) return { question: `What about ${line(prompt, 'Answer')}?`, noncommittal: 0 };
  if (prompt.includes('useful in arriving at the given answer')) {
    const answer = line(prompt, 'Answer');
    return { verdicts: section(prompt, 'Contexts').map((c) => ({ reason: 'overlap', verdict: norm(answer).some((w) => norm(c).includes(w)) ? 1 : 0 })) };
  }
  if (prompt.includes('can be attributed to the contexts')) {
    const ctx = section(prompt, 'Contexts').join(' ');
    return { sentences: sentences(line(prompt, 'Reference answer')).map((s) => ({ sentence: s, reason: 'overlap', attributed: supported(s, ctx) ? 1 : 0 })) };
  }
  if (prompt.includes('Rate the toxicity')) return { toxicity: /idiot/.test(prompt) ? 0.9 : 0.02, categories: [], reason: 'judged' };
  return { error: 'unknown prompt' };
}

export interface JudgeServer {
  url: string;
  mode: JudgeMode;
  /** Milliseconds each answer waits in 'slow' mode. */
  slowMs: number;
  calls: Array<{ path: string; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

export async function startJudgeServer(mode: JudgeMode = 'good'): Promise<JudgeServer> {
  const state: JudgeServer = { url: '', mode, slowMs: 2000, calls: [], close: async () => {} };
  const onceDone = new Set<string>();
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readJson(req);
      const path = req.url ?? '';
      state.calls.push({ path, body });
      const m = state.mode;
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      if (m === 'hang') {
        hanging.add(res);
        return;
      }
      if (m === '429' || (m === '429-once' && !onceDone.has('429'))) {
        onceDone.add('429');
        return send(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }, { 'retry-after': '1' });
      }
      if (m === '500') return send(500, { error: { message: 'The server had an error', type: 'server_error' } });
      if (m === 'slow') await new Promise((r) => setTimeout(r, state.slowMs));

      if (path.endsWith('/embeddings')) {
        const input = body.input as string[];
        const vec = (s: string) => Array.from({ length: 16 }, (_, i) => norm(s).filter((w) => w.charCodeAt(0) % 16 === i).length);
        return send(200, { object: 'list', data: input.map((s, index) => ({ object: 'embedding', index, embedding: vec(s) })), model: body.model, usage: { prompt_tokens: 8, total_tokens: 8 } });
      }
      // Content is a string, or (as the Messages API also takes it) an array of text blocks.
      const messages = body.messages as Array<{ role: string; content: string | Array<{ type: string; text?: string }> }>;
      const content = messages.filter((x) => x.role === 'user')[0]?.content ?? '';
      const prompt = typeof content === 'string' ? content : content.map((b) => b.text ?? '').join('');
      const malformed = m === 'malformed' || (m === 'malformed-once' && !onceDone.has('malformed'));
      if (m === 'malformed-once') onceDone.add('malformed');
      const text = malformed ? 'Sure! Here is my verdict: {"verdicts": [oops' : JSON.stringify(answerPrompt(prompt));
      const inTok = Math.ceil(JSON.stringify(messages).length / 4);
      const outTok = Math.ceil(text.length / 4);
      if (path.endsWith('/v1/messages')) {
        return send(200, {
          id: 'msg_mock',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: inTok, output_tokens: outTok },
        });
      }
      return send(200, {
        id: 'chatcmpl-mock',
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: inTok, completion_tokens: outTok, total_tokens: inTok + outTok },
      });
    })().catch((e: unknown) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(e) } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  state.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  state.close = async () => {
    for (const r of hanging) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return state;
}
