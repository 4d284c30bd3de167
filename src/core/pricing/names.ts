// Model-name normalisation. Providers spell one model many ways: `openai/gpt-4o-mini`,
// `openrouter/anthropic/claude-3.5-haiku`, `us.anthropic.claude-3-5-haiku-20241022-v1:0` (Bedrock),
// `vertex_ai/claude-3-5-haiku@20241022` (Vertex), `claude-3-5-haiku-latest` (an alias). The
// canonical name is the first-party spelling: `claude-3-5-haiku-20241022`, `gpt-4o-mini`.

const BEDROCK_REGION = /^(us|eu|apac|au|jp|global|us-gov|ca)\./;
const BEDROCK_VENDOR = /^(anthropic|meta|amazon|mistral|cohere|ai21|deepseek|qwen|openai|writer)\./;
const DATE_SUFFIX = /^(.*)-(\d{8}|\d{4}-\d{2}-\d{2})$/;

/** The first-party spelling of a model name, without provider, region or version decorations. */
export function canonicalName(name: string): string {
  let n = name.trim().toLowerCase();
  // Routing prefixes (`openrouter/anthropic/…`, `bedrock/us-east-1/…`): the model is the last segment.
  const slash = n.lastIndexOf('/');
  if (slash >= 0) n = n.slice(slash + 1);
  // Bedrock: region and vendor prefixes, `-v1:0` version suffixes.
  n = n.replace(BEDROCK_REGION, '').replace(BEDROCK_VENDOR, '').replace(/-v\d+(:\d+)?$/, '').replace(/:\d+$/, '');
  // Vertex: `claude-3-5-haiku@20241022`, `…@default`.
  n = n.replace(/@(\d{8})$/, '-$1').replace(/@[a-z]+$/, '');
  // OpenRouter writes Claude versions with dots (`claude-3.5-haiku`, `claude-sonnet-4.5`).
  if (n.startsWith('claude')) n = n.replace(/(\d)\.(\d)/g, '$1-$2');
  return n;
}

/** An alias of a family's newest snapshot (`claude-3-5-haiku-latest`, Anthropic's `claude-sonnet-4-0`) → the family. */
export function latestFamily(canonical: string): string | undefined {
  if (canonical.endsWith('-latest')) return canonical.slice(0, -'-latest'.length);
  const zero = /^(claude-.*\d)-0$/.exec(canonical);
  return zero ? zero[1] : undefined;
}

/** The date of a dated snapshot (`gpt-4o-mini-2024-07-18` → 20240718) and its undated family. */
export function datedSnapshot(canonical: string): { family: string; date: number } | undefined {
  const m = DATE_SUFFIX.exec(canonical);
  return m ? { family: m[1]!, date: Number(m[2]!.replaceAll('-', '')) } : undefined;
}

/** The exact spellings worth trying before normalising: as given, with the provider, without prefixes. */
export function exactSpellings(model: string, provider?: string): string[] {
  const out = [model];
  if (provider && !model.startsWith(`${provider}/`)) out.push(`${provider}/${model}`);
  for (let i = model.indexOf('/'); i >= 0; i = model.indexOf('/', i + 1)) out.push(model.slice(i + 1));
  return out;
}
