import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from '../core/index.js';
import { boundedExec } from './bounded-regex.js';
import { getPath } from './paths.js';
import type { Extractor } from './spec.js';

/** What a monitor scores for one source item. */
export interface EvalInput {
  query: string;
  response: string | null;
  contexts: Context[];
  reference: string | null;
  metadata: Record<string, unknown>;
}

/** A module hook: gets the item and the mapped input, returns the input (or null to skip the item). */
export type ExtractorHook = (item: Record<string, unknown>, mapped: EvalInput) => EvalInput | null | Promise<EvalInput | null>;

const asText = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => asText(x) ?? '').filter(Boolean).join('\n') || null;
  return JSON.stringify(v);
};

function asContexts(v: unknown): Context[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.flatMap((c): Context[] => {
    if (typeof c === 'string') return c ? [{ text: c }] : [];
    if (c && typeof c === 'object') {
      const o = c as Record<string, unknown>;
      const text = asText(o.text ?? o.content ?? o.page_content ?? o.document);
      if (!text) return [];
      return [{ text, ...(typeof o.source === 'string' ? { source: o.source } : {}), ...(typeof o.score === 'number' ? { score: o.score } : {}) }];
    }
    return [];
  });
}

/** Builds the item → input function of a monitor; the module hook is loaded once, relative to `baseDir`. */
export async function createExtractor(x: Extractor, baseDir: string): Promise<(item: Record<string, unknown>) => Promise<EvalInput | null>> {
  const patterns = x.patterns.map((p, i) => ({ ...p, re: new RegExp(p.regex, 's'), where: `extractor.patterns[${i}].regex` }));
  let hook: ExtractorHook | undefined;
  if (x.module) {
    const mod = (await import(pathToFileURL(resolve(baseDir, x.module)).href)) as Record<string, unknown>;
    const fn = mod.default ?? mod.extract;
    if (typeof fn !== 'function') throw new Error(`extractor.module ${x.module} exports no function (default or "extract")`);
    hook = fn as ExtractorHook;
  }
  return async (item) => {
    const input: EvalInput = {
      query: asText(getPath(item, x.query ?? 'query')) ?? '',
      response: asText(getPath(item, x.response ?? 'response')),
      contexts: asContexts(getPath(item, x.contexts ?? 'contexts')),
      reference: asText(getPath(item, x.reference ?? 'reference')),
      metadata: {},
    };
    for (const [k, p] of Object.entries(x.metadata)) {
      const v = getPath(item, p);
      if (v !== undefined) input.metadata[k] = v;
    }
    for (const p of patterns) {
      const text = asText(getPath(item, p.from));
      const m = text ? boundedExec(p.re, text, p.where) : null;
      if (!m?.groups) continue;
      for (const [group, value] of Object.entries(m.groups)) {
        if (value === undefined) continue;
        const into = p.into[group] ?? `metadata.${group}`;
        if (into === 'contexts') input.contexts.push({ text: value });
        else if (into === 'query' || into === 'response' || into === 'reference') input[into] = value;
        else input.metadata[into.slice('metadata.'.length)] = value;
      }
    }
    return hook ? hook(item, input) : input;
  };
}
