import type { MonitorSource } from '../spec.js';
import { aetherSource } from './aether.js';
import type { Source } from './contract.js';
import { langfuseFileSource, tabularSource } from './files.js';
import { langfuseApiSource } from './langfuse-api.js';
import { slackSource } from './slack.js';

export type { Source, SourceContext, SourceItem } from './contract.js';

/** The source a spec names. */
export function createSource(spec: MonitorSource, projectId: string, baseDir: string, opts: { fields: boolean } = { fields: true }): Source {
  switch (spec.type) {
    case 'aether':
      return aetherSource(spec, projectId, opts);
    case 'jsonl':
    case 'csv':
      return tabularSource(spec, baseDir);
    case 'langfuse_file':
      return langfuseFileSource(spec, baseDir);
    case 'langfuse_api':
      return langfuseApiSource(spec);
    case 'slack':
      return slackSource(spec, baseDir);
  }
}
