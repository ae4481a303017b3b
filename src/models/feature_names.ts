// Finding the node (or layer) a user names: exactly, by the end of its name, or with a short
// message that says what went wrong and suggests the names that come closest.
import { argumentError } from '../validation.js';

/** A node or layer whose output can be taken: its name, kind (op or layer class) and output shape for one image. */
export interface ModelOutput {
  readonly name: string;
  readonly op: string;
  readonly shape: readonly number[];
}

/** How many near names a message suggests, and how long a name may be in it. */
const SUGGESTIONS = 5;
const MAX_NAME = 120;

/**
 * The output named `given`: the one whose name is `given`, or else the only one whose name ends
 * in `/` + `given` (so `Conv_1/Relu6` finds `StatefulPartitionedCall/…/Conv_1/Relu6`). An
 * ambiguous end lists its matches; an unknown name suggests the closest names.
 *
 * @param what - `'node'` or `'layer'`, for messages.
 */
export function findOutput(op: string, arg: string, given: string, outputs: readonly ModelOutput[], what: string, location: string): ModelOutput {
  const exact = outputs.find((o) => o.name === given);
  if (exact) return exact;
  const matches = outputs.filter((o) => o.name.endsWith(`/${given}`));
  if (matches.length === 1) return matches[0]!;
  const names = outputs.map((o) => o.name);
  if (matches.length > 1) {
    const some = listed(matches.slice(0, SUGGESTIONS), names);
    throw argumentError(op, arg, `the name of one ${what} of ${location}, or the end of only one`, `'${clip(given)}', the end of ${matches.length} names (${some}${matches.length > SUGGESTIONS ? ', …' : ''})`);
  }
  const near = closestNames(given, outputs);
  const hint = near.length > 0 ? ` (the nearest: ${listed(near, names)})` : '';
  throw argumentError(op, arg, `the name of a ${what} of ${location} (or the end of one, after a '/')`, `'${clip(given)}': no ${what} has that name${hint}`);
}

/** Describes outputs for a message by their short names: `'Conv_1/Relu6' [1, 7, 7, 1280]`. */
export function listed(outputs: readonly ModelOutput[], names: readonly string[]): string {
  return outputs.map((o) => `'${clip(shortName(o.name, names))}' [${o.shape.join(', ')}]`).join(', ');
}

/**
 * The shortest end of `name` (whole segments after a `/`) that no other of `names` ends with:
 * what a user may pass to find that name alone.
 */
export function shortName(name: string, names: readonly string[]): string {
  const parts = name.split('/');
  for (let k = parts.length - 1; k > 0; k--) {
    const end = parts.slice(k).join('/');
    if (!names.some((n) => n !== name && (n === end || n.endsWith(`/${end}`)))) return end;
  }
  return name;
}

function clip(name: string): string {
  return name.length > MAX_NAME ? `…${name.slice(-(MAX_NAME - 1))}` : name;
}

/**
 * The outputs whose names come closest to `given`: a name holding `given` comes first, then
 * by the edit distance between `given` and the name's closest end after a `/` (case ignored);
 * only names within a distance of about a third of `given`'s length, at most five.
 */
function closestNames(given: string, outputs: readonly ModelOutput[]): ModelOutput[] {
  const target = given.toLowerCase();
  const bound = Math.max(2, Math.ceil(target.length / 3));
  const scored = outputs.map((o, index) => {
    const name = o.name.toLowerCase();
    if (name.includes(target)) return { o, index, score: -1 };
    const parts = name.split('/');
    let best = Infinity;
    // Ends of up to four segments: a short name is rarely meant to match more.
    for (let k = Math.max(0, parts.length - 4); k < parts.length; k++) best = Math.min(best, editDistance(target, parts.slice(k).join('/'), bound));
    return { o, index, score: best };
  });
  return scored
    .filter((s) => s.score <= bound)
    .sort((a, b) => a.score - b.score || b.index - a.index) // later nodes first: feature maps sit deep
    .slice(0, SUGGESTIONS)
    .map((s) => s.o);
}

/** Levenshtein distance, giving up (returning `bound + 1`) once it must exceed `bound`. */
function editDistance(a: string, b: string, bound: number): number {
  if (Math.abs(a.length - b.length) > bound) return bound + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      rowMin = Math.min(rowMin, current[j]!);
    }
    if (rowMin > bound) return bound + 1;
    previous = current;
  }
  return previous[b.length]!;
}
