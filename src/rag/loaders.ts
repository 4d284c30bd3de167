// Turning files into documents for `aether rag add`: Markdown, text, HTML, JSON and JSON Lines.
import { basename, extname } from 'node:path';

export interface ParsedDocument {
  id: string;
  text: string;
  title?: string;
  source: string;
  metadata: Record<string, unknown>;
}

export const SUPPORTED_EXTENSIONS = ['.md', '.markdown', '.txt', '.html', '.htm', '.json', '.jsonl'] as const;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (m, e: string) => {
    if (e[0] === '#') {
      const n = e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
      return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : m;
    }
    return ENTITIES[e.toLowerCase()] ?? m;
  });
}

/** Readable text of an HTML page: headings become Markdown headings, so chunking sees the structure. */
export function htmlToText(html: string): { text: string; title: string | undefined } {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const body = html
    .replace(/<(script|style|noscript|template|head)\b[\s\S]*?<\/\1>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi, (_, n: string, t: string) => `\n\n${'#'.repeat(Number(n))} ${t.replace(/<[^>]+>/g, '').trim()}\n\n`)
    .replace(/<pre[^>]*>([\s\S]*?)<\/pre>/gi, (_, t: string) => `\n\n\`\`\`\n${t.replace(/<[^>]+>/g, '')}\n\`\`\`\n\n`)
    .replace(/<(br|hr)\s*\/?>/gi, '\n')
    .replace(/<\/?(p|div|section|article|li|ul|ol|tr|table|blockquote|header|footer|main|nav)\b[^>]*>/gi, '\n\n')
    .replace(/<[^>]+>/g, '');
  const text = decodeEntities(body)
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, title: title ? decodeEntities(title).trim() : undefined };
}

function record(o: unknown, source: string, i: number): ParsedDocument {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return { id: `${source}#${i}`, text: JSON.stringify(o), source, metadata: {} };
  const r = o as Record<string, unknown>;
  const text = [r.text, r.content, r.body, r.page_content].find((v) => typeof v === 'string') as string | undefined;
  const title = typeof r.title === 'string' ? r.title : undefined;
  const id = typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : typeof r._id === 'string' ? r._id : `${source}#${i}`;
  const meta = r.metadata && typeof r.metadata === 'object' && !Array.isArray(r.metadata) ? (r.metadata as Record<string, unknown>) : {};
  return { id, text: text ?? JSON.stringify(o), ...(title ? { title } : {}), source, metadata: meta };
}

/** Documents in one file; throws on an unsupported extension or malformed JSON (naming the line). */
export function parseFile(path: string, content: string): ParsedDocument[] {
  const ext = extname(path).toLowerCase();
  const name = basename(path);
  if (ext === '.md' || ext === '.markdown') {
    const h = /^#\s+(.+)$/m.exec(content)?.[1]?.trim();
    return [{ id: path, text: content, title: h ?? name, source: path, metadata: { format: 'markdown' } }];
  }
  if (ext === '.txt') return [{ id: path, text: content, title: name, source: path, metadata: { format: 'text' } }];
  if (ext === '.html' || ext === '.htm') {
    const { text, title } = htmlToText(content);
    return [{ id: path, text, title: title ?? name, source: path, metadata: { format: 'html' } }];
  }
  if (ext === '.json') {
    const v = JSON.parse(content) as unknown;
    return (Array.isArray(v) ? v : [v]).map((o, i) => record(o, path, i));
  }
  if (ext === '.jsonl') {
    const out: ParsedDocument[] = [];
    content.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      try {
        out.push(record(JSON.parse(line), path, i));
      } catch (e) {
        throw new Error(`${path}:${i + 1}: ${(e as Error).message}`);
      }
    });
    return out;
  }
  throw new Error(`${path}: unsupported file type "${ext || name}" (supported: ${SUPPORTED_EXTENSIONS.join(', ')})`);
}
