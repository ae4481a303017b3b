// tfjs-backend-wasm (up to 4.22 at least) has no `Conv2DBackpropFilter` kernel, so a model with
// conv2d layers cannot be trained on it ("Kernel 'Conv2DBackpropFilter' not registered for backend
// 'wasm'"), and its `Conv2DBackpropInput` is a plain loop (66 ms per training step of the training
// example's model, against 9 ms for all its forward convolutions on XNNPACK). Both gradients of a
// convolution are convolutions themselves; the kernels here compute them with the wasm backend's
// own kernels (PadV2, Transpose, Reverse, Slice, and Conv2D on XNNPACK).
import { type KernelBackend, type KernelFunc, type TensorInfo, backend_util, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';

/**
 * Makes conv nets trainable on the wasm backend, and their training fast there: registers a
 * `Conv2DBackpropFilter` kernel for wasm, which tfjs-backend-wasm lacks (without it `model.fit` on
 * any model with a conv2d layer fails with "Kernel 'Conv2DBackpropFilter' not registered for
 * backend 'wasm'"), and replaces wasm's `Conv2DBackpropInput`, a plain loop, by one on its XNNPACK
 * convolution for stride 1. Both compute the cpu backend's gradients (to float32 rounding) from
 * the wasm backend's own kernels.
 *
 * Call it once, after `import '@tensorflow/tfjs-backend-wasm'`, before or after
 * `tf.setBackend('wasm')`; calling it again changes nothing. It changes only the wasm backend's
 * kernels, and only the two named: other backends and ops are untouched. Depthwise and separable
 * convolutions (`DepthwiseConv2dNativeBackprop*`) still have no gradient on wasm, and tfjs has
 * none for dilated convolutions on any backend.
 *
 * @throws When the wasm backend is not registered (its package was not imported): the kernels
 *   would have no backend to run on.
 *
 * @example
 * ```ts sets-backend
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-wasm';
 * import { registerWasmConvGradients } from 'attentive-cutmix/training';
 *
 * await tf.setBackend('wasm');
 * registerWasmConvGradients();
 * const model = tf.sequential({
 *   layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 3 }), tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })],
 * });
 * model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
 * const [xs, ys] = [tf.ones([4, 8, 8, 1]), tf.oneHot([0, 1, 0, 1], 2)];
 * await model.trainOnBatch(xs, ys); // throws on wasm without registerWasmConvGradients()
 * tf.dispose([xs, ys]);
 * model.dispose();
 * ```
 * @public
 */
export function registerWasmConvGradients(): void {
  if (getKernel('Conv2D', 'wasm') === undefined) {
    throw new Error("registerWasmConvGradients() needs the wasm backend: import '@tensorflow/tfjs-backend-wasm' (npm install @tensorflow/tfjs-backend-wasm) before calling it.");
  }
  registerConv2DBackpropFilter();
  registerFastConv2DBackpropInput();
}

type Run = (name: string, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>) => TensorInfo;

/** Runs wasm kernels directly (as the backend's own kernels call each other), disposing the temporaries `body` keeps. */
function withKernels(backend: KernelBackend, body: (run: Run, keep: (t: TensorInfo) => TensorInfo) => TensorInfo): TensorInfo {
  const temporary: TensorInfo[] = [];
  const run: Run = (name, inputs, attrs) => getKernel(name, 'wasm')!.kernelFunc({ inputs, backend, attrs: attrs as never }) as TensorInfo;
  try {
    return body(run, (t) => (temporary.push(t), t));
  } finally {
    for (const t of temporary) backend.disposeData(t.dataId);
  }
}

interface ConvGradAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Replaces the wasm backend's `Conv2DBackpropInput` for stride 1, NHWC: `dx` is dy, padded by
 * `k − 1 − pad` on each side, convolved with the filter rotated by 180° and transposed to
 * `[kh, kw, F, C]` (8 ms per training step of the training example's model instead of 66).
 * Other strides, formats and paddings go to the original kernel.
 */
function registerFastConv2DBackpropInput(): void {
  const original = getKernel('Conv2DBackpropInput', 'wasm');
  if (!original || (original.kernelFunc as { fast?: boolean }).fast) return;
  const kernelFunc: KernelFunc = (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: TensorInfo; filter: TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
    const [strideHeight, strideWidth] = typeof strides === 'number' ? [strides, strides] : strides;
    if (dataFormat !== 'NHWC' || strideHeight !== 1 || strideWidth !== 1) return original.kernelFunc(args);
    const filterShape = filter.shape as [number, number, number, number];
    const { padInfo, filterHeight, filterWidth } = backend_util.computeConv2DInfo(inputShape, filterShape, 1, 1, pad, dimRoundingMode, false, 'channelsLast');
    const paddings = [
      [0, 0],
      [filterHeight - 1 - padInfo.top, filterHeight - 1 - padInfo.bottom],
      [filterWidth - 1 - padInfo.left, filterWidth - 1 - padInfo.right],
      [0, 0],
    ];
    if (paddings.flat().some((p) => p < 0)) return original.kernelFunc(args); // padding wider than the filter
    return withKernels(backend as KernelBackend, (run, keep) => {
      const padded = keep(run('PadV2', { x: dy }, { paddings, constantValue: 0 }));
      const rotated = keep(run('Reverse', { x: filter }, { dims: [0, 1] }));
      const transposed = keep(run('Transpose', { x: rotated }, { perm: [0, 1, 3, 2] })); // [kh, kw, F, C]
      return run('Conv2D', { x: padded, filter: transposed }, { strides: 1, pad: 'valid', dilations: 1, dataFormat: 'NHWC', dimRoundingMode: undefined });
    });
  };
  (kernelFunc as { fast?: boolean }).fast = true;
  unregisterKernel('Conv2DBackpropInput', 'wasm');
  registerKernel({ ...original, kernelFunc });
}

/**
 * Registers `Conv2DBackpropFilter` for the wasm backend, when it lacks one. The filter gradient
 * of a convolution is itself a convolution, with the batch as the channel axis:
 * `dW[i, j, c, f] = Σ_b,y,x xPadded[b, y·s + i, x·s + j, c] · dy[b, y, x, f]`, that is the
 * input (padded, transposed to `[C, H, W, B]`) convolved with dy (transposed to a
 * `[outH, outW, B, F]` filter, dilated by the stride): 26 ms per training step of the training
 * example's model, where an im2col matrix product (wasm's BatchMatMul) took 165 ms.
 */
function registerConv2DBackpropFilter(): void {
  if (getKernel('Conv2DBackpropFilter', 'wasm')) return;
  registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilter });
}

