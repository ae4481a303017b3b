// The command line's parsing: help, defaults, every option, and a clear UsageError naming the
// option for every mistake.
import { describe, expect, it } from 'vitest';

import { type PreviewOptions, USAGE, parseArgs } from '../src/args.js';
import { UsageError } from '../src/errors.js';

const preview = (...args: string[]): PreviewOptions => {
  const parsed = parseArgs(['preview', ...args]);
  if (parsed.command !== 'preview') throw new Error('expected a preview command');
  return parsed.options;
};

const usageError = (args: string[]): UsageError => {
  try {
    parseArgs(args);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    return e as UsageError;
  }
  throw new Error(`parseArgs(${JSON.stringify(args)}) did not throw`);
};

describe('parseArgs', () => {
  it('asks for the usage with no arguments, -h, --help, help, and a bare command', () => {
    for (const args of [[], ['-h'], ['--help'], ['help'], ['preview'], ['preview', '--help'], ['preview', 'a.png', '-h', '--out', 'x.png'], ['nodes'], ['nodes', 'm.json', '--help']]) {
      expect(parseArgs(args)).toEqual({ command: 'help' });
    }
  });

  it('documents every option in the usage text', () => {
    for (const option of ['--out', '--method', '--model', '--feature-node', '--normalization', '--top-n', '--grid', '--alpha', '--scale', '--decay', '--mode', '--seed', '--size', '--limit', '--columns', '--backend', '--quiet', '--help']) {
      expect(USAGE).toContain(option);
    }
    expect(USAGE).toMatch(/^Usage: attentive-cutmix preview <images\.\.\.\|folder>/);
  });

  it('has defaults for everything but the images and --out', () => {
    expect(preview('a.png', 'b.jpg', '--out', 'grid.png')).toEqual({
      inputs: ['a.png', 'b.jpg'],
      out: 'grid.png',
      method: 'attentive',
      topN: 6,
      grid: 7,
      alpha: 1,
      mode: 'elem',
      seed: '0',
      size: 224,
      limit: 16,
      columns: 8,
      quiet: false,
    });
  });

  it('reads every option, as "--name value" and "--name=value", before or after the images', () => {
    const options = preview(
      '--method=attentive',
      'photos',
      '--model',
      'm/model.json',
      '--feature-node=block3/Relu',
      '--normalization',
      'symmetric',
      '--top-n',
      '10',
      '--grid=5',
      '--mode',
      'batch',
      '--seed',
      'run-3',
      '--size',
      '96',
      '--limit=4',
      '--columns',
      '2',
      '--backend',
      'cpu',
      '-q',
      'more.png',
      '--out=o.PNG',
    );
    expect(options).toEqual({
      inputs: ['photos', 'more.png'],
      out: 'o.PNG',
      method: 'attentive',
      model: 'm/model.json',
      featureNode: 'block3/Relu',
      normalization: 'symmetric',
      topN: 10,
      grid: 5,
      alpha: 1,
      mode: 'batch',
      seed: 'run-3',
      size: 96,
      limit: 4,
      columns: 2,
      backend: 'cpu',
      quiet: true,
    });
    expect(preview('a', 'b', '--method', 'mixup', '--alpha', '0.4', '--out', 'x.png')).toMatchObject({ method: 'mixup', alpha: 0.4 });
    expect(preview('a', 'b', '--method', 'cutmix', '--alpha=2', '--out', 'x.png')).toMatchObject({ method: 'cutmix', alpha: 2 });
    expect(preview('a', 'b', '--method', 'resizemix', '--scale', '0.2,0.6', '--out', 'x.png')).toMatchObject({ method: 'resizemix', scale: [0.2, 0.6] });
    expect(preview('a', 'b', '--method', 'fmix', '--decay', '2.5', '--alpha', '0.5', '--out', 'x.png')).toMatchObject({ method: 'fmix', decay: 2.5, alpha: 0.5 });
    expect(preview('a', 'b', '--method', 'saliencymix', '--model', 'm.json', '--out', 'x.png')).toMatchObject({ method: 'saliencymix', model: 'm.json' });
  });

  it("takes the library's names for the methods too, as mixDataset does", () => {
    expect(preview('a', 'b', '--method', 'cutMix', '--out', 'x.png')).toMatchObject({ method: 'cutmix' });
    expect(preview('a', 'b', '--method=attentiveCutMix', '--out', 'x.png')).toMatchObject({ method: 'attentive' });
    expect(preview('a', 'b', '--method', 'mixup', '--out', 'x.png')).toMatchObject({ method: 'mixup' });
    expect(() => preview('a', 'b', '--method', 'CutMix', '--out', 'x.png')).toThrow(/option --method must be one of attentive, cutmix, mixup, resizemix, saliencymix, fmix, but got 'CutMix'; did you mean 'cutmix'\?$/);
    expect(() => preview('a', 'b', '--mode', 'Batch', '--out', 'x.png')).toThrow(/option --mode must be one of elem, batch, but got 'Batch'; did you mean 'batch'\?$/);
  });

  it("reads the nodes command: one model, --input-size as HxW, --backend", () => {
    expect(parseArgs(['nodes', 'm.json'])).toEqual({ command: 'nodes', options: { model: 'm.json' } });
    expect(parseArgs(['nodes', '--input-size=64x48', 'm.json', '--backend', 'cpu'])).toEqual({ command: 'nodes', options: { model: 'm.json', inputSize: [64, 48], backend: 'cpu' } });
    expect(USAGE).toMatch(/attentive-cutmix nodes <model\.json> \[--input-size HxW\]/);
  });

  it('takes everything after -- as images, even names that start with a dash', () => {
    expect(preview('--out', 'x.png', '--', '-odd.png', '--size')).toMatchObject({ inputs: ['-odd.png', '--size'] });
  });

  it('takes a value that starts with dashes when it is written --name=value', () => {
    expect(preview('a', 'b', '--out=--odd.png', '--seed=--3')).toMatchObject({ out: '--odd.png', seed: '--3' });
    expect(preview('a', 'b', '--out', 'x.png', '--seed', '-3')).toMatchObject({ seed: '-3' });
  });

  it('names the command or option in every mistake', () => {
    const cases: [string[], RegExp][] = [
      [['mix', 'a.png'], /unknown command 'mix'; the commands are 'preview' and 'nodes'/],
      [['--out', 'x.png'], /unknown option '--out' before the command/],
      [['preview', 'a', 'b', '--out', 'x.png', '--topn', '3'], /unknown option '--topn'; did you mean '--top-n'\?/],
      [['preview', 'a', 'b', '--out', 'x.png', '--verbose'], /unknown option '--verbose'$/],
      [['preview', 'a', 'b', '--out', 'x.png', '--top_n', '3'], /unknown option '--top_n'; did you mean '--top-n'\?/],
      [['preview', 'a', 'b', '--out', 'x.png', '-qv'], /unknown option '-v'$/],
      [['preview', 'a', 'b', '--out', 'x.png', '--quiet=yes'], /option --quiet takes no value/],
      [['preview', 'a', 'b', '--out', 'x.png', '--constructor', 'x'], /unknown option '--constructor'$/],
      [['preview', 'a', 'b'], /option --out is required/],
      [['preview', 'a', 'b', '--out'], /option --out needs a value/],
      [['preview', 'a', 'b', '--out', '--seed', '1'], /option --out needs a value/],
      [['preview', 'a', 'b', '--out='], /option --out needs a value/],
      [['preview', 'a', 'b', '--out', 'grid.jpg'], /option --out must name a \.png file, but got 'grid\.jpg'/],
      [['preview', '--out', 'x.png'], /no images given/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'snapmix'], /option --method must be one of attentive, cutmix, mixup, resizemix, saliencymix, fmix, but got 'snapmix'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--mode', 'pairs'], /option --mode must be one of elem, batch, but got 'pairs'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--backend', 'webgl'], /option --backend must be one of wasm, cpu, but got 'webgl'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--model', 'm.json', '--normalization', 'caffe'], /option --normalization must be one of imagenet, unit, pixels, symmetric, but got 'caffe'/],
      [['nodes', 'a.json', 'b.json'], /nodes takes one model.json, but got 'a.json', 'b.json'/],
      [['nodes', '--backend', 'cpu'], /nodes takes one model.json, but got none/],
      [['nodes', 'm.json', '--input-size', '224'], /option --input-size must be HxW, such as 224x224, but got '224'/],
      [['nodes', 'm.json', '--input-size', '0x3'], /option --input-size must be an integer from 1 to 2048, but got '0'/],
      [['nodes', 'm.json', '--out', 'x.png'], /unknown option '--out'$/],
      [['preview', 'a', 'b', '--out', 'x.png', '--size', '0'], /option --size must be an integer from 1 to 2048, but got '0'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--size', '64.5'], /option --size must be an integer from 1 to 2048, but got '64\.5'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--size', '5000'], /option --size must be an integer from 1 to 2048, but got '5000'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--size', 'big'], /option --size must be an integer from 1 to 2048, but got 'big'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--limit', '1'], /option --limit must be an integer ≥ 2, but got '1'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--columns', '0'], /option --columns must be an integer ≥ 1, but got '0'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--grid', '-2'], /option --grid must be an integer ≥ 1, but got '-2'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--grid', '40', '--size', '32'], /option --grid must be at most --size \(32\)/],
      [['preview', 'a', 'b', '--out', 'x.png', '--top-n', '50'], /option --top-n must be an integer from 1 to 49, but got '50'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--top-n', '0'], /option --top-n must be an integer from 1 to 49, but got '0'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--grid', '2'], /option --top-n is needed with --grid 2/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'mixup', '--alpha', '0'], /option --alpha must be a number > 0, but got '0'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'cutmix', '--alpha', 'NaN'], /option --alpha must be a number > 0, but got 'NaN'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--alpha', '0.4'], /option --alpha applies only to --method cutmix, mixup, saliencymix, fmix \(attentive pastes --top-n cells\)/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'resizemix', '--alpha', '0.4'], /option --alpha applies only to .*\(resizemix draws its scale from --scale\)/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'resizemix', '--scale', '0.5,0.2'], /option --scale must be LO,HI with 0 < LO <= HI <= 1, such as 0\.1,0\.8, but got '0\.5,0\.2'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'resizemix', '--scale', '0.5'], /option --scale must be LO,HI/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'cutmix', '--scale', '0.2,0.5'], /option --scale applies only to --method resizemix, not cutmix/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'fmix', '--decay', '0'], /option --decay must be a number > 0, but got '0'/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'mixup', '--decay', '2'], /option --decay applies only to --method fmix, not mixup/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'saliencymix', '--grid', '4'], /option --grid applies only to --method attentive, not saliencymix/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'mixup', '--top-n', '3'], /option --top-n applies only to --method attentive, not mixup/],
      [['preview', 'a', 'b', '--out', 'x.png', '--method', 'cutmix', '--model', 'm.json'], /option --model applies only to --method attentive and saliencymix, not cutmix/],
      [['preview', 'a', 'b', '--out', 'x.png', '--feature-node', 'x'], /option --feature-node needs --model/],
    ];
    for (const [args, message] of cases) expect(usageError(args).message, args.join(' ')).toMatch(message);
  });
});
