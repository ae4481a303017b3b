// The network the training example and the experiments train, its optimiser and learning-rate
// schedule. A plain CNN: stages of 3×3 convolutions ('same' padding, ReLU; optionally batch
// normalisation between the convolution and the ReLU), a 2×2 max pool between stages, global
// pooling, and a dense softmax classifier. The last convolution's output is the layer 'features'
// and the classifier 'logits', so that camExtractor and loadAttentionExtractor find them by name;
// with global AVERAGE pooling the class activation map of 'features' is exact (Zhou et al., 2016).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

/** The network: how wide, how deep, how it pools and learns (written into results as its description). */
export interface Network {
  /** The convolutions' widths, stage by stage: `[[16], [32, 32]]` is one conv, a pool, then two. */
  stages: number[][];
  /** The global pooling before the classifier. */
  pooling: 'max' | 'avg';
  /**
   * Batch normalisation after every convolution (which then has no bias), its moving statistics
   * updated with momentum 0.9 (Keras' 0.99 lags for hundreds of steps: on a few thousand images,
   * inference-mode accuracy, and the maps of a model's own CAM, would trail training by epochs).
   * Default false.
   */
  batchNorm?: boolean;
  /** Adam's learning rate. Default 0.003. */
  learningRate?: number;
  /** 'constant', or 'cosine': from `learningRate` down to 0 over the run, set at each epoch's start. Default 'constant'. */
  schedule?: 'constant' | 'cosine';
}

/** A line that says what {@link makeModel} builds. */
export function describeNetwork([h, w, c]: number[], numClasses: number, network: Network): string {
  const { stages, pooling, batchNorm = false, learningRate = 0.003, schedule = 'constant' } = network;
  const side = (n: number) => Math.floor(n / 2 ** (stages.length - 1));
  const conv = (f: number) => `conv3×3 ${f}${batchNorm ? ' BN(momentum 0.9)' : ''} relu`;
  return (
    `input ${h}×${w}×${c}; ${stages.map((stage) => stage.map(conv).join(', ')).join('; maxpool 2; ')} ('features', ${side(h!)}×${side(w!)}); ` +
    `global ${pooling} pool; dense ${numClasses} softmax ('logits'); glorot-uniform init seeded; Adam ${learningRate}${schedule === 'cosine' ? ' with cosine decay to 0' : ''}; categorical cross-entropy`
  );
}

/**
 * The network, with initial weights from `seed`, so that every method of a seed starts from the
 * same ones. Its last convolution (after its batch norm and ReLU) is 'features' and its
 * classifier 'logits', for camExtractor and for a teacher's maps.
 */
export function makeModel(inputShape: [number, number, number], numClasses: number, seed: number, network: Network): { model: tfl.LayersModel; optimizer: tf.Optimizer } {
  const { stages, pooling, batchNorm = false, learningRate = 0.003 } = network;
  let n = 0;
  const init = () => tfl.initializers.glorotUniform({ seed: seed * 100 + n++ });
  const layers: tfl.layers.Layer[] = [tfl.layers.inputLayer({ inputShape })];
  stages.forEach((stage, s) => {
    if (s > 0) layers.push(tfl.layers.maxPooling2d({ poolSize: 2 }));
    stage.forEach((filters, i) => {
      const name = s === stages.length - 1 && i === stage.length - 1 ? 'features' : undefined;
      if (!batchNorm) {
        layers.push(tfl.layers.conv2d({ name, filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init() }));
        return;
      }
      layers.push(tfl.layers.conv2d({ filters, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init() }));
      layers.push(tfl.layers.batchNormalization({ momentum: 0.9 }));
      layers.push(tfl.layers.activation({ name, activation: 'relu' }));
    });
  });
  layers.push(pooling === 'max' ? tfl.layers.globalMaxPooling2d({}) : tfl.layers.globalAveragePooling2d({}));
  layers.push(tfl.layers.dense({ name: 'logits', units: numClasses, activation: 'softmax', kernelInitializer: init() }));
  const model = tfl.sequential({ layers });
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return { model, optimizer };
}

/** The learning rate of epoch `epoch` (0-based) of `epochs`. */
export function learningRateAt(network: Network, epoch: number, epochs: number): number {
  const { learningRate = 0.003, schedule = 'constant' } = network;
  return schedule === 'cosine' ? (learningRate * (1 + Math.cos((Math.PI * epoch) / epochs))) / 2 : learningRate;
}

/**
 * Sets Adam's learning rate. tfjs' AdamOptimizer reads its `learningRate` field at every step
 * but offers no setter (SGD's setLearningRate is not on it), so the field is written directly.
 */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
