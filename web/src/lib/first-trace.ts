import { EXAMPLE_TRACE } from '../../../src/core/example-trace.js';

/** A copy-paste curl that sends the README's example trace to this server for one project. */
export function firstTraceCurl(origin: string, projectId: string): string {
  const body = JSON.stringify({ project_id: projectId, ...EXAMPLE_TRACE }, null, 2).replace(/\n/g, '\n  ');
  return `curl -X POST ${origin}/api/v1/traces \\
  -H "X-API-Key: $AETHER_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '${body}'`;
}
