// The command line of `attentive-cutmix`: parsing and checking it, and its usage text.
import util from 'node:util';

import { type MixMode, NORMALIZATION_NAMES, type Normalization } from 'attentive-cutmix';

import { BACKENDS, type BackendName } from './backend.js';
import { UsageError } from './errors.js';
import { ALPHA_METHODS, ATTENTION_METHODS, METHODS, METHOD_FUNCTIONS, type Method } from './preview.js';

export const USAGE = `Usage: attentive-cutmix preview <images...|folder> --out grid.png [options]
       attentive-cutmix nodes <model.json> [--input-size HxW] [--backend NAME]

Mixes your own PNG or JPEG images with Attentive CutMix, CutMix, Mixup, ResizeMix, SaliencyMix or
FMix and writes a PNG grid: one column per image; rows: the image, its partner, the partner's
attention map with the pasted cells or box outlined (attentive and saliencymix only), and the
mixed image with lambda and the mixed label under it.

Arguments:
  <images...|folder>     PNG or JPEG files, or folders of them (not searched recursively);
                         at least 2 images, taken in the order given (a folder's by name)

Options:
  --out FILE.png         where to write the grid (required)
  --method NAME          attentive (default), cutmix, mixup, resizemix, saliencymix or fmix; the
                         library's names (attentiveCutMix, cutMix, resizeMix, saliencyMix) are
                         taken too, as mixDataset takes them
  --model PATH           attentive, saliencymix: model.json of a graph or layers model
                         (TensorFlow.js format) whose feature map gives the attention (default:
                         the built-in saliency extractor)
  --feature-node NAME    the model node or layer that gives the feature map, or the end of its
                         name (default: its last spatial one; 'nodes' lists them)
  --normalization NAME   how --model inputs are normalised: imagenet, unit, pixels or symmetric
                         (default: unit or pixels where the model scales its input itself, else
                         imagenet)
  --top-n N              attentive: how many cells are pasted (default 6)
  --grid N               attentive: each image is cut into N × N cells (default 7)
  --alpha A              cutmix, mixup, saliencymix, fmix: lambda ~ Beta(A, A) (default 1)
  --scale LO,HI          resizemix: the partner is scaled down by τ from [LO, HI] (default 0.1,0.8)
  --decay D              fmix: the noise's spectrum falls as 1/f^D; larger is smoother (default 3)
  --mode NAME            elem: a lambda per image (default); batch: one for all, as in training
  --seed S               seed of the random draws (default 0): the same seed gives the same grid
  --size N               images are cropped to their central square and resized to N × N
                         pixels before mixing (default 224)
  --limit N              use only the first N images (default 16)
  --columns N            images per band of the grid; more wrap into further bands (default 8)
  --backend NAME         wasm or cpu (default: wasm when it is installed, else cpu)
  -q, --quiet            print nothing but errors
  -h, --help             print this text

attentive-cutmix nodes <model.json>
  Lists the nodes (graph model) or layers (layers model) whose output is a spatial map, the
  candidates for --feature-node, with their output shapes; marks the default one; and says which
  normalisation the model gets by default, and why.
  --input-size HxW       the image size to run the model at (default: the model's own)

Examples:
  npx attentive-cutmix preview photos/ --out preview.png
  npx attentive-cutmix preview a.jpg b.jpg c.png --method cutmix --seed 3 --out grid.png
  npx attentive-cutmix preview photos/ --model resnet50/model.json --out grid.png
  npx attentive-cutmix nodes resnet50/model.json`;

/** What `attentive-cutmix preview` was asked to do. */
export interface PreviewOptions {
  inputs: string[];
  out: string;
  method: Method;
  model?: string;
  featureNode?: string;
  normalization?: Exclude<Normalization, object>;
  topN: number;
  grid: number;
  alpha: number;
  scale?: [number, number];
  decay?: number;
  mode: MixMode;
  seed: string;
  size: number;
  limit: number;
  columns: number;
  backend?: BackendName;
  quiet: boolean;
}

/** What `attentive-cutmix nodes` was asked to do. */
export interface NodesOptions {
  model: string;
  inputSize?: [number, number];
  backend?: BackendName;
}

export type Command = { command: 'help' } | { command: 'preview'; options: PreviewOptions } | { command: 'nodes'; options: NodesOptions };

/** How `util.parseArgs` is to read each option: a value after it, or none. */
type OptionSpecs = Record<string, { type: 'string' } | { type: 'boolean'; short: string }>;

