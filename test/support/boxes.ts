// The box SaliencyMix documents, for the tests that check it: in Node (vitest) and in the browser
// page of the conformance suite (so no vitest here).

export type Box4 = [number, number, number, number];

/** The documented box: `size` centred on pixel (cy, cx), top-left at centre − ⌊size/2⌋, clipped to H × W. */
export function expectedBox([h, w]: readonly [number, number], cy: number, cx: number, H: number, W: number): Box4 {
  if (h * w === 0) return [0, 0, 0, 0];
  const clip = (v: number, max: number) => Math.min(max, Math.max(0, v));
  const [top, left] = [cy - Math.floor(h / 2), cx - Math.floor(w / 2)];
  return [clip(top, H), clip(left, W), clip(top + h, H), clip(left + w, W)];
}
