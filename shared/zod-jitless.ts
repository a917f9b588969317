/**
 * Imported first by the browser's entry points (the app and the service worker), before any
 * schema is made. zod probes `new Function` when it builds its first object schema, to compile
 * fast parsers; under the app's Content-Security-Policy (no 'unsafe-eval') the probe throws and
 * zod falls back, but the browser still reports a CSP violation each time. jitless skips the
 * probe; the parsers are as correct, and the app's payloads are small.
 */
import { z } from 'zod';

z.config({ jitless: true });
