/**
 * Renders the kustomizations in k8s/ with the real kustomize, the one built into kubectl
 * (`kubectl kustomize`), and reads YAML. Tests never carry a renderer of their own: what they
 * check is what `kubectl apply -k` would send. `.ci/install-kubectl` installs kubectl.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** One Kubernetes object as plain JSON. */
export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
};

export const KUBECTL_INSTALL_HINT =
  'kubectl is needed to render k8s/ (`kubectl kustomize`). Install it with ' +
  '`bash .ci/install-kubectl` (as root; or `bash .ci/install-kubectl ~/.local/bin` and put that ' +
  'folder on PATH), or set KUBECTL to a kubectl binary.';

/** The kubectl to run: KUBECTL, else the first `kubectl` on PATH; undefined when there is none. */
export function findKubectl(): string | undefined {
  if (process.env.KUBECTL) return existsSync(process.env.KUBECTL) ? process.env.KUBECTL : undefined;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (dir && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Every YAML document in a text, parsed; throws on the first YAML error. */
export function parseYamlDocuments(text: string, source: string): unknown[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors[0]!.message}`);
      return doc.toJS() as unknown;
    })
    .filter((doc) => doc !== null);
}

/** Every YAML document in a file, parsed; throws on the first YAML error. */
export function readYamlDocuments(file: string): unknown[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file);
}

/** The objects `kubectl kustomize <dir>` renders; kustomize's own error when it cannot. */
export function renderKustomization(kubectl: string, dir: string): KubeObject[] {
  let output: string;
  try {
    output = execFileSync(kubectl, ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`kubectl kustomize ${dir} failed: ${stderr || (error as Error).message}`, {
      cause: error,
    });
  }
  return parseYamlDocuments(output, `kubectl kustomize ${dir}`) as KubeObject[];
}

/** The kustomization folders under k8s/: the base and every overlay. */
export function kustomizationDirs(k8sRoot: string): string[] {
  const overlays = join(k8sRoot, 'overlays');
  const dirs = [join(k8sRoot, 'base')];
  if (existsSync(overlays))
    dirs.push(
      ...readdirSync(overlays)
        .sort()
        .map((entry) => join(overlays, entry)),
    );
  return dirs.filter((dir) =>
    statSync(join(dir, 'kustomization.yaml'), { throwIfNoEntry: false })?.isFile(),
  );
}

/**
 * kubectl for a test file. In CI a missing kubectl throws with the install hint, so the run
 * fails; elsewhere the hint is printed loudly and the caller skips its manifest checks.
 */
export function kubectlForTests(): string | undefined {
  const kubectl = findKubectl();
  if (kubectl) return kubectl;
  if (process.env.CI) throw new Error(KUBECTL_INSTALL_HINT);
  console.warn(`\n*** SKIPPED: the Kubernetes manifest checks. ${KUBECTL_INSTALL_HINT}\n`);
  return undefined;
}
