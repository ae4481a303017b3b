// The benchmark page for Chromium: webgl, with the same cases as in Node.
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';

import { type BenchRow, benchShape } from './core.js';

Object.assign(window, {
  async bench(shapes: [number, number, number, number][]): Promise<BenchRow[]> {
    tf.env().set('PROD', true);
    await tf.setBackend('webgl');
    const rows: BenchRow[] = [];
    // A conv net at 224 px on SwiftShader takes minutes: the CAM case runs at the small shape only.
    for (const shape of shapes) rows.push(...(await benchShape(shape, 5, console.log, { withCam: shape[1]! <= 64 })));
    return rows;
  },
});
