import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `vite build` writes the PWA (see vite.config.ts). */
export const CLIENT_DIR = fileURLToPath(new URL('../dist/client', import.meta.url));

/** Builds the PWA with Vite when no build exists yet, so `npm start` works on a fresh clone. */
export async function ensureClientBuild(log: { info(msg: string): void }): Promise<string> {
  if (existsSync(`${CLIENT_DIR}/index.html`)) return CLIENT_DIR;
  log.info('No build of the app found; building it once with Vite (about a minute)…');
  const { build } = await import('vite');
  await build({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    logLevel: 'warn',
  });
  if (!existsSync(`${CLIENT_DIR}/index.html`)) {
    throw new Error(`Vite finished but ${CLIENT_DIR}/index.html is missing`);
  }
  return CLIENT_DIR;
}
