// The names a ```ts fragment of the docs may use without defining them, with their types (for the
// type check) and the values they get when the fragment runs: a small batch of 8 CIFAR-sized
// images with class ids of 10 classes, and a small classifier whose layers are named as the docs
// name them ('features', the last convolution, and 'logits', the Dense head).
import * as tf from '@tensorflow/tfjs';

export interface StandIns {
  /** A batch `[8, 32, 32, 3]`, float32 in [0, 1). */
  images: tf.Tensor4D;
  /** Its class ids `[8]`, int32 in [0, 10). */
  labels: tf.Tensor1D;
  /** Another batch, as `images`. */
  xs: tf.Tensor4D;
  /** Its class ids, as `labels`. */
  ys: tf.Tensor1D;
  /** Segmentation masks of `images`: a class id per pixel, int32 `[8, 32, 32]`. */
  masks: tf.Tensor3D;
  /** Depth maps of `images`: float32 `[8, 32, 32]`. */
  depth: tf.Tensor3D;
  /** A compiled classifier of `[32, 32, 3]` images into 10 classes: conv 'features' → global average pooling → dense 'logits'. */
  model: tf.LayersModel;
}

export const STAND_IN_NAMES = ['images', 'labels', 'xs', 'ys', 'masks', 'depth', 'model'] as const satisfies readonly (keyof StandIns)[];

export function makeStandIns(): StandIns {
  const ids = [3, 1, 4, 1, 5, 9, 2, 6];
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ name: 'features', inputShape: [32, 32, 3], filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ name: 'logits', units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return {
    images: tf.randomUniform([8, 32, 32, 3], 0, 1, 'float32', 1),
    labels: tf.tensor1d(ids, 'int32'),
    xs: tf.randomUniform([8, 32, 32, 3], 0, 1, 'float32', 2),
    ys: tf.tensor1d(ids, 'int32'),
    masks: tf.randomUniform([8, 32, 32], 0, 21, 'int32', 3),
    depth: tf.randomUniform([8, 32, 32], 0, 10, 'float32', 4),
    model,
  };
}

export function disposeStandIns(standIns: StandIns): void {
  const { model, ...tensors } = standIns;
  tf.dispose(tensors);
  model.dispose();
}
