// Benchmark cases for real pretrained extractors, where `node scripts/real-data.mjs` has put them
// in .cache/real-data/models (never a dependency, never downloaded at run time): the uint8 graph
// model and the Keras layers model of MobileNetV2 that ship inside the nsfwjs npm package.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';

import { type ModelAttentionExtractor, attentiveCutMix, loadAttentionExtractor } from '../src/index.js';
import type { BenchCase } from './core.js';

const MODELS = [
  { name: 'graph model: MobileNetV2, uint8, TF-Hub', folder: 'mobilenet_v2_mid', options: {} },
  { name: 'layers model: Keras MobileNetV2', folder: 'mobilenet_v2', options: { normalization: 'symmetric' as const } },
];

/** The real-model cases at 224 px, or none (with a line saying why) where the models are absent. */
export async function realModelCases(root: string, log: (line: string) => void): Promise<{ cases: BenchCase[]; loadMs: Record<string, number> }> {
  const dir = join(root, '.cache/real-data/models');
  const cases: BenchCase[] = [];
  const loadMs: Record<string, number> = {};
  for (const model of MODELS) {
    const file = join(dir, model.folder, 'model.json');
    if (!existsSync(file)) {
      log(`real models: skipped ${model.name}, no ${file} (run node scripts/real-data.mjs)`);
      continue;
    }
    const start = performance.now();
    const extractor: ModelAttentionExtractor = await loadAttentionExtractor(file, model.options);
    loadMs[model.name] = performance.now() - start;
    cases.push(
      { name: `${model.name}: extract`, op: (x) => extractor.extract(x), runs: 3 },
      { name: `attentiveCutMix, ${model.name}`, op: (x, y) => attentiveCutMix(x, y, extractor, { seed: 1, mode: 'elem' }), runs: 3, dispose: () => extractor.dispose() },
    );
  }
  return { cases, loadMs };
}

export const usesRealModels = (shape: readonly number[]) => shape[1] === 224 && tf.getBackend() === 'wasm';
