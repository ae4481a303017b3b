// The page of the browser conformance run: every backend registered, the wasm files served by
// the test's own server, and the runner exposed to the driving test.
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';

import { runLimits } from './limits.js';
import { runConformance } from './runner.js';

setWasmPaths(new URL('/wasm/', location.href).href);
tf.env().set('PROD', true);
// `?f16`: webgl keeps every tensor in half-float textures, as on phones whose GPUs cannot render to
// float32 ones; set before the backend starts.
if (new URLSearchParams(location.search).has('f16')) tf.env().set('WEBGL_FORCE_F16_TEXTURES', true);

Object.assign(window, {
  runConformance: (backend: string, fused: boolean) => {
    const fixture = (name: string) => new URL(`/fixtures/${name}/model.json`, location.href).href;
    return runConformance(backend, { graph: fixture('tiny-cnn'), layers: fixture('keras-cnn'), layersModel: fixture('keras-cnn') }, fused);
  },
  environment: async () => ({
    crossOriginIsolated,
    webgpu: 'gpu' in navigator,
    wasmThreads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
    webglFloat32: tf.env().getBool('WEBGL_RENDER_FLOAT32_ENABLED'),
  }),
  runLimits: async () => {
    await tf.setBackend('webgl');
    return runLimits();
  },
});
