/** A real pino logger that keeps every JSON line it writes, for tests that assert on logs. */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export function capturingLogger(level = 'info'): { log: Logger; text: () => string } {
  const lines: string[] = [];
  const log = pino(
    { level },
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  return { log, text: () => lines.join('') };
}