/** Options that are followed by a value. */
const withValues = (...names: string[]): OptionSpecs => Object.fromEntries(names.map((name) => [name, { type: 'string' }]));
/** -q, --quiet, which every command accepts. */
const QUIET: OptionSpecs = { quiet: { type: 'boolean', short: 'q' } };
const PREVIEW_OPTIONS: OptionSpecs = {
  ...withValues('out', 'method', 'model', 'feature-node', 'normalization', 'top-n', 'grid', 'alpha', 'scale', 'decay', 'mode', 'seed', 'size', 'limit', 'columns', 'backend'),
  ...QUIET,
};
const NODES_OPTIONS: OptionSpecs = { ...withValues('input-size', 'backend'), ...QUIET };
const MODES = ['elem', 'batch'] as const;
const MAX_SIZE = 2048;

/** Parses the arguments after the program name. Every mistake is a {@link UsageError} naming the option. */
export function parseArgs(argv: readonly string[]): Command {
  if (argv.length === 0 || argv.some((a) => a === '-h' || a === '--help') || (argv.length === 1 && argv[0] === 'help')) return { command: 'help' };
  const [command, ...rest] = argv;
  if (command !== 'preview' && command !== 'nodes') {
    throw new UsageError(command!.startsWith('-') ? `unknown option '${command}' before the command; the commands are 'preview' and 'nodes'` : `unknown command '${command}'; the commands are 'preview' and 'nodes'`);
  }
  if (rest.length === 0) return { command: 'help' };
  return command === 'nodes' ? parseNodes(rest) : parsePreview(rest);
}

/**
 * The option values (by name, without the dashes) and the other arguments of a command.
 * util.parseArgs splits them (`--name value`, `--name=value`, `-q`, `--` before arguments that
 * start with a dash); its non-strict mode hands every option over as a token, so that the mistakes
 * are reported here, in the command line's own words.
 */
function readArgs(rest: readonly string[], specs: OptionSpecs) {
  const { tokens } = util.parseArgs({ args: [...rest], options: specs, allowPositionals: true, strict: false, tokens: true });
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const inputs: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') inputs.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(specs, token.name) ? specs[token.name] : undefined; // not '--constructor'
    if (!spec) {
      const near = Object.keys(specs).find((name) => bare(name) === bare(token.name));
      throw new UsageError(`unknown option '${token.rawName}'${near ? `; did you mean '--${near}'?` : ''}`);
    }
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`option ${token.rawName} takes no value`);
      flags.add(token.name);
      continue;
    }
    // A value that looks like the next option means the value was left out.
    const { value } = token;
    if (value === undefined || value === '' || (!token.inlineValue && value.startsWith('--'))) throw new UsageError(`option --${token.name} needs a value`);
    values.set(token.name, value);
  }
  return { values, inputs, quiet: flags.has('quiet') };
}

function parseNodes(rest: readonly string[]): Command {
  const { values, inputs } = readArgs(rest, NODES_OPTIONS);
  if (inputs.length !== 1) throw new UsageError(`nodes takes one model.json, but got ${inputs.length === 0 ? 'none' : inputs.map((i) => `'${i}'`).join(', ')}`);
  const options: NodesOptions = { model: inputs[0]! };
  const size = values.get('input-size');
  if (size !== undefined) {
    const match = /^(\d+)[x×,](\d+)$/.exec(size.trim());
    if (!match) throw new UsageError(`option --input-size must be HxW, such as 224x224, but got '${size}'`);
    options.inputSize = [integer('--input-size', match[1]!, 1, MAX_SIZE), integer('--input-size', match[2]!, 1, MAX_SIZE)];
  }
  if (values.has('backend')) options.backend = oneOf('--backend', values.get('backend')!, BACKENDS);
  return { command: 'nodes', options };
}

