// How the GPU kernels put a row of n cells in order. On a GPU each pass has a fixed cost (on
// SwiftShader several milliseconds), so few cells are ranked by comparing every pair (two passes,
// n² work a row) and many by a bitonic sorting network (log₂(n)·(log₂(n) + 1)/2 passes, n·log²n
// work): at 256 cells the two cost about the same. Both compare exactly, so they give the same order.

/** The most cells a row may have for the pairwise ranking. */
export const PAIRWISE_LIMIT = 256;

/** The bitonic network over `size` (a power of 2): the (block, stride) of each pass. */
export function bitonicPasses(size: number): [number, number][] {
  const passes: [number, number][] = [];
  for (let block = 2; block <= size; block *= 2) for (let stride = block / 2; stride >= 1; stride /= 2) passes.push([block, stride]);
  return passes;
}
