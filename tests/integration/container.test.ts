/**
 * Static checks of the Dockerfile (no engine runs here, so nothing builds it): the runtime stage
 * is pinned, non-root and production-only, and agrees with the Kubernetes Deployment.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { serverContainer } from '../support/k8s-policy.js';
import { renderKustomization } from '../support/kustomize.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const dockerfile = readFileSync(root('Dockerfile'), 'utf8');
const dockerignore = readFileSync(root('.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim());
/** Instructions of the last stage (the image that ships), continuation lines joined. */
const runtime = dockerfile
  .slice(dockerfile.lastIndexOf('\nFROM '))
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() && !line.trim().startsWith('#'));
const instruction = (name: string) => runtime.filter((line) => line.startsWith(`${name} `));

describe('Dockerfile', () => {
  it('builds from a pinned Node 20 slim image, not latest', () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
    expect(image).toMatch(/^node:20\.\d+\.\d+-\w+-slim$/);
    for (const from of dockerfile.match(/^FROM \S+/gm) ?? []) expect(from).not.toMatch(/:latest\b/);
  });

  it('has a build stage and a runtime stage that copies only from it', () => {
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    for (const copy of instruction('COPY')) expect(copy).toMatch(/^COPY --from=build /);
  });

  it('drops dev dependencies and builds the PWA before the runtime copies them', () => {
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
    expect(instruction('COPY').some((c) => c.includes('dist/client'))).toBe(true);
  });

  it('runs as a non-root numeric user, so runAsNonRoot can verify it', () => {
    const [user] = instruction('USER');
    expect(user).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
  });

  it('starts the server the way the Deployment does and exposes the same HTTP port', () => {
    const objects = renderKustomization(root('k8s/base'));
    const container = serverContainer(objects);
    const [cmd] = instruction('CMD');
    expect(JSON.parse(cmd!.slice('CMD '.length))).toEqual(container.command);
    const http = container.ports?.find((p) => p.name === 'http')?.containerPort;
    expect(instruction('EXPOSE')).toEqual([`EXPOSE ${http}`]);
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, local data, git history and env files out of the build context', () => {
    expect(dockerignore).toEqual(
      expect.arrayContaining(['node_modules', '.data', '.git', 'dist', '.env', '.env.*']),
    );
  });
});