function parsePreview(rest: readonly string[]): Command {
  const { values, inputs, quiet } = readArgs(rest, PREVIEW_OPTIONS);
  const out = values.get('out');
  if (out === undefined) throw new UsageError('option --out is required: the PNG file to write the grid to');
  if (!/\.png$/i.test(out)) throw new UsageError(`option --out must name a .png file, but got '${out}'`);

  const method = methodNamed(values.get('method') ?? 'attentive');
  const mode = oneOf('--mode', values.get('mode') ?? 'elem', MODES);
  const size = integer('--size', values.get('size') ?? '224', 1, MAX_SIZE);
  const limit = integer('--limit', values.get('limit') ?? '16', 2);
  const columns = integer('--columns', values.get('columns') ?? '8', 1);
  const backend = values.has('backend') ? oneOf('--backend', values.get('backend')!, BACKENDS) : undefined;
  const seed = values.get('seed') ?? '0';

  for (const option of ['top-n', 'grid'] as const) {
    if (values.has(option) && method !== 'attentive') throw new UsageError(`option --${option} applies only to --method attentive, not ${method}`);
  }
  for (const option of ['model', 'feature-node', 'normalization'] as const) {
    if (values.has(option) && !ATTENTION_METHODS.includes(method)) throw new UsageError(`option --${option} applies only to --method attentive and saliencymix, not ${method}`);
  }
  if (values.has('alpha') && !ALPHA_METHODS.includes(method)) {
    throw new UsageError(`option --alpha applies only to --method ${ALPHA_METHODS.join(', ')} (${method === 'attentive' ? 'attentive pastes --top-n cells' : 'resizemix draws its scale from --scale'})`);
  }
  if (values.has('scale') && method !== 'resizemix') throw new UsageError(`option --scale applies only to --method resizemix, not ${method}`);
  if (values.has('decay') && method !== 'fmix') throw new UsageError(`option --decay applies only to --method fmix, not ${method}`);
  for (const option of ['feature-node', 'normalization'] as const) {
    if (values.has(option) && !values.has('model')) throw new UsageError(`option --${option} needs --model`);
  }
  const alpha = number('--alpha', values.get('alpha') ?? '1');
  const grid = integer('--grid', values.get('grid') ?? '7', 1);
  if (grid > size) throw new UsageError(`option --grid must be at most --size (${size}) so that every cell holds a pixel, but got ${grid}`);
  if (!values.has('top-n') && grid * grid < 6) throw new UsageError(`option --top-n is needed with --grid ${grid}: the default of 6 cells is more than the grid's ${grid * grid}`);
  const topN = integer('--top-n', values.get('top-n') ?? '6', 1, grid * grid);

  const options: PreviewOptions = { inputs, out, method, topN, grid, alpha, mode, seed, size, limit, columns, quiet };
  if (values.has('scale')) options.scale = scaleRange(values.get('scale')!);
  if (values.has('decay')) options.decay = number('--decay', values.get('decay')!);
  if (values.has('model')) options.model = values.get('model')!;
  if (values.has('feature-node')) options.featureNode = values.get('feature-node')!;
  if (values.has('normalization')) options.normalization = oneOf('--normalization', values.get('normalization')!, NORMALIZATION_NAMES);
  if (backend) options.backend = backend;
  if (inputs.length === 0) throw new UsageError('no images given: name at least 2 PNG or JPEG files, or a folder of them');
  return { command: 'preview', options };
}

/** The method a --method value names: the command's own name, or the library function's (`cutMix`), as mixDataset takes them. */
function methodNamed(value: string): Method {
  return METHODS.find((m) => METHOD_FUNCTIONS[m] === value) ?? oneOf('--method', value, METHODS);
}

/** A name without case and separators, to recognise one written another way (`--top_n`, `CutMix`). */
const bare = (name: string) => name.toLowerCase().replace(/[-_]/g, '');

function oneOf<T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    const near = allowed.find((name) => bare(name) === bare(value));
    throw new UsageError(`option ${option} must be one of ${allowed.join(', ')}, but got '${value}'${near ? `; did you mean '${near}'?` : ''}`);
  }
  return value as T;
}

function integer(option: string, value: string, min: number, max = Infinity): number {
  const n = /^\+?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`option ${option} must be ${range}, but got '${value}'`);
  }
  return n;
}

function number(option: string, value: string): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`option ${option} must be a number > 0, but got '${value}'`);
  return n;
}

/** `LO,HI` with 0 < LO <= HI <= 1. */
function scaleRange(value: string): [number, number] {
  const parts = value.split(',').map((p) => (p.trim() === '' ? NaN : Number(p)));
  const [lo, hi] = parts as [number, number];
  if (parts.length !== 2 || !(lo > 0 && lo <= hi && hi <= 1)) throw new UsageError(`option --scale must be LO,HI with 0 < LO <= HI <= 1, such as 0.1,0.8, but got '${value}'`);
  return [lo, hi];
}
