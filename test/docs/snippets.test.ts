// Every ```ts snippet of README.md, docs/*.md and the doc comments of src/ (see snippets.ts for
// the convention): all type-checked in strict mode in one TypeScript program, and each one that
// can run is run on the cpu backend, with no tensor left behind. 'attentive-cutmix' resolves to
// src/ (a path mapping here, an alias in vitest.config.ts); test/package/readme.test.ts runs the
// README's snippets against the packed package.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

import * as tf from '@tensorflow/tfjs';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import { type Snippet, STAND_INS_GLOBAL, collectSnippets, libraryExports, markdownSnippets, sourceSnippets, toModule } from './snippets.js';
import { disposeStandIns, makeStandIns } from './stand_ins.js';

const root = resolve(import.meta.dirname, '../..');
const { snippets, escaped, malformed } = collectSnippets(root);
const exports = libraryExports(root);
const standInsModule = join(root, 'test/docs/stand_ins.js');

const id = (s: Snippet) => `${s.file}:${s.line}${s.flags.size > 0 ? ` (${[...s.flags].join(', ')})` : ''}`;

// Snippets that must fail, to show that the checks can: a type error on the fragment's third
// line (its import moves up, and the line number must still be right), and a tensor left behind.
const canaries = markdownSnippets(
  'canary.md',
  [
    '```ts fragment',
    "import { mixup } from 'attentive-cutmix';",
    'const mixed = mixup(xs, ys, { numClasses: 10 });',
    "const wrong: number = 'seven';",
    'tf.dispose(mixed);',
    '```',
    '```ts',
    "import * as tf from '@tensorflow/tfjs';",
    'export const kept = tf.zeros([2]);',
    '```',
  ].join('\n'),
).snippets;