const conv2DBackpropFilter: KernelFunc = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
  // wasm's own Conv2D refuses NCHW too, so no forward pass on wasm leads here with it.
  if (dataFormat !== 'NHWC') throw new Error(`Conv2DBackpropFilter on wasm (registerWasmConvGradients) supports dataFormat NHWC only, not ${dataFormat}.`);
  const info = backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { inChannels, outChannels, filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
  return withKernels(backend as KernelBackend, (run, keep) => {
    const paddings = [[0, 0], [padInfo.top, padInfo.bottom], [padInfo.left, padInfo.right], [0, 0]];
    const padded = keep(run('PadV2', { x }, { paddings, constantValue: 0 }));
    const image = keep(run('Transpose', { x: padded }, { perm: [3, 1, 2, 0] })); // [C, Hp, Wp, B]
    const kernel = keep(run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] })); // [outH, outW, B, F]
    const conv = keep(
      run('Conv2D', { x: image, filter: kernel }, { strides: 1, pad: 'valid', dilations: [strideHeight, strideWidth], dataFormat: 'NHWC', dimRoundingMode: undefined }),
    ); // [C, ≥ kh, ≥ kw, F]: rows past kh appear when the stride skips the padded input's last rows
    const exact =
      conv.shape[1] === filterHeight && conv.shape[2] === filterWidth
        ? conv
        : keep(run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] }));
    return run('Transpose', { x: exact }, { perm: [1, 2, 0, 3] }); // [kh, kw, C, F]
  });
};
