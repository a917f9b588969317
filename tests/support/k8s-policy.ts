/**
 * Policy checks for the rendered Fishlens manifests. Each check returns the violations it finds
 * (empty when the rendering complies), so tests can both assert a clean rendering and prove a
 * check fires on a deliberately broken copy.
 */
import type { IDeployment } from 'kubernetes-models/apps/v1';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import type { IJob } from 'kubernetes-models/batch/v1';
import type {
  IIngress,
  INetworkPolicy,
  INetworkPolicyPeer,
} from 'kubernetes-models/networking.k8s.io/v1';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import type {
  IConfigMap,
  IContainer,
  INamespace,
  IPodTemplateSpec,
  ISecret,
  IService,
} from 'kubernetes-models/v1';
import { parseTrustProxy } from '../../server/client-address.js';
import type { KubeObject } from './kustomize.js';

/** The kinds the manifests use, with their schema types. */
export interface Kinds {
  Namespace: INamespace;
  ConfigMap: IConfigMap;
  Secret: ISecret;
  Service: IService;
  Deployment: IDeployment;
  Job: IJob;
  Ingress: IIngress;
  NetworkPolicy: INetworkPolicy;
  HorizontalPodAutoscaler: IHorizontalPodAutoscaler;
  PodDisruptionBudget: IPodDisruptionBudget;
}

export type PolicyCheck = (objects: KubeObject[]) => string[];
type Labels = Record<string, string> | undefined;
type Workload = { id: string; template: IPodTemplateSpec; containers: IContainer[] };

const SECRET_NAMES = /TOKEN|SECRET|PASSWORD|DATABASE_URL|ACCESS_KEY/i;

/** The objects of one kind, typed by their schema. */
export function ofKind<K extends keyof Kinds>(objects: KubeObject[], kind: K): Kinds[K][] {
  return objects.filter((o) => o.kind === kind) as unknown as Kinds[K][];
}

/** The one server Deployment. */
export function serverDeployment(objects: KubeObject[]): IDeployment {
  const [deployment, ...more] = ofKind(objects, 'Deployment');
  if (!deployment || more.length > 0) throw new Error('expected exactly one Deployment');
  return deployment;
}

/** The server Deployment's first (application) container. */
export function serverContainer(objects: KubeObject[]): IContainer {
  const container = serverDeployment(objects).spec?.template.spec?.containers[0];
  if (!container) throw new Error('the Deployment has no container');
  return container;
}

function workloads(objects: KubeObject[]): Workload[] {
  return [...ofKind(objects, 'Deployment'), ...ofKind(objects, 'Job')].flatMap((w) => {
    const template = w.spec?.template;
    if (!template) return [];
    const containers = [
      ...(template.spec?.containers ?? []),
      ...(template.spec?.initContainers ?? []),
    ];
    return [{ id: `${w.kind}/${w.metadata?.name}`, template, containers }];
  });
}

function matches(selector: Labels, labels: Labels): boolean {
  return (
    !!selector &&
    Object.keys(selector).length > 0 &&
    Object.entries(selector).every(([k, v]) => labels?.[k] === v)
  );
}

const podLabels = (d: IDeployment): Labels => d.spec?.template.metadata?.labels;
const namespaceOf = (peer: INetworkPolicyPeer) =>
  peer.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];

function isPinned(image: string | undefined): boolean {
  if (!image) return false;
  if (image.includes('@sha256:')) return true;
  const tag = image.slice(image.lastIndexOf('/') + 1).split(':')[1];
  return !!tag && tag !== 'latest';
}

