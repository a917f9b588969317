import { describe, expect, it } from 'vitest';
import liveness from '../tests/fixtures/models/human-liveness/model.json';
import nsfwLayers from '../tests/fixtures/models/nsfwjs-mobilenet-v2/model.json';
import nsfwGraph from '../tests/fixtures/models/nsfwjs-mobilenet-v2-mid/model.json';
import { checkModel } from './model-check';

/** A deep copy to edit without touching the imported fixture. */
const copy = <T>(value: T): T => structuredClone(value);

type Node = { name: string; op: string; input?: string[]; attr?: Record<string, unknown> };

/** A small functional Keras 2 topology: input → Dense(units, activation). */
function functional(units: number, activation: string, inputShape = [null, 96, 96, 3]) {
  return {
    format: 'layers-model',
    modelTopology: {
      class_name: 'Model',
      config: {
        name: 'm',
        layers: [
          {
            name: 'in',
            class_name: 'InputLayer',
            config: { batch_input_shape: inputShape, dtype: 'float32', name: 'in' },
            inbound_nodes: [],
          },
          {
            name: 'gap',
            class_name: 'GlobalAveragePooling2D',
            config: { name: 'gap' },
            inbound_nodes: [[['in', 0, 0, {}]]],
          },
          {
            name: 'out',
            class_name: 'Dense',
            config: { name: 'out', units, activation },
            inbound_nodes: [[['gap', 0, 0, {}]]],
          },
        ],
        input_layers: [['in', 0, 0]],
        output_layers: [['out', 0, 0]],
      },
    },
    weightsManifest: [{ paths: ['w.bin'], weights: [] }],
  };
}

describe('checkModel on real tensorflowjs_converter output', () => {
  it('reads an old Keras 2.2.4 layers export wrapped in {keras_version, model_config}', () => {
    expect(checkModel(nsfwLayers, { labelCount: 5 })).toMatchObject({
      format: 'layers-model',
      inputShape: [null, 224, 224, 3],
      outputSize: 5,
      output: 'probabilities',
      problems: [],
    });
    expect(checkModel(nsfwLayers).ops).toContain('ZeroPadding2D');
  });

  it('reads a converter 1.x graph model whose signature sits in userDefinedMetadata', () => {
    const check = checkModel(nsfwGraph, { labelCount: 5 });
    expect(check).toMatchObject({
      format: 'graph-model',
      inputShape: [null, 224, 224, 3],
      outputSize: 5,
      output: 'probabilities',
      inputName: 'input',
      outputName: 'Identity',
      problems: [],
    });
    expect(check.ops).toEqual(expect.arrayContaining(['FusedDepthwiseConv2dNative', 'Softmax']));
  });

  it('reads a graph model with a top-level signature and fused ops', () => {
    expect(checkModel(liveness, { labelCount: 2 })).toMatchObject({
      format: 'graph-model',
      inputShape: [null, 32, 32, 3],
      outputSize: 2,
      output: 'probabilities',
      inputName: 'conv2d_1_input',
      problems: [],
    });
  });
});

