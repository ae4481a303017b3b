// Where pasted cells fall, on a dataset that knows where its objects are (the clutter set): for
// each training image, as the partner whose cells are pasted, the N grid cells a source of
// attention would paste and the share of their pixels inside the garment's box. The paper's
// premise is that attention finds the object where random cells often carry only clutter; this
// measures whether each source finds it, apart from whether pasting it then helps the student.
import { cellEdges, createRng } from '../../src/index.js';

/** What the pasted cells of one source carry, over the images. */
export interface ObjectShare {
  /** The mean over images of the share of the pasted pixels inside the garment's box. */
  share: number;
  /** The fraction of images whose pasted cells hold no pixel of the garment's box. */
  missed: number;
  /** The mean over images of the share of the garment's box that the pasted cells cover: how much of the partner's garment a mixed image shows. */
  covered: number;
  /** The mean over images of the pasted cells' share of the image: the partner's share of an area label. */
  area: number;
}

/**
 * The `topN` highest cells of every `grid × grid` map (row-major, `count` maps in `maps`; ties to
 * the lower cell index, as attentiveCutMix), and how much of them lies inside each image's box
 * (`boxes`: top, left, side per image) on a `side × side` image cut as attentiveCutMix cuts it, how
 * much of each box they cover, and how much of the image.
 */
export function pastedOnObject(maps: Float32Array, boxes: Int32Array, side: number, grid: number, topN: number): ObjectShare {
  const cells = grid * grid;
  const count = boxes.length / 3;
  if (maps.length !== count * cells) throw new Error(`pastedOnObject: ${maps.length} map values for ${count} boxes of a ${grid} × ${grid} grid.`);
  if (!(Number.isInteger(topN) && topN >= 1 && topN <= cells)) throw new Error(`pastedOnObject: topN must be a whole number in [1, ${cells}], but got ${topN}.`);
  const edges = cellEdges(side, grid);
  const overlap = (lo: number, hi: number, from: number, to: number) => Math.max(0, Math.min(hi, to) - Math.max(lo, from));
  let share = 0;
  let missed = 0;
  let covered = 0;
  let pasted = 0;
  for (let n = 0; n < count; n++) {
    const map = maps.subarray(n * cells, (n + 1) * cells);
    const top = Array.from({ length: cells }, (_, i) => i)
      .sort((a, b) => map[b]! - map[a]! || a - b)
      .slice(0, topN);
    const [y, x, s] = [boxes[3 * n]!, boxes[3 * n + 1]!, boxes[3 * n + 2]!];
    let inside = 0;
    let area = 0;
    for (const cell of top) {
      const [r, c] = [Math.floor(cell / grid), cell % grid];
      const [y0, y1, x0, x1] = [edges[r]!, edges[r + 1]!, edges[c]!, edges[c + 1]!];
      area += (y1 - y0) * (x1 - x0);
      inside += overlap(y0, y1, y, y + s) * overlap(x0, x1, x, x + s);
    }
    share += inside / area;
    covered += inside / (s * s);
    pasted += area / (side * side);
    if (inside === 0) missed += 1;
  }
  return { share: share / count, missed: missed / count, covered: covered / count, area: pasted / count };
}

/** The mean over images of their box's share of a `side × side` image (`boxes`: top, left, side per image). */
export function meanBoxShare(boxes: Int32Array, side: number): number {
  const count = boxes.length / 3;
  let sum = 0;
  for (let n = 0; n < count; n++) sum += boxes[3 * n + 2]! ** 2;
  return sum / (count * side * side);
}

/** `count` uniform random `grid × grid` maps from the seeded stream `seed`: uniformly drawn cells. */
export function randomMaps(count: number, grid: number, seed: string): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: count * grid * grid }, () => rng.uniform());
}
