// Options tables: each op's options, with their defaults and rules, in one place. The unknown-
// option check, the defaults, the validation, and the option lists of mixDataset and the command
// line all derive from them.
import { argumentError, assertKnownOptions, assertNumber, assertOneOf, assertOptionsObject, describe, describeRule, type NumberRule } from './validation.js';

/**
 * One option of an op: its default and the rule its values keep. `T` includes `undefined` for
 * an option without a default.
 */
export interface OptionRule<T> {
  /** The value when the option is not given; undefined where there is none. */
  readonly default: T;
  /** What a value must be, in the words of the error messages: `'a number > 0'`. */
  readonly expected: string;
  /** Returns `value` when it keeps the rule, else throws an error naming `arg` of `op`. */
  check(op: string, arg: string, value: unknown): T;
}

/** An op's options by name. */
export type OptionsTable = { readonly [name: string]: OptionRule<unknown> };

/** The options of a table after validation: each given value, or its default. */
export type ResolvedOptions<T extends OptionsTable> = { -readonly [K in keyof T]: T[K] extends OptionRule<infer V> ? V : never };

/**
 * Checks `options` (the argument `arg` of `op`) against `table`: a plain object (or absent), no
 * name the table lacks, every value given keeping its rule; returns them with the defaults filled in.
 */
export function resolveOptions<T extends OptionsTable>(op: string, table: T, options: unknown, arg = 'options'): ResolvedOptions<T> {
  const given = assertOptionsObject(op, options as object | undefined, arg) as Record<string, unknown>;
  assertKnownOptions(op, given, Object.keys(table), arg);
  const resolved: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(table)) {
    const value = given[name];
    resolved[name] = value === undefined ? rule.default : rule.check(op, `${arg}.${name}`, value);
  }
  return resolved as ResolvedOptions<T>;
}

/** A number in the interval (and integral) that `rule` says. */
export function numberOption(rule: NumberRule & { default: number }): OptionRule<number>;
export function numberOption(rule: NumberRule): OptionRule<number | undefined>;
export function numberOption(rule: NumberRule & { default?: number }): OptionRule<number | undefined> {
  return {
    default: rule.default,
    expected: describeRule(rule),
    check(op, arg, value) {
      assertNumber(op, arg, value, rule);
      return value;
    },
  };
}

/** One of the strings `allowed`. */
export function oneOfOption<T extends string>(allowed: readonly T[], defaultValue: T): OptionRule<T>;
export function oneOfOption<T extends string>(allowed: readonly T[]): OptionRule<T | undefined>;
export function oneOfOption<T extends string>(allowed: readonly T[], defaultValue?: T): OptionRule<T | undefined> {
  return {
    default: defaultValue,
    expected: `one of ${allowed.map((a) => `'${a}'`).join(', ')}`,
    check(op, arg, value) {
      assertOneOf(op, arg, value, allowed);
      return value;
    },
  };
}

/** `true` or `false`. */
export function booleanOption(defaultValue: boolean): OptionRule<boolean>;
export function booleanOption(): OptionRule<boolean | undefined>;
export function booleanOption(defaultValue?: boolean): OptionRule<boolean | undefined> {
  return {
    default: defaultValue,
    expected: 'a boolean',
    check(op, arg, value) {
      if (typeof value !== 'boolean') throw argumentError(op, arg, 'a boolean', describe(value));
      return value;
    },
  };
}

/** A value that `isValid` accepts, described as `expected`; no default. */
export function customOption<T>(expected: string, isValid: (value: unknown) => value is T, got: (value: unknown) => string = describe): OptionRule<T | undefined> {
  return {
    default: undefined,
    expected,
    check(op, arg, value) {
      if (!isValid(value)) throw argumentError(op, arg, expected, got(value));
      return value;
    },
  };
}

/** `rule` with a default of `value`. */
export function withDefault<T>(rule: OptionRule<T | undefined>, value: T): OptionRule<T> {
  return { ...rule, default: value } as OptionRule<T>;
}
