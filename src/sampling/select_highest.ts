// The exact selection behind FMix's masks: the `count` highest values of a field, ties to the lower
// index, in two passes over the field (a histogram of the values, then the marks) and a
// selection among the few values of the one bucket the threshold falls in. JS arithmetic only, so
// the same values give the same marks everywhere.

/** About this many values per bucket of the histogram: few candidates, and a histogram small next to the field. */
const VALUES_PER_BUCKET = 8;

// Scratch space kept between calls (a call runs to its end before another starts): a mask of
// 224 × 224 would otherwise allocate its histogram and candidates every time.
let counts = new Int32Array(0);
let candidates = new Int32Array(0);
let candidateValues = new Float64Array(0);

/**
 * Marks the `count` highest values of `field` `[n]` (finite numbers) with 1 in `mask` (from
 * `offset`), the others 0; of equal values the lower index is marked first, so exactly `count`
 * are marked. `range`, bounds of the values where the caller knows them, saves a pass; values
 * outside it are still placed right (the histogram's end buckets take them).
 */
export function markHighest(field: Float64Array, n: number, count: number, mask: Uint8Array, offset: number, range?: readonly [number, number]): void {
  if (count <= 0) return void mask.fill(0, offset, offset + n);
  if (count >= n) return void mask.fill(1, offset, offset + n);
  const [low, high] = range ?? valueRange(field, n);
  const buckets = Math.ceil(n / VALUES_PER_BUCKET);
  const last = buckets - 1;
  // A range of zero or one too small or too large to divide gives one bucket: a selection among all values.
  const scaled = buckets / (high - low);
  const scale = scaled < Infinity ? scaled : 0;
  // A value's bucket, ⌊(v − low)·scale⌋ clamped to [0, last], written out in both loops (as a
  // function it made this 5 times slower, measured). Any bucket that never decreases with the
  // value keeps the selection exact; rounding keeps this one so, and the clamps put values outside
  // `range` in the end buckets.
  if (counts.length < buckets) counts = new Int32Array(buckets);
  counts.fill(0, 0, buckets);
  for (let i = 0; i < n; i++) {
    const f = (field[i]! - low) * scale;
    counts[f >= last ? last : f > 0 ? f | 0 : 0]!++;
  }
  // The bucket of the count-th highest value, and how many values lie in the buckets above it.
  let bucket = last;
  let above = 0;
  while (above + counts[bucket]! < count) above += counts[bucket--]!;
  if (candidates.length < counts[bucket]!) [candidates, candidateValues] = [new Int32Array(counts[bucket]!), new Float64Array(counts[bucket]!)];
  let found = 0;
  for (let i = 0; i < n; i++) {
    const v = field[i]!;
    const f = (v - low) * scale;
    const b = f >= last ? last : f > 0 ? f | 0 : 0;
    mask[offset + i] = b > bucket ? 1 : 0;
    if (b === bucket) {
      candidates[found] = i;
      candidateValues[found++] = v;
    }
  }
  markAmong(candidates, candidateValues, found, count - above, mask, offset);
}

let ranked = new Float64Array(0);

/**
 * Marks the `wanted` highest of `found` candidates (`indices` ascending, their `values`) in `mask`
 * from `offset`: those above the wanted-th highest value, then those equal to it from the lowest
 * index. The tie rule of every selection here.
 */
export function markAmong(indices: Int32Array, values: Float64Array, found: number, wanted: number, mask: Uint8Array, offset: number): void {
  if (ranked.length < found) ranked = new Float64Array(found);
  ranked.set(values.subarray(0, found));
  const threshold = kthLargest(ranked.subarray(0, found), wanted);
  let left = wanted;
  for (let c = 0; c < found; c++) {
    if (values[c]! > threshold) {
      mask[offset + indices[c]!] = 1;
      left--;
    }
  }
  for (let c = 0; c < found && left > 0; c++) {
    if (values[c]! === threshold) {
      mask[offset + indices[c]!] = 1;
      left--;
    }
  }
}

/** The smallest and largest of `field[0 … n)`. */
function valueRange(field: Float64Array, n: number): [number, number] {
  let [low, high] = [field[0]!, field[0]!];
  for (let i = 1; i < n; i++) {
    const v = field[i]!;
    if (v < low) low = v;
    else if (v > high) high = v;
  }
  return [low, high];
}

/** The k-th largest value (k ≥ 1) of `values`, which it reorders: Hoare's selection, O(n) on average. */
export function kthLargest(values: Float64Array, k: number): number {
  let [lo, hi] = [0, values.length - 1];
  const target = k - 1; // its index once sorted in descending order
  while (lo < hi) {
    const pivot = values[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! > pivot) i++;
      while (values[j]! < pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return values[target]!;
  }
  return values[target]!;
}