describe('checkModel says why a model cannot run', () => {
  it('more or fewer labels than scores, with a hint for a background class', () => {
    const [problem] = checkModel(liveness, { labelCount: 1 }).problems;
    expect(problem).toMatchObject({ kind: 'labels' });
    expect(problem?.message).toMatch(/gives 2 scores per photo but there are 1 labels/);
    expect(problem?.message).toMatch(/background/);
  });

  it('names the ops the app cannot run', () => {
    const graph = copy(liveness) as { modelTopology: { node: Node[] } };
    graph.modelTopology.node.find((n) => n.op === 'MaxPool')!.op = 'CustomPoolOp';
    graph.modelTopology.node.push({ name: 'x', op: 'SimpleMLInferenceOpWithHandle', input: [] });
    const problem = checkModel(graph).problems.find((p) => p.kind === 'ops');
    expect(problem?.names).toEqual(['CustomPoolOp', 'SimpleMLInferenceOpWithHandle']);
    expect(problem?.message).toBe(
      'The model uses operations the app cannot run: CustomPoolOp, SimpleMLInferenceOpWithHandle.',
    );
  });

  it('names ops full TF.js has but the worker bundle lacks, and activations TF.js cannot build', () => {
    const graph = copy(liveness) as { modelTopology: { node: Node[] } };
    graph.modelTopology.node.find((n) => n.op === 'MaxPool')!.op = 'TopKV2';
    expect(checkModel(graph).problems.find((p) => p.kind === 'ops')?.names).toEqual(['TopKV2']);
    const model = functional(3, 'hard_sigmoid');
    expect(checkModel(model).problems).toEqual([
      expect.objectContaining({
        kind: 'ops',
        names: ['activation hard_sigmoid'],
        message:
          'The model uses layers and activations the app cannot run: activation hard_sigmoid.',
      }),
    ]);
  });

  it('names layer types TF.js cannot build (a TF-Hub KerasLayer, a Lambda)', () => {
    const model = functional(3, 'softmax');
    model.modelTopology.config.layers[1]!.class_name = 'KerasLayer';
    expect(checkModel(model).problems).toEqual([
      expect.objectContaining({ kind: 'ops', names: ['KerasLayer'] }),
    ]);
  });

  it('grayscale, integer or multi-input models are refused: the app gives one RGB float photo', () => {
    expect(checkModel(functional(3, 'softmax', [null, 64, 64, 1])).problems[0]?.message).toMatch(
      /takes 1 colour channels.*RGB/,
    );
    const int = copy(liveness) as { signature: { inputs: Record<string, { dtype: string }> } };
    Object.values(int.signature.inputs)[0]!.dtype = 'DT_INT32';
    expect(checkModel(int).problems[0]?.message).toMatch(/takes int32 input/);
    const two = copy(liveness) as { signature: { inputs: Record<string, unknown> } };
    two.signature.inputs.second = Object.values(two.signature.inputs)[0];
    expect(checkModel(two).problems[0]?.message).toMatch(/takes 2 inputs/);
  });

  it('a graph with several outputs is refused: one score per label is needed', () => {
    const multi = copy(liveness) as { signature: { outputs: Record<string, unknown> } };
    multi.signature.outputs.extra = { name: 'Identity:1', tensorShape: { dim: [{ size: '-1' }] } };
    expect(checkModel(multi).problems.map((p) => p.kind)).toContain('output');
  });

  it('something that is not TF.js converter output says what it is', () => {
    expect(checkModel({ class_name: 'Functional', config: {} }).problems[0]?.message).toMatch(
      /Keras model configuration, not a TF.js export/,
    );
    expect(checkModel('model').problems[0]?.message).toMatch(/not a JSON object/);
    expect(checkModel({ weightsManifest: [] }).problems[0]?.message).toMatch(/no modelTopology/);
    const noWeights = functional(3, 'softmax') as Partial<ReturnType<typeof functional>>;
    delete noWeights.weightsManifest;
    expect(checkModel(noWeights).problems[0]?.message).toMatch(/lists no weight files/);
  });

  it('a Keras 3 layers model is refused with the way to convert it instead', () => {
    const model = functional(3, 'softmax') as { modelTopology: { config: { layers: unknown[] } } };
    (model.modelTopology.config.layers[1] as { inbound_nodes: unknown }).inbound_nodes = [
      { args: [{ class_name: '__keras_tensor__', config: { keras_history: ['in', 0, 0] } }] },
    ];
    expect(checkModel(model).problems[0]?.message).toMatch(/Keras 3.*tf_saved_model/);
  });
});

describe('checkModel tells logits from probabilities by the graph, not by values', () => {
  it('layers: a softmax or sigmoid Dense gives probabilities, a linear one logits', () => {
    expect(checkModel(functional(4, 'softmax')).output).toBe('probabilities');
    expect(checkModel(functional(4, 'sigmoid')).output).toBe('probabilities');
    expect(checkModel(functional(4, 'linear')).output).toBe('logits');
    expect(checkModel(functional(4, 'linear')).outputSize).toBe(4);
  });

  it('layers: a separate Activation/Softmax layer after the Dense decides', () => {
    const model = functional(4, 'linear');
    model.modelTopology.config.layers.push({
      name: 'act',
      class_name: 'Activation',
      config: { name: 'act', activation: 'softmax' } as never,
      inbound_nodes: [[['out', 0, 0, {}]]],
    });
    model.modelTopology.config.output_layers = [['act', 0, 0]];
    expect(checkModel(model)).toMatchObject({ output: 'probabilities', outputSize: 4 });
  });

  it('graph: removing the final Softmax makes the same graph a logits model', () => {
    const graph = copy(liveness) as { modelTopology: { node: Node[] } };
    const identity = graph.modelTopology.node.find((n) => n.name === 'Identity')!;
    const softmax = graph.modelTopology.node.find((n) => n.op === 'Softmax')!;
    identity.input = [...softmax.input!];
    graph.modelTopology.node = graph.modelTopology.node.filter((n) => n !== softmax);
    expect(checkModel(graph, { labelCount: 2 })).toMatchObject({
      output: 'logits',
      outputSize: 2,
      problems: [],
    });
  });

  it('a Teachable Machine style Sequential of Sequentials (old list config too)', () => {
    const inner = {
      class_name: 'Sequential',
      config: [
        {
          class_name: 'Conv2D',
          config: { name: 'c', batch_input_shape: [null, 224, 224, 3], filters: 8 },
        },
        { class_name: 'GlobalAveragePooling2D', config: { name: 'g' } },
      ],
    };
    const head = {
      class_name: 'Sequential',
      config: {
        name: 'head',
        layers: [{ class_name: 'Dense', config: { name: 'd', units: 3, activation: 'softmax' } }],
      },
    };
    const model = {
      modelTopology: { class_name: 'Sequential', config: { name: 'tm', layers: [inner, head] } },
      weightsManifest: [],
    };
    expect(checkModel(model, { labelCount: 3 })).toMatchObject({
      format: 'layers-model',
      inputShape: [null, 224, 224, 3],
      outputSize: 3,
      output: 'probabilities',
      problems: [],
    });
  });
});