/** Every named check; the test suite runs each one against the base and every overlay. */
export const POLICIES: Record<string, PolicyCheck> = {
  'a Namespace is declared and every namespaced object lives in it': (objects) => {
    const [ns] = ofKind(objects, 'Namespace');
    if (!ns) return ['no Namespace'];
    return objects
      .filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== ns.metadata?.name)
      .map(
        (o) => `${o.kind}/${o.metadata.name} is in namespace ${o.metadata.namespace ?? '(none)'}`,
      );
  },

  'the Deployment runs at least 2 replicas and its selector matches its pod labels': (objects) => {
    const d = serverDeployment(objects);
    const out: string[] = [];
    if (!((d.spec?.replicas ?? 1) >= 2)) out.push(`replicas ${d.spec?.replicas ?? 1}`);
    if (!matches(d.spec?.selector.matchLabels, podLabels(d)))
      out.push('selector does not match pod labels');
    return out;
  },

  'every container has CPU and memory requests and limits': (objects) =>
    workloads(objects).flatMap((w) =>
      w.containers.flatMap((c) =>
        (['requests', 'limits'] as const).flatMap((kind) =>
          ['cpu', 'memory']
            .filter((resource) => c.resources?.[kind]?.[resource] === undefined)
            .map((resource) => `${w.id}/${c.name} has no ${kind}.${resource}`),
        ),
      ),
    ),

  'the server has a startup probe, readiness on /readyz and liveness on /healthz, on a declared port':
    (objects) => {
      const c = serverContainer(objects);
      const ports = new Set<string | number>(
        (c.ports ?? []).flatMap((p) => [p.containerPort, ...(p.name ? [p.name] : [])]),
      );
      const probes = [
        ['startupProbe', c.startupProbe, undefined],
        ['readinessProbe', c.readinessProbe, '/readyz'],
        ['livenessProbe', c.livenessProbe, '/healthz'],
      ] as const;
      return probes.flatMap(([name, probe, path]) => {
        const get = probe?.httpGet;
        if (!get) return [`no HTTP ${name}`];
        if (path && get.path !== path) return [`${name} checks ${get.path}, expected ${path}`];
        return ports.has(get.port) ? [] : [`${name} port ${get.port} is not a container port`];
      });
    },

  'pods run restricted: non-root, seccomp RuntimeDefault, no privilege escalation, ALL capabilities dropped, read-only root with an emptyDir /tmp':
    (objects) =>
      workloads(objects).flatMap((w) => {
        const pod = w.template.spec;
        const out: string[] = [];
        if (pod?.securityContext?.runAsNonRoot !== true)
          out.push(`${w.id} pod is not runAsNonRoot`);
        if (pod?.securityContext?.seccompProfile?.type !== 'RuntimeDefault')
          out.push(`${w.id} pod seccomp is not RuntimeDefault`);
        for (const c of w.containers) {
          const sc = c.securityContext ?? {};
          const where = `${w.id}/${c.name}`;
          if (sc.allowPrivilegeEscalation !== false)
            out.push(`${where} allows privilege escalation`);
          if (sc.readOnlyRootFilesystem !== true) out.push(`${where} root file system is writable`);
          if (!(sc.capabilities?.drop ?? []).includes('ALL'))
            out.push(`${where} does not drop ALL capabilities`);
          if ((sc.capabilities?.add ?? []).length > 0) out.push(`${where} adds capabilities`);
          if (sc.privileged === true || sc.runAsUser === 0)
            out.push(`${where} runs privileged or as root`);
          const tmp = (c.volumeMounts ?? []).find((m) => m.mountPath === '/tmp');
          const volume = tmp && (pod?.volumes ?? []).find((v) => v.name === tmp.name);
          if (!volume?.emptyDir) out.push(`${where} has no emptyDir at /tmp`);
        }
        return out;
      }),

  'no pod mounts a service-account token': (objects) =>
    workloads(objects)
      .filter((w) => w.template.spec?.automountServiceAccountToken !== false)
      .map((w) => `${w.id} mounts the service-account token`),

  'every image is pinned to a tag other than latest, or a digest': (objects) =>
    workloads(objects).flatMap((w) =>
      w.containers
        .filter((c) => !isPinned(c.image))
        .map((c) => `${w.id}/${c.name} image ${c.image} is not pinned`),
    ),

  'the Service selects the server pods and targets declared container ports': (objects) => {
    const d = serverDeployment(objects);
    const containerPorts = (d.spec?.template.spec?.containers ?? []).flatMap((c) => c.ports ?? []);
    return ofKind(objects, 'Service').flatMap((s) => {
      const id = `Service/${s.metadata?.name}`;
      const out: string[] = [];
      if (!matches(s.spec?.selector, podLabels(d)))
        out.push(`${id} selector does not match the Deployment's pods`);
      for (const p of s.spec?.ports ?? []) {
        const target = p.targetPort ?? p.port;
        if (!containerPorts.some((cp) => cp.name === target || cp.containerPort === target)) {
          out.push(`${id} port ${p.name} targets ${target}, which no container declares`);
        }
      }
      return out;
    });
  },

  'the Ingress routes to a declared Service port': (objects) => {
    const services = ofKind(objects, 'Service');
    const ingresses = ofKind(objects, 'Ingress');
    if (ingresses.length === 0) return ['no Ingress'];
    return ingresses.flatMap((ing) =>
      (ing.spec?.rules ?? [])
        .flatMap((r) => r.http?.paths ?? [])
        .flatMap((p) => {
          const backend = p.backend.service;
          const service = services.find((s) => s.metadata?.name === backend?.name);
          const ok = service?.spec?.ports?.some(
            (sp) => sp.name === backend?.port?.name || sp.port === backend?.port?.number,
          );
          return ok
            ? []
            : [`Ingress/${ing.metadata?.name} routes to ${backend?.name}, which has no such port`];
        }),
    );
  },

  'the HPA scales the Deployment between 2 and 10 replicas': (objects) => {
    const d = serverDeployment(objects);
    const [hpa] = ofKind(objects, 'HorizontalPodAutoscaler');
    if (!hpa?.spec) return ['no HorizontalPodAutoscaler'];
    const { scaleTargetRef, minReplicas = 1, maxReplicas } = hpa.spec;
    const out: string[] = [];
    if (scaleTargetRef.kind !== 'Deployment' || scaleTargetRef.name !== d.metadata?.name)
      out.push('HPA targets another object');
    if (minReplicas < 2) out.push(`minReplicas ${minReplicas}`);
    if (maxReplicas !== 10) out.push(`maxReplicas ${maxReplicas}`);
    if (minReplicas > maxReplicas) out.push('minReplicas above maxReplicas');
    return out;
  },

  'a PodDisruptionBudget keeps server pods available': (objects) => {
    const d = serverDeployment(objects);
    const [pdb] = ofKind(objects, 'PodDisruptionBudget');
    if (!pdb?.spec) return ['no PodDisruptionBudget'];
    const out: string[] = [];
    if (!matches(pdb.spec.selector?.matchLabels, podLabels(d)))
      out.push('PDB selector does not match the server pods');
    const { minAvailable, maxUnavailable } = pdb.spec;
    if (minAvailable === undefined && maxUnavailable === undefined) out.push('PDB sets no budget');
    if (typeof minAvailable === 'number' && minAvailable >= (d.spec?.replicas ?? 1))
      out.push('PDB blocks every voluntary eviction');
    return out;
  },

  'configuration comes from a ConfigMap and credentials only from Secret references': (objects) => {
    const out = ofKind(objects, 'Secret').map(
      (s) => `Secret/${s.metadata?.name}: commits a Secret`,
    );
    const configMaps = ofKind(objects, 'ConfigMap');
    for (const cm of configMaps) {
      for (const key of Object.keys(cm.data ?? {}))
        if (SECRET_NAMES.test(key)) out.push(`ConfigMap/${cm.metadata?.name} holds ${key}`);
    }
    const names = new Set(configMaps.map((cm) => cm.metadata?.name));
    for (const w of workloads(objects)) {
      for (const c of w.containers) {
        const where = `${w.id}/${c.name}`;
        for (const e of c.env ?? [])
          if (SECRET_NAMES.test(e.name) && e.value !== undefined)
            out.push(`${where} sets ${e.name} in plain text`);
        const refs = c.envFrom ?? [];
        for (const r of refs)
          if (r.configMapRef && !names.has(r.configMapRef.name))
            out.push(`${where} reads missing ConfigMap ${r.configMapRef.name}`);
        if (!refs.some((r) => r.configMapRef)) out.push(`${where} reads no ConfigMap`);
        if (!refs.some((r) => r.secretRef)) out.push(`${where} reads no Secret`);
      }
    }
    return out;
  },

  'a migration Job runs `npm run migrate` with the server image': (objects) => {
    const image = serverContainer(objects).image;
    const [job] = ofKind(objects, 'Job');
    const pod = job?.spec?.template.spec;
    const c = pod?.containers[0];
    if (!pod || !c) return ['no migration Job'];
    const out: string[] = [];
    const command = [...(c.command ?? []), ...(c.args ?? [])].join(' ');
    if (command !== 'npm run migrate') out.push(`the Job runs "${command}"`);
    if (c.image !== image)
      out.push(`the Job image ${c.image} differs from the server image ${image}`);
    if (!['Never', 'OnFailure'].includes(pod.restartPolicy ?? 'Always'))
      out.push(`the Job restartPolicy is ${pod.restartPolicy}`);
    return out;
  },

  'Prometheus scrapes the metrics port declared by the container and configured in the app': (
    objects,
  ) => {
    const annotations = serverDeployment(objects).spec?.template.metadata?.annotations ?? {};
    const metricsPort = serverContainer(objects).ports?.find(
      (p) => p.name === 'metrics',
    )?.containerPort;
    const configured = ofKind(objects, 'ConfigMap')
      .map((cm) => cm.data?.METRICS_PORT)
      .find(Boolean);
    const out: string[] = [];
    if (annotations['prometheus.io/scrape'] !== 'true')
      out.push('pods are not annotated for scraping');
    if (annotations['prometheus.io/path'] !== '/metrics')
      out.push(`scrape path ${annotations['prometheus.io/path']}`);
    if (metricsPort === undefined || annotations['prometheus.io/port'] !== String(metricsPort)) {
      out.push(
        `scrape port ${annotations['prometheus.io/port']} is not the container's metrics port ${metricsPort}`,
      );
    }
    if (configured !== String(metricsPort))
      out.push(`METRICS_PORT ${configured} differs from the metrics container port ${metricsPort}`);
    return out;
  },

  'per-address limits see the client behind the Ingress, and only the Ingress can claim one': (
    objects,
  ) => {
    const configured = ofKind(objects, 'ConfigMap')
      .map((cm) => cm.data?.TRUST_PROXY)
      .find((v) => v !== undefined);
    const out: string[] = [];
    try {
      if (!parseTrustProxy(configured))
        out.push('TRUST_PROXY is not set: every client would share the Ingress’s address');
    } catch (error) {
      out.push(`TRUST_PROXY ${configured}: ${(error as Error).message}`);
    }
    // With forwarded headers trusted, anyone else who reaches the HTTP port could forge them.
    const server = ofKind(objects, 'NetworkPolicy').find((p) =>
      matches(p.spec?.podSelector?.matchLabels, podLabels(serverDeployment(objects))),
    );
    for (const rule of server?.spec?.ingress ?? []) {
      const http = (rule.ports ?? []).some((p) => p.port === 'http' || p.port === 8080);
      const others = (rule.from ?? []).filter((peer) => namespaceOf(peer) !== 'ingress-nginx');
      if (http && others.length > 0)
        out.push(`the HTTP port admits ${others.map(namespaceOf).join(', ')} besides the Ingress`);
    }
    return out;
  },

  'network policy: default deny; in from the ingress controller and Prometheus; out to DNS, PostgreSQL, S3 and MLflow only':
    (objects) => {
      const policies = ofKind(objects, 'NetworkPolicy');
      const out: string[] = [];
      const deny = policies.find(
        (p) =>
          Object.keys(p.spec?.podSelector ?? {}).length === 0 &&
          !p.spec?.ingress &&
          !p.spec?.egress,
      );
      if (
        !deny ||
        !(['Ingress', 'Egress'] as const).every((t) => deny.spec?.policyTypes?.includes(t))
      )
        out.push('no default-deny policy for ingress and egress');
      const server = policies.find((p) =>
        matches(p.spec?.podSelector?.matchLabels, podLabels(serverDeployment(objects))),
      );
      if (!server?.spec) return [...out, 'no policy selects the server pods'];

      const ingress = server.spec.ingress ?? [];
      const sources = ingress.flatMap((r) => (r.from ?? []).map(namespaceOf));
      if (!sources.includes('ingress-nginx'))
        out.push('the ingress controller cannot reach the server');
      for (const rule of ingress) {
        if (!rule.from?.length || !rule.ports?.length)
          out.push('an ingress rule admits any source or any port');
        for (const peer of rule.from ?? []) {
          if (!namespaceOf(peer) || !peer.podSelector?.matchLabels)
            out.push('an ingress peer is not one namespace and pod label set');
          if (!['ingress-nginx', 'monitoring'].includes(namespaceOf(peer) ?? ''))
            out.push(`ingress from namespace ${namespaceOf(peer)}`);
        }
      }

      const egressPorts = new Set<string>();
      for (const rule of server.spec.egress ?? []) {
        if (!rule.to?.length || !rule.ports?.length)
          out.push('an egress rule allows any destination or any port');
        for (const peer of rule.to ?? []) {
          if (peer.ipBlock?.cidr === '0.0.0.0/0' || peer.ipBlock?.cidr === '::/0')
            out.push('an egress rule allows the whole internet');
        }
        for (const p of rule.ports ?? []) egressPorts.add(`${p.port}/${p.protocol ?? 'TCP'}`);
      }
      const expected = ['443/TCP', '5000/TCP', '53/TCP', '53/UDP', '5432/TCP'];
      const actual = [...egressPorts].sort();
      if (actual.join() !== expected.join())
        out.push(`egress ports ${actual.join(', ')}; expected ${expected.join(', ')}`);
      return out;
    },
};

/** All violations of all policies, each prefixed with the policy that found it. */
export function policyViolations(objects: KubeObject[]): string[] {
  return Object.entries(POLICIES).flatMap(([name, check]) =>
    check(objects).map((v) => `${name}: ${v}`),
  );
}
