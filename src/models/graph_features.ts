// A graph model (tfjs-converter) as a FeatureModel: its nodes, run with model.execute.
import { type Tensor, type Tensor4D, tidy, zeros } from '@tensorflow/tfjs-core';

import { errorMessage } from '../validation.js';
import { type FeatureModel, type InputScaling, inputChannels } from './feature_model.js';
import { type GraphNode, assertGraphTopology, inputNode } from './graph_topology.js';
import type { AnyGraphModel } from './model_types.js';

/** Ops that pass their input on unchanged, and those that scale or shift it by a constant. */
const PASS_THROUGH = new Set(['Identity', 'Cast']);
/** Ops that read only the input's shape: they do not count as consumers of its values. */
const SHAPE_ONLY = new Set(['Shape', 'Size', 'Rank']);
const AFFINE = new Set(['Mul', 'RealDiv', 'Div', 'Sub', 'Add', 'AddV2', 'BiasAdd']);

/**
 * @param graphNodes - The graph's nodes (model.json's `modelTopology.node`), checked here.
 * @param owned - Whether `dispose` releases the model (true where the loader loaded it).
 */
export function graphFeatureModel(model: AnyGraphModel, graphNodes: readonly GraphNode[], location: string, owned: boolean): FeatureModel {
  const nodes = assertGraphTopology(location, graphNodes); // in data-flow order, whatever order model.json lists them in
  const inputShape = model.inputs[0]?.shape ?? [];
  const feature: FeatureModel = {
    format: 'graph-model',
    location,
    what: 'node',
    inputShape,
    model,
    outputs(inputSize) {
      const fed = nodesFedByInputs(nodes, model.inputNodes);
      const input: [number, number, number, number] = [1, inputSize[0], inputSize[1], inputChannels(feature)];
      const shapes = tidy(() => {
        let outputs: Tensor[];
        try {
          outputs = feature.run(zeros(input) as Tensor4D, fed.map((n) => n.name));
        } catch (e) {
          const message = errorMessage(e);
          const hint = /executeAsync/.test(message) ? ' An AttentionExtractor runs the model synchronously (model.execute), so models with control flow are not supported.' : '';
          throw new Error(`The graph model ${location} cannot run on a [${input.join(', ')}] input (its input shape is [${inputShape.join(', ')}]): ${message}${hint}`, { cause: e });
        }
        return outputs.map((t) => t.shape);
      });
      return fed.map((node, i) => ({ name: node.name, op: node.op, shape: shapes[i]! }));
    },
    run(x: Tensor4D, names) {
      const out = model.execute(x, [...names]); // one tensor, not a list, when one name is asked for
      return Array.isArray(out) ? out : [out];
    },
    inputScaling: () => graphInputScaling(model, nodes),
    dispose: () => {
      if (owned) model.dispose();
    },
  };
  return feature;
}

/** The nodes that depend on the model's inputs (so not weights or constants), in data-flow order. */
function nodesFedByInputs(nodes: readonly GraphNode[], inputNames: readonly string[]): GraphNode[] {
  const fed = new Set(inputNames.map(inputNode));
  const result: GraphNode[] = [];
  for (const node of nodes) {
    if (fed.has(node.name)) continue;
    if (dataInputs(node).some((i) => fed.has(i))) {
      fed.add(node.name);
      result.push(node);
    }
  }
  return result;
}

/** Each node's consumers by name, but ops that read only a shape (`SHAPE_ONLY`): built in one pass. */
function valueConsumers(nodes: readonly GraphNode[]): Map<string, GraphNode[]> {
  const consumers = new Map<string, GraphNode[]>();
  for (const node of nodes) {
    if (SHAPE_ONLY.has(node.op)) continue;
    for (const i of dataInputs(node)) {
      const list = consumers.get(i);
      if (list) list.push(node);
      else consumers.set(i, [node]);
    }
  }
  return consumers;
}

/**
 * Follows the input through the ops right after it while each scales or shifts it by a constant
 * (`x·2 − 1`, `x/255`, `(x − mean)/std`) and composes them into one affine map; undefined when
 * the first op is anything else (a convolution).
 */
function graphInputScaling(model: AnyGraphModel, nodes: readonly GraphNode[]): InputScaling | undefined {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const consumers = valueConsumers(nodes);
  const constant = (name: string): number[] | undefined => {
    if (byName.get(name)?.op !== 'Const') return undefined;
    const value = model.weights[name]?.[0];
    return value && value.size > 0 && value.size <= 4 ? Array.from(value.dataSync()) : undefined;
  };
  let current = inputNode(model.inputNodes[0] ?? '');
  let scale = [1];
  let offset = [0];
  const by: string[] = [];
  const visited = new Set<string>(); // a graph loaded by the caller is not checked for cycles
  for (;;) {
    const next = consumers.get(current);
    if (next?.length !== 1 || visited.has(next[0]!.name)) break;
    const node = next[0]!;
    visited.add(node.name);
    const inputs = dataInputs(node);
    if (PASS_THROUGH.has(node.op)) {
      current = node.name;
      continue;
    }
    if (!AFFINE.has(node.op) || inputs.length !== 2) break;
    const first = inputs[0] === current;
    const c = constant(first ? inputs[1]! : inputs[0]!);
    if (c === undefined) break;
    const apply = (f: (s: number, o: number, k: number) => [number, number]) => {
      const n = Math.max(scale.length, offset.length, c.length);
      const pairs = Array.from({ length: n }, (_, i) => f(at(scale, i), at(offset, i), at(c, i)));
      scale = pairs.map((p) => p[0]);
      offset = pairs.map((p) => p[1]);
    };
    if (node.op === 'Mul') apply((s, o, k) => [s * k, o * k]);
    else if (node.op === 'RealDiv' || node.op === 'Div') {
      if (!first) break; // k / x is not affine
      apply((s, o, k) => [s / k, o / k]);
    } else if (node.op === 'Sub') apply((s, o, k) => (first ? [s, o - k] : [-s, k - o]));
    else apply((s, o, k) => [s, o + k]);
    by.push(node.op);
    current = node.name;
  }
  if (by.length === 0) return undefined;
  return { scale: mean(scale), offset: mean(offset), by: by.join(', ') };
}

const at = (values: number[], i: number) => values[values.length === 1 ? 0 : i]!;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** A node's data inputs, as node names (control inputs `^x` and output indices `:1` dropped). */
function dataInputs(node: GraphNode): string[] {
  return (node.input ?? []).filter((i) => !i.startsWith('^')).map(inputNode);
}
