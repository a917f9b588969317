import type { MiddlewareHandler } from 'hono';
import { httpProblem } from '../problem.js';

/** Variables the ingest middleware sets on the context. */
export interface IngestVariables {
  deviceId: string;
  /** The request body as text, read under the size limit. */
  bodyText: string;
}

/** application/json and application/…+json, with or without parameters. */
export const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads the whole body before any handler runs, refusing with 413 as soon as it is larger than
 * `maxBytes`: at once from `Content-Length`, else while counting a chunked stream (the stream is
 * cancelled, never buffered beyond the limit). Also insists on a JSON content type (415).
 */
export function limitedJsonBody(
  maxBytes: number,
  /** The media types taken: JSON and `…+json` unless a route takes others (CSP reports). */
  accept: RegExp = JSON_MEDIA_TYPE,
): MiddlewareHandler<{ Variables: IngestVariables }> {
  const tooLarge = () => httpProblem(413, `The request body is larger than ${maxBytes} bytes.`);
  return async (c, next) => {
    const type = c.req.header('Content-Type') ?? '';
    if (!accept.test(type)) {
      throw httpProblem(415, 'Send the body as application/json.');
    }
    const declared = c.req.header('Content-Length');
    if (declared !== undefined) {
      if (!/^\d+$/.test(declared.trim())) throw httpProblem(400, 'Content-Length is not a number.');
      if (Number(declared) > maxBytes) throw tooLarge();
    }
    const body = c.req.raw.body;
    if (!body) throw httpProblem(400, 'The request has no body.');
    const reader = (body as ReadableStream<Uint8Array>).getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.byteLength;
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw httpProblem(400, 'The body is not valid UTF-8.');
    }
    c.set('bodyText', text);
    await next();
  };
}

/** JSON.parse that answers 400 instead of throwing a SyntaxError. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw httpProblem(400, 'The body is not valid JSON.');
  }
}
