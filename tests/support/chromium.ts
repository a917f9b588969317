/**
 * Finds the system Chromium for browser tests. Tests never download a browser (this machine
 * cannot); they use CHROMIUM_PATH or Debian's /usr/bin/chromium and fail with a hint otherwise.
 */
import { existsSync } from 'node:fs';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Software WebGL (SwiftShader): slow but real, for the WebGL backend tests. */
export const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/**
 * Chromium's software WebGPU adapter (SwiftShader), for the WebGPU backend tests: behind this flag,
 * and only on secure-context pages (http://localhost and http://127.0.0.1 count).
 */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu'];

export function chromiumPath(): string {
  const path = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(path)) {
    throw new Error(
      `No Chromium at ${path}. Install it with \`apt-get update && apt-get install -y chromium\` ` +
        '(Debian) or set CHROMIUM_PATH to a Chromium binary. The tests never download a browser.',
    );
  }
  return path;
}