// The snippets as modules, in a scratch folder inside the repository (ignored by git), so that
// their imports resolve from its node_modules as a user's would.
mkdirSync(join(root, '.cache'), { recursive: true });
const scratch = mkdtempSync(join(root, '.cache/doc-snippets-'));
const modules = [...snippets, ...canaries].map((snippet, i) => {
  const module = toModule(snippet, exports, standInsModule);
  const path = join(scratch, `${String(i).padStart(3, '0')}-${snippet.file.replace(/[^A-Za-z0-9]+/g, '_')}-${snippet.line}.ts`);
  writeFileSync(path, module.text);
  return { snippet, path, offset: module.offset };
});
type SnippetModule = (typeof modules)[number];
const [typeCanary, leakCanary] = modules.slice(snippets.length) as [SnippetModule, SnippetModule];
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The strict type check of every module, in one program: the messages for each module path. */
function typeCheck(): Map<string, string[]> {
  const { options, errors } = ts.convertCompilerOptionsFromJson(
    {
      strict: true,
      target: 'ES2022',
      module: 'ESNext',
      moduleResolution: 'Bundler',
      lib: ['ES2022', 'DOM'],
      types: ['node'],
      skipLibCheck: true,
      noEmit: true,
      paths: { 'attentive-cutmix': ['./src/index.ts'], 'attentive-cutmix/training': ['./src/training.ts'] },
    },
    root,
  );
  if (errors.length > 0) throw new Error(ts.formatDiagnostics(errors, ts.createCompilerHost({})));
  const program = ts.createProgram(modules.map((m) => m.path), options);
  const messages = new Map<string, string[]>(modules.map((m) => [m.path, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const module = modules.find((m) => diagnostic.file !== undefined && resolve(diagnostic.file.fileName) === m.path);
    const text = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    if (module === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
      // An error outside the snippets (in src/ under these options, say) is reported with the first one.
      const where = diagnostic.file === undefined ? '' : `${diagnostic.file.fileName}: `;
      messages.get(modules[0]!.path)!.push(`${where}TS${diagnostic.code}: ${text}`);
      continue;
    }
    const line = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line - module.offset;
    messages.get(module.path)!.push(`${module.snippet.file}:${module.snippet.line + line}: TS${diagnostic.code}: ${text}`);
  }
  return messages;
}

/**
 * Runs a module on the current backend (a fragment with fresh stand-ins, its console.log
 * silenced) and returns how many tensors it left behind. They are counted before the stand-ins
 * are made and after they are disposed: what the stand-ins come to hold (the optimizer state of
 * a model the fragment trains) is theirs.
 */
async function run(module: SnippetModule): Promise<number> {
  const before = tf.memory().numTensors;
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const standIns = module.snippet.flags.has('fragment') ? makeStandIns() : undefined;
  (globalThis as Record<string, unknown>)[STAND_INS_GLOBAL] = standIns;
  try {
    await import(pathToFileURL(module.path).href);
  } finally {
    log.mockRestore();
    delete (globalThis as Record<string, unknown>)[STAND_INS_GLOBAL];
    if (standIns !== undefined) disposeStandIns(standIns);
  }
  return tf.memory().numTensors - before;
}

describe('the snippet finder', () => {
  it('reads info strings and the line of each snippet, in markdown and in doc comments', () => {
    const md = markdownSnippets('a.md', 'text\n\n```ts fragment no-run\nconst a = 1;\n```\n\n  ```ts\n  const b = 2;\n  ```\n```sh\nnpm test\n```\n');
    expect(md.snippets.map((s) => [s.line, [...s.flags], s.code])).toEqual([
      [4, ['fragment', 'no-run'], 'const a = 1;'],
      [8, [], 'const b = 2;'],
    ]);
    const source = sourceSnippets('a.ts', '// x\n/**\n * Does it.\n * @example\n * ```ts fragment\n * const c = 3;\n *   const d = 4;\n * ```\n */\nexport const e = 5;\n');
    expect(source.snippets.map((s) => [s.line, s.code])).toEqual([[6, 'const c = 3;\n  const d = 4;']]);
  });

  it('reports blocks that would escape the checks: another TypeScript or JavaScript language, an unknown word', () => {
    const found = markdownSnippets('a.md', '```typescript\nlet a;\n```\n```js\nlet b;\n```\n```ts fragmnet\nlet c;\n```\n');
    expect(found.snippets).toEqual([]);
    expect(found.escaped.map((e) => e.info)).toEqual(['typescript', 'js']);
    expect(found.malformed.map((m) => m.reason)).toEqual(['unknown word(s) fragmnet; known: fragment, no-run, keeps-tensors, sets-backend']);
  });
});

describe('the snippets of the docs', () => {
  it('are found: README.md, docs/*.md and the doc comments of src/ each have as many as they are known to have, or more', () => {
    const count = (prefix: string) => snippets.filter((s) => s.file.startsWith(prefix)).length;
    expect(count('README.md')).toBeGreaterThanOrEqual(4);
    expect(count('docs/api.md')).toBeGreaterThanOrEqual(8);
    expect(count('docs/extractors.md')).toBeGreaterThanOrEqual(3);
    expect(count('docs/training.md')).toBeGreaterThanOrEqual(1);
    expect(count('src/')).toBeGreaterThanOrEqual(19);
    expect(snippets.filter((s) => !s.flags.has('no-run')).length).toBeGreaterThanOrEqual(25);
  });

  it('leave no @example of src/ without a ```ts block', () => {
    const withExamples = execFileSync('git', ['grep', '-l', '@example', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim().split('\n');
    expect(withExamples.length).toBeGreaterThanOrEqual(10);
    for (const file of withExamples) {
      const examples = readFileSync(join(root, file), 'utf8').match(/@example/g)!.length;
      expect(snippets.filter((s) => s.file === file).length, file).toBeGreaterThanOrEqual(examples);
    }
  });

  it('are all written ```ts, with known words after it (so that none escapes the checks)', () => {
    expect(escaped.map((e) => `${e.file}:${e.line}: \`\`\`${e.info}`)).toEqual([]);
    expect(malformed.map((m) => `${m.file}:${m.line}: \`\`\`${m.info}: ${m.reason}`)).toEqual([]);
  });

  it('train batch by batch only awaiting each step (dataset.forEachAsync does not await its callback)', () => {
    expect(snippets.filter((s) => /forEachAsync\s*\(/.test(s.code)).map(id)).toEqual([]);
  });

  describe('type-check in strict mode', () => {
    let messages: Map<string, string[]>;
    beforeAll(() => {
      messages = typeCheck();
    }, 120_000);
    it.each(modules.slice(0, snippets.length).map((m) => [id(m.snippet), m] as const))('%s', (_, module) => {
      expect(messages.get(module.path)).toEqual([]);
    });
    it('and a type error is reported at its line in the file', () => {
      expect(messages.get(typeCanary.path)).toEqual([`canary.md:4: TS2322: Type 'string' is not assignable to type 'number'.`]);
      expect(messages.get(leakCanary.path)).toEqual([]);
    });
  });

  describe('run on the cpu backend, leaving no tensor behind', () => {
    beforeAll(async () => {
      tf.env().set('PROD', true); // no "running in Node without tfjs-node" banner
      expect(await tf.setBackend('cpu')).toBe(true);
    });
    const runnable = modules.slice(0, snippets.length).filter((m) => !m.snippet.flags.has('no-run'));
    it.each(runnable.map((m) => [id(m.snippet), m] as const))('%s', async (_, module) => {
      const left = await run(module);
      if (module.snippet.flags.has('sets-backend')) {
        expect(tf.getBackend()).not.toBe('cpu');
        await tf.setBackend('cpu');
      }
      expect(tf.getBackend()).toBe('cpu');
      if (!module.snippet.flags.has('keeps-tensors')) expect(left, 'tensors left behind').toBe(0);
    }, 120_000);
    it('and a tensor left behind is counted', async () => {
      expect(await run(leakCanary)).toBe(1);
      ((await import(pathToFileURL(leakCanary.path).href)) as { kept: tf.Tensor }).kept.dispose(); // imported once: the same tensor
    });
  });
});
