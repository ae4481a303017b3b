// The names of the library's own kernels, as tfjs-core names its kernels: one place for both the
// ops that run them and the backends that register them.

/** `x` with rectangles `[B, N, 4]` of each sample's partner pasted over it. */
export const PASTE_RECTS = 'AttentiveCutMixPasteRects';
/** `x` with the chosen grid cells `[B, grid²]` of each sample's partner pasted over it (GPU backends: one read per pixel, where `PasteRects` reads every rectangle). */
export const PASTE_CELLS = 'AttentiveCutMixPasteCells';
/** `lambda[b]·x[b] + (1 − lambda[b])·x[partners[b]]`, exact where lambda is 0 or 1. */
export const BLEND_PARTNERS = 'AttentiveCutMixBlendPartners';
/** The topN cells of each partner's map, their rectangles, the kept share lambda and the chosen-cell mask. */
export const SELECT_CELLS = 'AttentiveCutMixSelectCells';
/** Attention maps `[B, h, w]` averaged over the grid cells, the same float32 steps on every backend. */
export const POOL_CELLS = 'AttentiveCutMixPoolCells';
/** `x` with each sample's whole partner scaled into its box `[B, 4]`, from per-row and per-column taps and weights (ResizeMix). */
export const RESIZE_PASTE = 'AttentiveCutMixResizePaste';
/** `x` with each sample's partner pasted where its mask `[B, H, W]` is set (FMix). */
export const PASTE_MASK = 'AttentiveCutMixPasteMask';
/** SaliencyMix's boxes `[B, 4]` and lambda `[B]`: each centred on the peak of its partner's map, clipped. */
export const PEAK_BOXES = 'AttentiveCutMixPeakBoxes';
