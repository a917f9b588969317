/**
 * Security headers on every response (hono/secure-headers), and a Content-Security-Policy chosen
 * by what the response is: a page, a script that may run as a worker, or anything else.
 *
 * Pages (the app and the dashboard) run only the app's own scripts: no inline scripts, no eval.
 * 'wasm-unsafe-eval' lets TF.js compile its WASM backend, which is not eval of text. Scripts get
 * their own policy because a worker runs under the CSP of its script's response: the classifier
 * worker also starts TF.js's WASM threads, which Emscripten creates from a Blob of its own code
 * (`new Worker(blobURL)`, `importScripts(blobURL)`), so blob: is allowed for workers and scripts
 * there, and only there. Violations are reported to POST /api/v1/csp-reports (csp-reports.ts).
 * zod's `new Function` probe is switched off in the browser (shared/zod-jitless.ts), so no
 * 'unsafe-eval' is needed anywhere.
 */
import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/** Where browsers send CSP violation reports (report-uri and the Reporting API). */
export const CSP_REPORT_PATH = '/api/v1/csp-reports';

const directives = (policy: Record<string, string[]>) =>
  Object.entries(policy)
    .map(([name, sources]) => [name, ...sources].join(' '))
    .join('; ');

const SHARED = {
  'default-src': ["'self'"],
  'img-src': ["'self'", 'data:', 'blob:'],
  'media-src': ["'self'", 'blob:'],
  'style-src': ["'self'"],
  'font-src': ["'self'"],
  'manifest-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  // report-uri, not report-to: Chromium sends report-uri reports at once, while with report-to
  // it batches them through the Reporting API (not within 20 s here) and drops report-uri.
  'report-uri': [CSP_REPORT_PATH],
};

/** The policy of HTML pages. */
export const PAGE_POLICY = directives({
  ...SHARED,
  'script-src': ["'self'", "'wasm-unsafe-eval'"],
  'worker-src': ["'self'"],
  'connect-src': ["'self'", 'blob:', 'data:'],
});

/** The policy of JavaScript responses, which governs them when they run as workers. */
export const WORKER_POLICY = directives({
  ...SHARED,
  'script-src': ["'self'", "'wasm-unsafe-eval'", 'blob:'],
  'worker-src': ["'self'", 'blob:'],
  'connect-src': ["'self'", 'blob:', 'data:'],
});

/** Everything else (JSON, images, model files): nothing in it may load or run anything. */
export const RESOURCE_POLICY = directives({
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
});

/** The headers every response carries, then the CSP that fits its content type. */
export function securityHeaders(): MiddlewareHandler {
  const common = secureHeaders({
    // Cross-origin isolation (SharedArrayBuffer), so the TF.js WASM backend can run threads:
    // https://web.dev/articles/coop-coep. Every resource of the app is same-origin.
    crossOriginEmbedderPolicy: 'require-corp',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    // The camera for this origin only; nothing else the app does not use. Only features
    // Chromium knows: it warns on every page load about one it does not (`bluetooth`).
    permissionsPolicy: {
      camera: ['self'],
      microphone: [],
      geolocation: [],
      payment: [],
      usb: [],
      serial: [],
      hid: [],
      midi: [],
      displayCapture: [],
      browsingTopics: [],
    },
  });
  return async (c, next) => {
    await common(c, async () => {
      await next();
    });
    const type = c.res.headers.get('Content-Type');
    // A 304 has no body or type; browsers merge its headers into the cached response, so it
    // must not carry a policy that would replace the page's.
    if (!type) return;
    const policy = /^text\/html\b/i.test(type)
      ? PAGE_POLICY
      : /javascript/i.test(type)
        ? WORKER_POLICY
        : RESOURCE_POLICY;
    c.res.headers.set('Content-Security-Policy', policy);
  };
}
