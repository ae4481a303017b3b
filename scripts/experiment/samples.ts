// A sheet of the first training images of a dataset, each with its class name, and for the
// clutter dataset the garment's box: what the student sees, for docs/results.md.
import { Canvas, type Rgb } from '../../packages/cli/src/canvas.js';
import { FASHION_MNIST_CLASSES } from '../../examples/training/fashion_mnist.js';
import type { ClutteredImages } from '../../examples/training/clutter.js';

const SCALE = 3;
const COLUMNS = 8;

/** `rows × 8` images drawn at 3× with their labels, and the garment's box in red. */
export function samplesSheet(set: ClutteredImages, rows = 3): Buffer {
  const cell = set.side * SCALE + 8;
  const canvas = new Canvas(COLUMNS * cell + 8, rows * (cell + 12) + 8, [40, 40, 40]);
  const red: Rgb = [230, 60, 60];
  for (let n = 0; n < Math.min(set.count, rows * COLUMNS); n++) {
    const x = 8 + (n % COLUMNS) * cell;
    const y = 8 + Math.floor(n / COLUMNS) * (cell + 12);
    const data = new Float32Array(set.side * set.side * 3);
    for (let p = 0; p < set.side * set.side; p++) data.fill(set.pixels[n * set.side * set.side + p]!, p * 3, p * 3 + 3);
    canvas.drawImage({ height: set.side, width: set.side, data }, x, y, SCALE);
    const [top, left, size] = [set.boxes[n * 3]!, set.boxes[n * 3 + 1]!, set.boxes[n * 3 + 2]!];
    canvas.strokeRect(x + left * SCALE, y + top * SCALE, size * SCALE, size * SCALE, red);
    canvas.drawText(FASHION_MNIST_CLASSES[set.labels[n]!] ?? String(set.labels[n]), x, y + set.side * SCALE + 3, [230, 230, 230]);
  }
  return canvas.toPng();
}
