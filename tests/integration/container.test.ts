/**
 * The Dockerfile, read through a Dockerfile parser (dockerfile-ast, the one behind the VS Code
 * Docker language server) and linted with dockerfile-utils: no engine runs here, so nothing
 * builds the image, but what it would be is checked: a supported Node LTS that the code runs
 * on, non-root, production files only, and the same command, ports, user and data folder as the
 * Kubernetes Deployment.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  DockerfileParser,
  type Cmd,
  type Copy,
  type Dockerfile,
  type Healthcheck,
  type Instruction,
} from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import releaseSchedule from 'node-releases/data/release-schedule/release-schedule.json' with { type: 'json' };
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { serverContainer, serverDeployment } from '../support/k8s-policy.js';
import { kubectlForTests, renderKustomization } from '../support/kustomize.js';

const root = (path: string) => fileURLToPath(new URL(`../../${path}`, import.meta.url));
const text = readFileSync(root('Dockerfile'), 'utf8');
const dockerfile: Dockerfile = DockerfileParser.parse(text);
const pkg = JSON.parse(readFileSync(root('package.json'), 'utf8')) as { engines: { node: string } };
const dockerignore = readFileSync(root('.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim());

/** The build stages, each as its instructions from its FROM to the next. */
function stages(file: Dockerfile): Instruction[][] {
  const result: Instruction[][] = [];
  for (const instruction of file.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') result.push([]);
    result.at(-1)?.push(instruction);
  }
  return result;
}

const [build, runtime] = stages(dockerfile) as [Instruction[], Instruction[]];
const inRuntime = <T extends Instruction>(keyword: string) =>
  runtime.filter((i) => i.getKeyword() === keyword) as T[];
/** Every ENV of a stage as name → value. */
const envOf = (stage: Instruction[]) =>
  Object.fromEntries(
    stage
      .filter((i) => i.getKeyword() === 'ENV')
      .flatMap((i) =>
        (
          i as unknown as { getProperties(): { getName(): string; getValue(): string | null }[] }
        ).getProperties(),
      )
      .map((p) => [p.getName(), p.getValue()]),
  );
/** The RUN commands of a stage, continuation lines joined, as the shell sees them. */
const runsOf = (stage: Instruction[]) =>
  stage.filter((i) => i.getKeyword() === 'RUN').map((i) => i.getArgumentsContent() ?? '');
/** An exec-form CMD's argv (CMD ["node", …]); empty for the shell form. */
const execForm = (cmd: Cmd | undefined) => cmd?.getJSONStrings().map((s) => s.getJSONValue());

/** The base image both stages use: the default of `ARG NODE_IMAGE`, which FROM names. */
function baseImage(): string {
  const froms = dockerfile.getFROMs();
  expect(froms.map((f) => f.getImage())).toEqual(['${NODE_IMAGE}', '${NODE_IMAGE}']);
  const arg = dockerfile
    .getInitialARGs()
    .find((a) => a.getProperty()?.getName() === 'NODE_IMAGE')
    ?.getProperty()
    ?.getValue();
  expect(arg).toBeTruthy();
  return arg!;
}

const KUBECTL = kubectlForTests();
const k8sBase = KUBECTL ? renderKustomization(KUBECTL, root('k8s/base')) : [];

