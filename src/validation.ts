// Argument checks shared by every public function. Each error names the function, the
// argument, what was expected and what was given, in the wording tfjs-core's own ops use.
import { Tensor } from '@tensorflow/tfjs-core';

/** An `Error` for a public argument: `Argument 'x' passed to 'op' must be …, but got ….` */
export function argumentError(op: string, arg: string, expected: string, got: string): Error {
  return new Error(`Argument '${arg}' passed to '${op}' must be ${expected}, but got ${got}.`);
}

/** The message of any thrown value, an `Error` or not. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  try {
    return typeof e === 'string' ? e : String(JSON.stringify(e) ?? e);
  } catch {
    return Object.prototype.toString.call(e);
  }
}

/** Whether `e`, thrown by an import, says that the package `pkg` itself is not installed (not a failure inside it). */
export function isMissingPackage(e: unknown, pkg: string): boolean {
  const { code, message } = (e ?? {}) as { code?: string; message?: string };
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(pkg);
}

/** A short description of any value for an error message. */
export function describe(value: unknown): string {
  if (value instanceof Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  // A short list of numbers (weights, a range) by its values: which one is wrong shows at once.
  if (Array.isArray(value) && value.length > 0 && value.length <= 8 && value.every((v) => typeof v === 'number')) return `[${value.map(String).join(', ')}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return value instanceof DataView ? 'a DataView' : `a ${value.constructor.name} of length ${(value as Uint8Array).length}`;
  if (typeof value === 'object') {
    // An instance of a class (a model, a dataset) by what it is, not by its private fields.
    const prototype = Object.getPrototypeOf(value) as object | null;
    const name = prototype === null || prototype === Object.prototype ? undefined : (value.constructor as { name?: string } | undefined)?.name;
    if (name) return `an instance of ${name}`;
    const keys = Object.keys(value);
    return `an object with keys [${keys.slice(0, 8).join(', ')}${keys.length > 8 ? `, … (${keys.length} in all)` : ''}]`;
  }
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

/**
 * Rejects option names the function does not know, so a typo such as `{ aplha: 0.2 }` is not
 * silently ignored; `arg` names the object when it is not the options argument itself (a
 * schedule, an entry of `oneOf`), and a name that differs from a known one only in case is named.
 */
export function assertKnownOptions(op: string, options: object, known: readonly string[], arg = 'options'): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const where = arg === 'options' ? '' : ` in '${arg}'`;
      const meant = known.find((k) => k.toLowerCase() === key.toLowerCase());
      throw new Error(`Unknown option '${key}' passed to '${op}'${where}; ${meant ? `did you mean '${meant}'? ` : ''}the options are: ${known.join(', ')}.`);
    }
  }
}

/** Checks that an options argument (`arg` of `op`) is a plain object (or absent) and returns it. */
export function assertOptionsObject<T extends object>(op: string, options: T | undefined, arg = 'options'): T | Record<string, never> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw argumentError(op, arg, 'an object', describe(options));
  }
  return options;
}

/** Interval bounds for {@link assertNumber}; exclusive bounds are written `(` / `)` in messages. */
export interface NumberRule {
  min?: number;
  max?: number;
  minExclusive?: boolean;
  maxExclusive?: boolean;
  integer?: boolean;
}

/** Checks that `value` is a finite number (an integer if asked) inside the rule's interval. */
export function assertNumber(op: string, arg: string, value: unknown, rule: NumberRule = {}): asserts value is number {
  const { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false, integer = false } = rule;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (!integer || Number.isInteger(value)) &&
    (minExclusive ? value > min : value >= min) &&
    (maxExclusive ? value < max : value <= max);
  if (!ok) throw argumentError(op, arg, describeRule(rule), describe(value));
}

/** The interval (and integrality) of a {@link NumberRule}, as messages say it: `an integer in [0, 49]`. */
export function describeRule({ min, max, minExclusive, maxExclusive, integer }: NumberRule): string {
  const kind = integer ? 'an integer' : 'a number';
  if (min !== undefined && max !== undefined) {
    return `${kind} in ${minExclusive ? '(' : '['}${min}, ${max}${maxExclusive ? ')' : ']'}`;
  }
  if (min !== undefined) return `${kind} ${minExclusive ? '>' : '>='} ${min}`;
  if (max !== undefined) return `${kind} ${maxExclusive ? '<' : '<='} ${max}`;
  return `a finite ${integer ? 'integer' : 'number'}`;
}

/** Checks that `value` is one of the allowed strings; a near miss (`'cutmix'` for `'cutMix'`) gets the right spelling suggested. */
export function assertOneOf<T extends string>(op: string, arg: string, value: unknown, allowed: readonly T[]): asserts value is T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    const near = typeof value === 'string' ? spellingOf(value, allowed) : undefined;
    throw argumentError(op, arg, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, `${describe(value)}${near === undefined ? '' : ` (did you mean '${near}'?)`}`);
  }
}

/**
 * The allowed value that `given` spells differently: the first with the same letters and digits in
 * another case or with other separators (`'cut-mix'`, `'CutMix'`), else the only one it begins
 * (`'attentive'`).
 */
function spellingOf<T extends string>(given: string, allowed: readonly T[]): T | undefined {
  const bare = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
  const key = bare(given);
  if (key.length < 3) return undefined;
  const same = allowed.find((a) => bare(a) === key);
  const starting = allowed.filter((a) => bare(a).startsWith(key));
  return same ?? (starting.length === 1 ? starting[0] : undefined);
}
