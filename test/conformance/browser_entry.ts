// The page of the browser conformance run: every backend registered, the wasm files served by
// the test's own server, and the runner exposed to the driving test.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import { runConformance } from './runner.js';

setWasmPaths(new URL('/wasm/', location.href).href);
tf.env().set('PROD', true);

Object.assign(window, {
  runConformance: (backend: string, fused: boolean) => {
    const fixture = (name: string) => new URL(`/fixtures/${name}/model.json`, location.href).href;
    return runConformance(backend, { graph: fixture('tiny-cnn'), layers: fixture('keras-cnn'), layersModel: fixture('keras-cnn') }, fused);
  },
  environment: async () => ({ crossOriginIsolated, webgpu: 'gpu' in navigator, wasmThreads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') }),
});