describe('Dockerfile', () => {
  it('passes the Dockerfile linter without a problem', () => {
    const problems = validate(text).map((d) => ({
      line: d.range.start.line + 1,
      message: d.message,
    }));
    expect(problems).toEqual([]);
  });

  it('builds on an official, pinned Node slim image of an LTS line that is supported today', () => {
    const image = baseImage();
    const match = /^node:(\d+\.\d+\.\d+)-(bookworm|trixie)-slim$/.exec(image);
    expect(match, `${image} is not node:<x.y.z>-<debian>-slim`).not.toBeNull();
    const version = match![1]!;
    const line = (releaseSchedule as Record<string, { lts?: string; end: string }>)[
      `v${semver.major(version)}`
    ];
    const today = new Date().toISOString().slice(0, 10);
    expect(line?.lts, `Node ${version} is not an LTS line`).toBeDefined();
    expect(line!.lts! <= today && today < line!.end, `Node ${version} is not supported today`).toBe(
      true,
    );
    // The code must run on what the image ships.
    expect(semver.satisfies(version, pkg.engines.node)).toBe(true);
  });

  it('has a build stage and a runtime stage that copies only from it, as root-owned files', () => {
    expect(build[0]!.getArgumentsContent()).toMatch(/ AS build$/);
    const copies = inRuntime<Copy>('COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      const flags = Object.fromEntries(copy.getFlags().map((f) => [f.getName(), f.getValue()]));
      expect(flags).toEqual({ from: 'build', chown: 'root:root' });
    }
  });

  it('ships production files only: the built PWA, server sources and production dependencies', () => {
    const sources = inRuntime<Copy>('COPY').flatMap((c) =>
      c
        .getArguments()
        .slice(0, -1)
        .map((a) => a.getValue().replace(/^\/app\//, '')),
    );
    expect(sources.sort()).toEqual(
      [
        'dist/client',
        'models/demo',
        'node_modules',
        'package-lock.json',
        'package.json',
        'public',
        'server',
        'shared',
        'tsconfig.base.json',
        'tsconfig.json',
      ].sort(),
    );
    const runs = runsOf(build).join('\n');
    // The PWA is built, then dev dependencies go before node_modules is copied.
    expect(runs.indexOf('npm run build')).toBeGreaterThanOrEqual(0);
    expect(runs.indexOf('npm prune --omit=dev')).toBeGreaterThan(runs.indexOf('npm run build'));
    expect(envOf(runtime).NODE_ENV).toBe('production');
  });

  it('runs as a numeric non-root user, the one the Deployment asks for', () => {
    const users = inRuntime('USER').map((u) => u.getArgumentsContent());
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0]!.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    if (KUBECTL) {
      const pod = serverDeployment(k8sBase).spec!.template.spec!.securityContext!;
      expect([uid, gid]).toEqual([pod.runAsUser, pod.runAsGroup]);
    }
  });

  it('keeps its data in a volume at DATA_DIR, where the Deployment mounts a writable volume', () => {
    const dataDir = envOf(runtime).DATA_DIR;
    expect(dataDir).toMatch(/^\//);
    const volumes = inRuntime('VOLUME').map(
      (v) => JSON.parse(v.getArgumentsContent()!) as string[],
    );
    expect(volumes.flat()).toEqual([dataDir]);
    if (KUBECTL) {
      const mounts = serverContainer(k8sBase).volumeMounts!.map((m) => m.mountPath);
      expect(mounts).toContain(dataDir);
    }
  });

  it.skipIf(!KUBECTL)(
    'starts the server the way the Deployment does, with HTTP and metrics on the Deployment’s two ports',
    () => {
      const container = serverContainer(k8sBase);
      expect(execForm(inRuntime<Cmd>('CMD')[0])).toEqual(container.command);
      const port = (name: string) => container.ports!.find((p) => p.name === name)!.containerPort;
      const env = envOf(runtime);
      expect(env.PORT).toBe(String(port('http')));
      // /metrics never shares the public port.
      expect(env.METRICS_PORT).toBe(String(port('metrics')));
      expect(env.METRICS_PORT).not.toBe(env.PORT);
      const exposed = inRuntime('EXPOSE').flatMap((e) =>
        e.getArguments().map((a) => Number(a.getValue())),
      );
      expect(exposed.sort()).toEqual([port('http'), port('metrics')].sort());
    },
  );

  it('has a health check that passes while /readyz answers 200 and fails on 503 or no answer', async () => {
    const [healthcheck] = inRuntime<Healthcheck>('HEALTHCHECK');
    expect(healthcheck?.getSubcommand()?.getValue()).toBe('CMD');
    // The exec form after the subcommand: CMD ["node", "-e", "…"].
    const argv = JSON.parse(
      healthcheck!
        .getArguments()
        .slice(1)
        .map((a) => a.getValue())
        .join(' '),
    ) as string[];
    expect(argv[0]).toBe('node');
    const exitCode = (port: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, argv.slice(1), {
          env: { ...process.env, PORT: String(port) },
          stdio: 'ignore',
        });
        child.on('exit', (code) => resolve(code));
      });
    let status = 200;
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/readyz' ? status : 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      expect(await exitCode(port)).toBe(0);
      status = 503;
      expect(await exitCode(port)).toBe(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    expect(await exitCode(port)).toBe(1); // nothing listens any more
  });
});

describe('.dockerignore', () => {
  it('keeps dependencies, local data, git history and env files out of the build context', () => {
    expect(dockerignore).toEqual(
      expect.arrayContaining(['node_modules', '.data', '.git', 'dist', '.env', '.env.*']),
    );
  });
});
