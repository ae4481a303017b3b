// Attention maps as pictures: the map stretched to the image (nearest), scaled to its own range,
// coloured with an inferno-like ramp and laid over a grey copy of the image so the object shows.
import type { RgbImage } from './canvas.js';

/** Colour stops of the ramp, from low to high attention (close to matplotlib's inferno). */
const STOPS: readonly (readonly [number, number, number])[] = [
  [0, 0, 4],
  [40, 11, 84],
  [101, 21, 110],
  [159, 42, 99],
  [212, 72, 66],
  [245, 125, 21],
  [250, 193, 39],
  [252, 255, 164],
];

/** The ramp's colour for t in [0, 1], as RGB in [0, 1]. */
export function rampColor(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (STOPS.length - 1);
  const k = Math.min(STOPS.length - 2, Math.floor(x));
  const f = x - k;
  const [a, b] = [STOPS[k]!, STOPS[k + 1]!];
  return [0, 1, 2].map((c) => (a[c]! + (b[c]! - a[c]!) * f) / 255) as [number, number, number];
}

/**
 * A heat map of `map` (`mapHeight × mapWidth`, row-major) over `base`: each image pixel takes the
 * map value of the map cell it falls in, scaled so that the map's smallest finite value is 0 and
 * its largest is 1 (a flat map is all 0; non-finite values count as 0), coloured, and blended
 * with the image's grey level (`imageWeight` of it).
 */
export function heatmapImage(map: ArrayLike<number>, mapHeight: number, mapWidth: number, base: RgbImage, imageWeight = 0.3): RgbImage {
  let [lo, hi] = [Infinity, -Infinity];
  for (let k = 0; k < mapHeight * mapWidth; k++) {
    const v = map[k]!;
    if (Number.isFinite(v)) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  }
  const range = hi > lo ? hi - lo : 0;
  const { height, width } = base;
  const data = new Float32Array(height * width * 3);
  for (let y = 0; y < height; y++) {
    const my = Math.min(mapHeight - 1, Math.floor((y * mapHeight) / height));
    for (let x = 0; x < width; x++) {
      const mx = Math.min(mapWidth - 1, Math.floor((x * mapWidth) / width));
      const v = map[my * mapWidth + mx]!;
      const t = range > 0 && Number.isFinite(v) ? (v - lo) / range : 0;
      const heat = rampColor(t);
      const p = (y * width + x) * 3;
      const grey = 0.299 * base.data[p]! + 0.587 * base.data[p + 1]! + 0.114 * base.data[p + 2]!;
      for (let c = 0; c < 3; c++) data[p + c] = (1 - imageWeight) * heat[c]! + imageWeight * grey;
    }
  }
  return { height, width, data };
}
