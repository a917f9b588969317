/**
 * The Kubernetes manifests in k8s/: every file parses, every rendered object validates against
 * the Kubernetes schemas (kubernetes-models), and the policies of tests/support/k8s-policy.ts
 * hold for the base and every overlay as `kubectl kustomize` renders them.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import {
  ofKind,
  POLICIES,
  policyViolations,
  serverContainer,
  serverDeployment,
} from '../support/k8s-policy.js';
import {
  kubectlForTests,
  kustomizationDirs,
  readYamlDocuments,
  renderKustomization,
  type KubeObject,
} from '../support/kustomize.js';

const K8S = fileURLToPath(new URL('../../k8s', import.meta.url));
const DIRS = kustomizationDirs(K8S);
const KUBECTL = kubectlForTests();

/** The schema class for each apiVersion/kind the manifests may use; anything else is a failure. */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'v1/Namespace': core.Namespace,
  'v1/ServiceAccount': core.ServiceAccount,
  'v1/ConfigMap': core.ConfigMap,
  'v1/Secret': core.Secret,
  'v1/Service': core.Service,
  'apps/v1/Deployment': apps.Deployment,
  'batch/v1/Job': batch.Job,
  'networking.k8s.io/v1/Ingress': networking.Ingress,
  'networking.k8s.io/v1/NetworkPolicy': networking.NetworkPolicy,
  'autoscaling/v2/HorizontalPodAutoscaler': autoscaling.HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
};

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/** Objects that fail their kind's JSON schema, or whose kind this suite has no schema for. */
function schemaViolations(objects: KubeObject[]): string[] {
  return objects.flatMap((o) => {
    const Model = MODELS[`${o.apiVersion}/${o.kind}`];
    if (!Model) return [`${o.apiVersion}/${o.kind} has no schema here`];
    try {
      new Model(o as never).validate();
      return [];
    } catch (error) {
      return [`${o.kind}/${o.metadata.name}: ${(error as Error).message}`];
    }
  });
}

const rendered = KUBECTL
  ? DIRS.map((dir) => ({ name: relative(K8S, dir), objects: renderKustomization(KUBECTL, dir) }))
  : [];

