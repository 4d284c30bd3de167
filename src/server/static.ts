// The dashboard: the built single-page app from web/dist at /, with index.html for any page URL the
// app routes itself (/traces/abc), long-lived caching for hashed assets, and a plain page saying how
// to build it when it is missing. API paths keep their JSON 404s.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';

/** web/dist of the package (this file sits two levels below the root in src/ and in dist/). */
export const PACKAGE_WEB_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));

const RESERVED = /^\/(?:api|v1)(?:\/|$)|^\/health(?:\/|$)|^\/metrics$|^\/docs(?:\/|$)|^\/openapi\.json$/;
/** Paths that belong to the API, never to the dashboard. */
export const isReservedPath = (path: string): boolean => RESERVED.test(path);

// Hashed assets never change under the same name; index.html must be re-checked so a new build is picked up.
const IMMUTABLE = 'public, max-age=31536000, immutable';
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The setup link carries its token in the query string; never hand it to another site.
  'referrer-policy': 'no-referrer',
};

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Aether</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#8882;padding:.1rem .3rem;border-radius:4px}</style>
</head><body>
<h1>Aether is running</h1>
<p>The web dashboard is not built. Run <code>npm run build</code> in the Aether folder, then restart the server.</p>
<p>The API works without it: see <a href="/docs">/docs</a>.</p>
</body></html>
`;

const wantsHtml = (req: FastifyRequest) => (req.method === 'GET' || req.method === 'HEAD') && /\btext\/html\b/.test(req.headers.accept ?? '');

/** The dashboard's routes and its page fallback, for the folder given (default: the package's web/dist). */
export function createDashboard(opts: { webDir?: string | undefined }) {
  const root = resolve(opts.webDir ?? PACKAGE_WEB_DIR);
  const index = join(root, 'index.html');
  const built = existsSync(index);

  const sendIndex = (reply: FastifyReply): void => {
    readFile(index, 'utf8').then(
      (html) => void reply.headers(HTML_HEADERS).send(html),
      () => void reply.headers(HTML_HEADERS).send(NOT_BUILT),
    );
  };

  const plugin: FastifyPluginAsync = async (app) => {
    if (!built) {
      app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.headers(HTML_HEADERS).send(NOT_BUILT));
      return;
    }
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      decorateReply: false,
      cacheControl: false,
      redirect: false,
      allowedPath: (path) => !isReservedPath(path),
      setHeaders: (res, path) => {
        if (path.endsWith(`${sep}index.html`)) {
          for (const [k, v] of Object.entries(HTML_HEADERS)) if (k !== 'content-type') res.setHeader(k, v);
        } else {
          res.setHeader('cache-control', path.startsWith(join(root, 'assets') + sep) ? IMMUTABLE : 'public, max-age=3600');
        }
      },
    });
  };

  return {
    root,
    built,
    plugin,
    /** Answer a page URL the API does not know with the app (it routes on the client); false when it is not one. */
    fallback(req: FastifyRequest, reply: FastifyReply): boolean {
      const path = req.url.split('?')[0] ?? '/';
      if (!wantsHtml(req) || isReservedPath(path)) return false;
      if (built) sendIndex(reply);
      else void reply.headers(HTML_HEADERS).send(NOT_BUILT);
      return true;
    },
  };
}

export type Dashboard = ReturnType<typeof createDashboard>;
