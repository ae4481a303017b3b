// Where each pixel of a box that a whole image is scaled into reads the image: computed on the
// CPU from the boxes, once per call, and uploaded, so that the resize runs on the device for the
// whole batch at once, with no per-sample loop there.
import type { Box } from '../sampling/boxes.js';

/** Per sample, the two source rows (columns) each output row (column) reads, and their weights. */
export interface ResizeTaps {
  /** `[B·H·2]`: for output row y of sample b, at `2(b·H + y)`, the two rows of the partner it reads. */
  readonly rows: Int32Array;
  /** `[B·H·2]`: their weights, float32 (1 and 0 for nearest, and outside the box). */
  readonly rowWeights: Float32Array;
  /** `[B·W·2]`: the same for columns. */
  readonly cols: Int32Array;
  readonly colWeights: Float32Array;
}

/**
 * The taps of scaling a whole `height × width` image into each box, with half-pixel centres:
 * output pixel i of a box of n pixels starting at `start` sits at source position
 * s = (i − start + ½)·size/n − ½. Bilinear reads ⌊s⌋ and ⌊s⌋ + 1 (the last pixel twice at the
 * edge) weighted 1 − frac(s) and frac(s), each weight rounded to float32; nearest reads the pixel
 * that holds the point, ⌊(i − start + ½)·size/n⌋. Rows and columns outside a box (and every one
 * of an empty box) read pixel 0 with weights 1 and 0, and are never pasted.
 */
export function resizeTaps(boxes: readonly Box[], height: number, width: number, bilinear: boolean): ResizeTaps {
  const taps = {
    rows: new Int32Array(2 * boxes.length * height),
    rowWeights: new Float32Array(2 * boxes.length * height),
    cols: new Int32Array(2 * boxes.length * width),
    colWeights: new Float32Array(2 * boxes.length * width),
  };
  boxes.forEach(([y0, x0, y1, x1], b) => {
    const empty = y1 <= y0 || x1 <= x0;
    axisTaps(height, y0, empty ? y0 : y1, bilinear, taps.rows, taps.rowWeights, 2 * b * height);
    axisTaps(width, x0, empty ? x0 : x1, bilinear, taps.cols, taps.colWeights, 2 * b * width);
  });
  return taps;
}

function axisTaps(size: number, start: number, end: number, bilinear: boolean, taps: Int32Array, weights: Float32Array, offset: number): void {
  const n = end - start;
  for (let i = 0; i < size; i++) {
    const at = offset + 2 * i;
    weights[at] = 1; // taps stay 0, the second weight 0: outside the box
    if (i < start || i >= end) continue;
    if (!bilinear) {
      const t = Math.min(size - 1, Math.floor(((i - start + 0.5) * size) / n));
      taps[at] = taps[at + 1] = t;
      continue;
    }
    const s = Math.min(size - 1, Math.max(0, ((i - start + 0.5) * size) / n - 0.5));
    const t = Math.floor(s);
    taps[at] = t;
    taps[at + 1] = Math.min(size - 1, t + 1);
    weights[at] = 1 - (s - t);
    weights[at + 1] = s - t;
  }
}
