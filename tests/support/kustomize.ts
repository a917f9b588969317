/**
 * A small kustomize renderer for the subset of kustomize that k8s/ uses: `resources` (files and
 * directories), `namespace`, `images` and inline JSON 6902 `patches` with a kind/name target.
 * It exists so the manifest checks run where `kubectl` is absent (CI images without it); where
 * kubectl is present the tests compare this renderer's output with `kubectl kustomize`. Any
 * kustomization field outside the subset is an error, never silently ignored.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

interface ImageRule {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

interface JsonPatchOp {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

interface PatchRule {
  target: { kind: string; name: string };
  patch: string;
}

const SUPPORTED = new Set(['apiVersion', 'kind', 'namespace', 'resources', 'images', 'patches']);
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'PersistentVolume',
  'StorageClass',
  'IngressClass',
  'PriorityClass',
]);

/** Every YAML document in a file, parsed; throws on the first YAML error. */
export function readYamlDocuments(file: string): unknown[] {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  return docs
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      return doc.toJS() as unknown;
    })
    .filter((doc) => doc !== null);
}

/** Renders the kustomization in `dir` with the built-in subset renderer. */
export function renderKustomization(dir: string): KubeObject[] {
  const [kustomization] = readYamlDocuments(join(dir, 'kustomization.yaml')) as Record<
    string,
    unknown
  >[];
  if (!kustomization) throw new Error(`${dir}/kustomization.yaml is empty`);
  for (const key of Object.keys(kustomization)) {
    if (!SUPPORTED.has(key))
      throw new Error(`${dir}: kustomization field "${key}" is outside the supported subset`);
  }
  let objects: KubeObject[] = [];
  for (const entry of (kustomization.resources as string[] | undefined) ?? []) {
    const path = resolve(dir, entry);
    objects.push(
      ...(statSync(path).isDirectory()
        ? renderKustomization(path)
        : (readYamlDocuments(path) as KubeObject[])),
    );
  }
  for (const rule of (kustomization.patches as PatchRule[] | undefined) ?? []) {
    const matches = objects.filter(
      (o) => o.kind === rule.target.kind && o.metadata.name === rule.target.name,
    );
    if (matches.length === 0)
      throw new Error(
        `${dir}: patch target ${rule.target.kind}/${rule.target.name} matches nothing`,
      );
    const ops = parseAllDocuments(rule.patch)[0]?.toJS() as JsonPatchOp[];
    objects = objects.map((o) => (matches.includes(o) ? applyJsonPatch(o, ops) : o));
  }
  const namespace = kustomization.namespace as string | undefined;
  if (namespace) {
    for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = namespace;
  }
  for (const rule of (kustomization.images as ImageRule[] | undefined) ?? []) {
    for (const container of podContainers(objects)) {
      container.image = rewriteImage(container.image, rule);
    }
  }
  return objects;
}

/** Renders with `kubectl kustomize`, or returns undefined when kubectl is not installed. */
export function renderWithKubectl(dir: string): KubeObject[] | undefined {
  let output: string;
  try {
    output = execFileSync('kubectl', ['kustomize', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  return parseAllDocuments(output).map((doc) => doc.toJS() as KubeObject);
}

/** True when a `kubectl` binary can be run. */
export function kubectlAvailable(): boolean {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The containers (and init containers) of every pod template among the objects. */
export function podContainers(
  objects: KubeObject[],
): { name: string; image: string; [field: string]: unknown }[] {
  return objects.flatMap((o) => {
    const spec = podSpec(o);
    if (!spec) return [];
    return [...((spec.containers as never[]) ?? []), ...((spec.initContainers as never[]) ?? [])];
  });
}

/** The pod spec of a workload (Deployment, Job, StatefulSet, …), or undefined for other kinds. */
export function podSpec(o: KubeObject): Record<string, unknown> | undefined {
  const spec = o.spec as { template?: { spec?: Record<string, unknown> } } | undefined;
  return spec?.template?.spec;
}

function rewriteImage(image: string, rule: ImageRule): string {
  const at = image.indexOf('@');
  const withoutDigest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? withoutDigest.slice(0, colon) : withoutDigest;
  if (name !== rule.name) return image;
  const newName = rule.newName ?? name;
  if (rule.digest) return `${newName}@${rule.digest}`;
  if (rule.newTag) return `${newName}:${rule.newTag}`;
  return newName + image.slice(name.length);
}

/** Applies add/replace/remove operations (RFC 6902) to a deep copy of the object. */
export function applyJsonPatch<T>(target: T, ops: JsonPatchOp[]): T {
  const copy = structuredClone(target) as unknown;
  for (const op of ops) {
    const keys = op.path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    if (last === undefined) throw new Error(`patch path "${op.path}" names no field`);
    let parent = copy as Record<string, unknown>;
    for (const key of keys) {
      const next = parent[key];
      if (typeof next !== 'object' || next === null)
        throw new Error(`patch path "${op.path}" does not exist`);
      parent = next as Record<string, unknown>;
    }
    if (op.op === 'replace' && !(last in parent))
      throw new Error(`cannot replace missing "${op.path}"`);
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op.op === 'remove') parent.splice(index, 1);
      else if (op.op === 'add') parent.splice(index, 0, op.value);
      else parent[index] = op.value;
    } else if (op.op === 'remove') {
      delete parent[last];
    } else {
      parent[last] = op.value;
    }
  }
  return copy as T;
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