describe.skipIf(!KUBECTL)('k8s manifests', () => {
  it('include the base and at least one overlay', () => {
    expect(DIRS.map((dir) => relative(K8S, dir))).toEqual(
      expect.arrayContaining(['base', 'overlays/example']),
    );
  });

  it.each(yamlFiles(K8S).map((file) => [relative(K8S, file), file]))(
    '%s parses as YAML',
    (_name, file) => {
      expect(readYamlDocuments(file).length).toBeGreaterThan(0);
    },
  );

  describe.each(rendered)('$name', ({ objects }) => {
    it('validates every object against the Kubernetes schema of its kind', () => {
      expect(schemaViolations(objects)).toEqual([]);
    });

    it('names every object once per kind', () => {
      const ids = objects.map((o) => `${o.kind}/${o.metadata.name}`);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it.each(Object.keys(POLICIES))('%s', (policyName) => {
      expect(POLICIES[policyName]!(objects)).toEqual([]);
    });

    it('puts every namespaced object in the fishlens namespace', () => {
      const namespaced = objects.filter((o) => o.kind !== 'Namespace');
      expect(namespaced.length).toBeGreaterThan(0);
      expect(namespaced.filter((o) => o.metadata.namespace !== 'fishlens')).toEqual([]);
    });
  });

  it('overlays set a real image registry and narrow the placeholder network ranges', () => {
    const base = rendered.find((r) => r.name === 'base')!.objects;
    expect(rendered.length).toBeGreaterThan(1);
    for (const overlay of rendered.filter((r) => r.name !== 'base')) {
      const image = (o: KubeObject[]) => serverContainer(o).image;
      expect(image(overlay.objects)).not.toBe(image(base));
      const cidrs = (o: KubeObject[]) =>
        JSON.stringify(o.filter((x) => x.kind === 'NetworkPolicy')).match(
          /\d+\.\d+\.\d+\.\d+\/\d+/g,
        );
      expect(cidrs(overlay.objects)).not.toEqual(cidrs(base));
    }
  });
});

describe.skipIf(!KUBECTL)('the manifest policies catch violations', () => {
  const base = rendered.find((r) => r.name === 'base')?.objects ?? [];
  const broken = (mutate: (objects: KubeObject[]) => void): string => {
    const copy = structuredClone(base);
    mutate(copy);
    return policyViolations(copy).join('\n');
  };
  const pod = (o: KubeObject[]) => serverDeployment(o).spec!.template.spec!;
  const sc = (o: KubeObject[]) => serverContainer(o).securityContext!;
  const service = (o: KubeObject[]) => ofKind(o, 'Service')[0]!.spec!;
  const serverPolicy = (o: KubeObject[]) =>
    ofKind(o, 'NetworkPolicy').find((p) => p.metadata?.name === 'fishlens-server')!.spec!;

  it('the schema check reports a port given as text and an unknown kind', () => {
    const copy = structuredClone(base);
    (serverContainer(copy).ports![0] as { containerPort: unknown }).containerPort = 'eighty';
    copy.push({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } });
    const found = schemaViolations(copy).join('\n');
    expect(found).toMatch(/containerPort must be integer/);
    expect(found).toMatch(/Widget has no schema/);
  });

  it.each<[string, (objects: KubeObject[]) => unknown, RegExp]>([
    [
      'an image tagged latest',
      (o) => (serverContainer(o).image = 'registry.example.com/fishlens/fishlens:latest'),
      /is not pinned/,
    ],
    [
      'an image without a tag',
      (o) => (serverContainer(o).image = 'registry.example.com:5000/fishlens'),
      /is not pinned/,
    ],
    [
      'a writable root file system',
      (o) => (sc(o).readOnlyRootFilesystem = false),
      /root file system is writable/,
    ],
    [
      'privilege escalation',
      (o) => delete sc(o).allowPrivilegeEscalation,
      /allows privilege escalation/,
    ],
    ['kept capabilities', (o) => (sc(o).capabilities = { drop: [] }), /does not drop ALL/],
    ['no emptyDir at /tmp', (o) => (serverContainer(o).volumeMounts = []), /no emptyDir at \/tmp/],
    [
      'no seccomp profile',
      (o) => delete pod(o).securityContext!.seccompProfile,
      /seccomp is not RuntimeDefault/,
    ],
    [
      'a mounted service-account token',
      (o) => delete pod(o).automountServiceAccountToken,
      /mounts the service-account token/,
    ],
    ['one replica', (o) => (serverDeployment(o).spec!.replicas = 1), /replicas 1/],
    [
      'no memory limit',
      (o) => delete serverContainer(o).resources!.limits!.memory,
      /no limits.memory/,
    ],
    [
      'readiness on the wrong path',
      (o) => (serverContainer(o).readinessProbe!.httpGet!.path = '/healthz'),
      /expected \/readyz/,
    ],
    ['no startup probe', (o) => delete serverContainer(o).startupProbe, /no HTTP startupProbe/],
    [
      'a Service targeting an undeclared port',
      (o) => (service(o).ports![0]!.targetPort = 'web'),
      /which no container declares/,
    ],
    [
      'a Service selecting other pods',
      (o) => (service(o).selector = { app: 'other' }),
      /selector does not match/,
    ],
    [
      'a committed Secret',
      (o) =>
        o.push({
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 's', namespace: 'fishlens' },
        }),
      /commits a Secret/,
    ],
    [
      'a token in plain text',
      (o) => serverContainer(o).env!.push({ name: 'ADMIN_TOKEN', value: 'x'.repeat(20) }),
      /in plain text/,
    ],
    [
      'egress to the whole internet',
      (o) =>
        serverPolicy(o).egress!.push({
          to: [{ ipBlock: { cidr: '0.0.0.0/0' } }],
          ports: [{ port: 443 }],
        }),
      /whole internet/,
    ],
    [
      'an extra egress port',
      (o) => serverPolicy(o).egress![1]!.ports!.push({ port: 6379, protocol: 'TCP' }),
      /egress ports/,
    ],
    [
      'ingress from any source',
      (o) => serverPolicy(o).ingress!.push({ ports: [{ port: 'http' }] }),
      /admits any source/,
    ],
    [
      'an HPA up to 20',
      (o) => (ofKind(o, 'HorizontalPodAutoscaler')[0]!.spec!.maxReplicas = 20),
      /maxReplicas 20/,
    ],
    [
      'a migration Job that does not migrate',
      (o) => (ofKind(o, 'Job')[0]!.spec!.template.spec!.containers[0]!.command = ['true']),
      /the Job runs "true"/,
    ],
    [
      'forwarded headers trusted from everyone',
      (o) => (ofKind(o, 'ConfigMap')[0]!.data!.TRUST_PROXY = 'true'),
      /TRUST_PROXY true/,
    ],
    [
      'no TRUST_PROXY behind the Ingress',
      (o) => delete ofKind(o, 'ConfigMap')[0]!.data!.TRUST_PROXY,
      /TRUST_PROXY is not set/,
    ],
    [
      'the HTTP port open to Prometheus too',
      (o) => serverPolicy(o).ingress![0]!.from!.push(serverPolicy(o).ingress![1]!.from![0]!),
      /HTTP port admits monitoring/,
    ],
    [
      'a scrape port that is not the metrics port',
      (o) =>
        (serverDeployment(o).spec!.template.metadata!.annotations!['prometheus.io/port'] = '8080'),
      /scrape port/,
    ],
  ])('reports %s', (_name, mutate, expected) => {
    expect(broken(mutate)).toMatch(expected);
  });
});
