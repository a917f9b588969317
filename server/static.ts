import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono, type MiddlewareHandler } from 'hono';
import { etag } from 'hono/etag';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * Cache policy for a built file: Vite's content-hashed files under /assets/ never change, so they
 * are cached for a year; everything else (index.html, sw.js, the manifest, icons) is revalidated
 * on every use, which a weak ETag from size and mtime answers with 304 when unchanged.
 */
export function cacheControlFor(path: string): string {
  return path.startsWith('/assets/') ? IMMUTABLE : REVALIDATE;
}

/** Decodes a URL path; a malformed %-escape (`/a%E0%A4`) is kept as it is, never thrown. */
function safeDecode(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Sets Cache-Control and a weak ETag (size + mtime, no hashing) on a file the next handler served. */
function fileHeaders(root: string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (c.res.status !== 200 && c.res.status !== 206) return;
    const servedIndex = c.res.headers.get('content-type')?.startsWith('text/html') ?? false;
    const requested = safeDecode(c.req.path);
    let file = normalize(join(root, requested));
    const stats = statSync(file, { throwIfNoEntry: false });
    if (!stats?.isFile() && servedIndex) file = join(root, 'index.html');
    const fileStats = stats?.isFile() ? stats : statSync(file, { throwIfNoEntry: false });
    c.res.headers.set('Cache-Control', stats?.isFile() ? cacheControlFor(requested) : REVALIDATE);
    if (fileStats?.isFile()) {
      // Each encoding of a file is its own representation, so it gets its own tag (RFC 9110 8.8.3).
      const encoding = c.res.headers.get('Content-Encoding');
      c.res.headers.set(
        'ETag',
        `W/"${fileStats.size.toString(16)}-${Math.floor(fileStats.mtimeMs).toString(16)}${encoding ? `-${encoding}` : ''}"`,
      );
    }
  };
}

/**
 * Serves the built PWA from `root`: static files with their cache policy, and `index.html` for
 * any other GET that asks for a page, so client-side routes (/history, /models) load directly.
 */
export function staticRoutes(root: string): Hono {
  const app = new Hono();
  const indexPath = join(root, 'index.html');

  // Outermost: answers If-None-Match with 304 using the ETag that fileHeaders sets.
  app.use('*', etag({ weak: true }));
  app.use('*', fileHeaders(root));
  // The build writes brotli and gzip copies of text files and WASM (vite.config.ts); the one the
  // browser accepts is sent as it is, with no compression work per request.
  app.use('*', serveStatic({ root, precompressed: true }));
  // Client-side routes: a navigation to /models gets the app shell. Files that do not exist
  // (a missing hashed asset after a deploy) stay 404 so the service worker never caches HTML as JS.
  app.get('*', async (c, next) => {
    const accept = c.req.header('Accept') ?? '';
    if (
      !accept.includes('text/html') ||
      /\.[a-z0-9]+$/i.test(c.req.path) ||
      !existsSync(indexPath)
    ) {
      return next();
    }
    return serveStatic({ path: indexPath, precompressed: true })(c, next);
  });
  return app;
}
