/**
 * Reads a TF.js graph model.json (tensorflowjs_converter output for a SavedModel or frozen graph):
 * its input and output as TF.js itself picks them (the signature, which converters before 2.x
 * wrote into userDefinedMetadata, else the Placeholders and the nodes nothing consumes: the rule
 * of tfjs-converter's OperationMapper.transformGraph), the output's size, and whether the graph
 * ends in a softmax.
 */
import type { ModelDescription, ModelProblem, OutputKind } from './model-check';

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

interface TensorInfo {
  name?: string;
  dtype?: string;
  tensorShape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}

interface Signature {
  inputs?: Record<string, TensorInfo>;
  outputs?: Record<string, TensorInfo>;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

/** `name:1` → ['name', 1]; a control input `^name` → ['name', 0]. */
function tensorRef(ref: string): [string, number] {
  const match = /^\^?(.*?)(?::(\d+))?$/.exec(ref);
  return [match?.[1] ?? ref, Number(match?.[2] ?? 0)];
}

function shapeOf(shape: TensorInfo['tensorShape'] | undefined): (number | null)[] | null {
  if (!shape || shape.unknownRank || !Array.isArray(shape.dim)) return null;
  return shape.dim.map((d) => {
    const size = Number(d.size ?? -1);
    return size >= 0 ? size : null;
  });
}

/** Ops that pass their first input through unchanged as far as class scores are concerned. */
const PASS_THROUGH = new Set([
  'Identity',
  'IdentityN',
  'Snapshot',
  'StopGradient',
  'Reshape',
  'Squeeze',
  'EnsureShape',
  'Cast',
]);
/** Ops whose output is class scores before any softmax. */
const LOGIT_OPS = new Set([
  'MatMul',
  'BiasAdd',
  'Add',
  'AddV2',
  'Sub',
  'Conv2D',
  'Mean',
  'LogSoftmax',
  'BatchMatMul',
  'BatchMatMulV2',
  'Einsum',
]);

/** Follows the output back through pass-through ops to the op that made the scores. */
function scoringNode(nodes: Map<string, GraphNode>, start: string): GraphNode | undefined {
  let node = nodes.get(start);
  for (let hops = 0; node && PASS_THROUGH.has(node.op) && hops < 64; hops++) {
    const first = node.input?.find((i) => !i.startsWith('^'));
    node = first === undefined ? undefined : nodes.get(tensorRef(first)[0]);
  }
  return node;
}

function fusedActivation(node: GraphNode): string | undefined {
  const list = record(record(node.attr?.fused_ops).list).s;
  if (!Array.isArray(list)) return undefined;
  // The converter stores the fused op names base64-encoded (a proto `bytes` field).
  const names = list.map((s) => atob(String(s)));
  return names.find((n) => n !== 'BiasAdd' && n !== 'BiasAddV1');
}

function outputKind(node: GraphNode | undefined): OutputKind {
  if (!node) return 'unknown';
  if (node.op === 'Softmax' || node.op === 'Sigmoid') return 'probabilities';
  if (node.op === '_FusedMatMul' || node.op === '_FusedConv2D')
    return fusedActivation(node) === undefined ? 'logits' : 'unknown';
  return LOGIT_OPS.has(node.op) ? 'logits' : 'unknown';
}

/** The class count from the last matrix multiply's weights when the signature has no shape. */
function sizeFromWeights(
  nodes: Map<string, GraphNode>,
  node: GraphNode | undefined,
): number | null {
  for (let hops = 0; node && hops < 8; hops++) {
    if (node.op === 'MatMul' || node.op === '_FusedMatMul') {
      const weights = nodes.get(tensorRef(node.input?.[1] ?? '')[0]);
      const shape = shapeOf(
        record(record(weights?.attr?.value).tensor).tensorShape as TensorInfo['tensorShape'],
      );
      const transposed = record(node.attr?.transpose_b).b === true;
      const size = shape?.length === 2 ? shape[transposed ? 0 : 1] : null;
      return size ?? null;
    }
    const first = node.input?.find((i) => !i.startsWith('^'));
    node = first === undefined ? undefined : nodes.get(tensorRef(first)[0]);
  }
  return null;
}

/** The graph's ops and its one input and output, as TF.js would run it. */
export function describeGraphModel(json: Record<string, unknown>): ModelDescription {
  const topology = record(json.modelTopology);
  const list = (Array.isArray(topology.node) ? topology.node : []) as GraphNode[];
  const nodes = new Map(list.map((n) => [n.name, n]));
  const functions = record(topology.library).function;
  const functionOps = (Array.isArray(functions) ? functions : []).flatMap((f) => {
    const defs = record(f).nodeDef;
    return Array.isArray(defs) ? defs.map((d) => String(record(d).op)) : [];
  });
  const ops = [...new Set([...list.map((n) => n.op), ...functionOps])].sort();
  const signature = (json.signature ?? record(json.userDefinedMetadata).signature) as
    Signature | undefined;
  const problems: ModelProblem[] = [];

  const consumed = new Set(list.flatMap((n) => (n.input ?? []).map((i) => tensorRef(i)[0])));
  const inputs = signature?.inputs
    ? Object.values(signature.inputs).map((t) => ({
        node: tensorRef(t.name ?? '')[0],
        shape: shapeOf(t.tensorShape),
        dtype: t.dtype,
      }))
    : list
        .filter((n) => n.op.startsWith('Placeholder'))
        .map((n) => ({
          node: n.name,
          shape: shapeOf(record(n.attr?.shape).shape as TensorInfo['tensorShape']),
          dtype:
            typeof record(n.attr?.dtype).type === 'string'
              ? (record(n.attr?.dtype).type as string)
              : '',
        }));
  const outputs = signature?.outputs
    ? Object.values(signature.outputs).map((t) => ({
        tensor: tensorRef(t.name ?? ''),
        shape: shapeOf(t.tensorShape),
      }))
    : list
        .filter((n) => !consumed.has(n.name) && !['Const', 'NoOp'].includes(n.op))
        .filter((n) => !n.op.startsWith('Placeholder'))
        .map((n) => ({ tensor: [n.name, 0] as [string, number], shape: null }));

  if (inputs.length !== 1) {
    problems.push({
      kind: 'input',
      message: `The model takes ${inputs.length} inputs; the app gives it exactly one: the photo.`,
    });
  }
  if (outputs.length !== 1) {
    problems.push({
      kind: 'output',
      message: `The model gives ${outputs.length} outputs; the app reads exactly one: a score per label.`,
    });
  }
  const input = inputs[0];
  const output = outputs[0];
  const scorer = output ? scoringNode(nodes, output.tensor[0]) : undefined;
  const last = output?.shape?.at(-1);
  const outputSize = last ?? sizeFromWeights(nodes, scorer);
  if (output?.shape && output.shape.length !== 2) {
    problems.push({
      kind: 'output',
      message: `The model's output has shape [${output.shape.map((d) => d ?? '?').join(', ')}]; the app needs one score per label, [1, labels].`,
    });
  }
  return {
    inputShape: input?.shape ?? null,
    ...(input?.dtype ? { inputDtype: input.dtype } : {}),
    outputSize,
    output: outputKind(scorer),
    ops,
    ...(input ? { inputName: input.node } : {}),
    ...(output
      ? {
          outputName: output.tensor[1]
            ? `${output.tensor[0]}:${output.tensor[1]}`
            : output.tensor[0],
        }
      : {}),
    problems,
  };
}
