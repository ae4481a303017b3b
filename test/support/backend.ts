// Selects the backend named by TFJS_BACKEND (set per vitest project) before any test runs.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';

const backend = process.env.TFJS_BACKEND ?? 'cpu';
tf.env().set('PROD', true); // no "running in Node without tfjs-node" banner
if (!(await tf.setBackend(backend))) throw new Error(`Backend '${backend}' failed to initialise.`);
await tf.ready();
