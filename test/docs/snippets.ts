// Finds the TypeScript snippets of the docs (```ts blocks of README.md and docs/*.md, and the
// ```ts blocks of the doc comments in src/) and turns each into a module that TypeScript can
// check and vitest can run. The convention, written down in docs/development.md:
//
//   ```ts                  a whole program: imports what it uses; type-checked, run, leak-checked
//   ```ts fragment         uses names defined elsewhere (`images`, `labels`, `model`, …: the
//                          stand-ins of stand_ins.ts), sees every export of attentive-cutmix and
//                          `tf` (@tensorflow/tfjs) unless it imports them itself; type-checked in
//                          that wrapper and run with the stand-ins, leak-checked
//   ```ts … no-run         type-checked only (it needs files or a server that the tests lack)
//   ```ts … keeps-tensors  run, but not leak-checked: it keeps tensors on purpose
//   ```ts … sets-backend   run, and the backend it selects (wasm) is set back to cpu afterwards
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

import { STAND_IN_NAMES } from './stand_ins.js';

/** The words an info string may add after `ts`. */
export const FLAGS = ['fragment', 'no-run', 'keeps-tensors', 'sets-backend'] as const;
export type Flag = (typeof FLAGS)[number];

export interface Snippet {
  /** The file it comes from, relative to the repository root. */
  readonly file: string;
  /** The line (1-based) of its first line of code in that file. */
  readonly line: number;
  readonly code: string;
  readonly flags: ReadonlySet<Flag>;
}

/** A code block whose language would escape the checks (it must be written ```ts). */
export interface Escaped {
  readonly file: string;
  readonly line: number;
  readonly info: string;
}

/** A fence with an info string that is not `ts` plus known flags: a typo would hide a snippet. */
export interface Malformed extends Escaped {
  readonly reason: string;
}

interface Fence {
  readonly line: number;
  readonly info: string;
  readonly code: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})(.*)$/;

/** The fenced code blocks of markdown text; `firstLine` is the line number of `lines[0]` in its file. */
function fences(lines: readonly string[], firstLine: number): Fence[] {
  const found: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, marker, info] = open as unknown as [string, string, string, string];
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = FENCE.exec(lines[j]!);
      if (close !== null && close[2]![0] === marker[0] && close[2]!.length >= marker.length && close[3]!.trim() === '') break;
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!.trimStart());
    }
    found.push({ line: firstLine + i + 1, info: info.trim(), code: body.join('\n') });
    i = j;
  }
  return found;
}

/** The lines of each doc comment of a source file, `*` prefixes removed, with its first line number. */
function docComments(text: string): { lines: string[]; firstLine: number }[] {
  const comments: { lines: string[]; firstLine: number }[] = [];
  const pattern = /\/\*\*[\s\S]*?\*\//g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    const firstLine = text.slice(0, m.index).split('\n').length;
    const lines = m[0].split('\n').map((l, i) => (i === 0 ? l.replace(/^\s*\/\*\*\s?/, '') : l.replace(/^\s*\*\/$/, '').replace(/^\s*\* ?/, '')));
    comments.push({ lines, firstLine });
  }
  return comments;
}

const TS_LIKE = new Set(['typescript', 'tsx', 'js', 'javascript', 'mjs', 'cjs', 'jsx']);

export interface Found {
  readonly snippets: Snippet[];
  readonly escaped: Escaped[];
  readonly malformed: Malformed[];
}

/** Sorts the fences of one file into snippets, escaped blocks and malformed info strings. */
function classify(file: string, found: readonly Fence[], into: Found): Found {
  for (const fence of found) {
    const [lang = '', ...words] = fence.info.split(/\s+/).filter((w) => w !== '');
    if (TS_LIKE.has(lang.toLowerCase())) into.escaped.push({ file, line: fence.line, info: fence.info });
    if (lang !== 'ts') continue;
    const unknown = words.filter((w) => !(FLAGS as readonly string[]).includes(w));
    if (unknown.length > 0) {
      into.malformed.push({ file, line: fence.line, info: fence.info, reason: `unknown word(s) ${unknown.join(', ')}; known: ${FLAGS.join(', ')}` });
      continue;
    }
    into.snippets.push({ file, line: fence.line, code: fence.code, flags: new Set(words as Flag[]) });
  }
  return into;
}

const nothing = (): Found => ({ snippets: [], escaped: [], malformed: [] });

/** The snippets of a markdown file's text. */
export function markdownSnippets(file: string, text: string, into: Found = nothing()): Found {
  return classify(file, fences(text.split('\n'), 1), into);
}

/** The snippets of the doc comments of a source file's text. */
export function sourceSnippets(file: string, text: string, into: Found = nothing()): Found {
  return classify(file, docComments(text).flatMap(({ lines, firstLine }) => fences(lines, firstLine)), into);
}

function walk(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

/** Every snippet of README.md, docs/*.md and the doc comments of src/, in file order. */
export function collectSnippets(root: string): Found {
  const into = nothing();
  const markdown = [join(root, 'README.md'), ...walk(join(root, 'docs'), (n) => n.endsWith('.md')).sort()];
  for (const path of markdown) markdownSnippets(relative(root, path), readFileSync(path, 'utf8'), into);
  for (const path of walk(join(root, 'src'), (n) => n.endsWith('.ts')).sort()) sourceSnippets(relative(root, path), readFileSync(path, 'utf8'), into);
  return into;
}

/** The names attentive-cutmix exports (from src/index.ts), and whether each is a type only. */
export function libraryExports(root: string): { name: string; typeOnly: boolean }[] {
  const file = ts.createSourceFile('index.ts', readFileSync(join(root, 'src/index.ts'), 'utf8'), ts.ScriptTarget.Latest);
  const names: { name: string; typeOnly: boolean }[] = [];
  for (const statement of file.statements) {
    if (!ts.isExportDeclaration(statement) || statement.exportClause === undefined || !ts.isNamedExports(statement.exportClause)) continue;
    for (const element of statement.exportClause.elements) names.push({ name: element.name.text, typeOnly: statement.isTypeOnly || element.isTypeOnly });
  }
  return names;
}

/** The global through which a running fragment gets its stand-ins. */
export const STAND_INS_GLOBAL = '__attentiveCutmixDocStandIns';

export interface Module {
  /** The module's text: the snippet as it is, or a fragment in its wrapper. */
  readonly text: string;
  /** Lines of the module before the snippet's first line (a diagnostic on line L is on the snippet's line L − offset). */
  readonly offset: number;
}

/**
 * The module for a snippet. A whole program is its own module. A fragment keeps its imports at
 * the top; then come `tf` and every export of attentive-cutmix that it does not import itself,
 * and the stand-ins it does not import (typed by stand_ins.ts, their values taken from a global
 * at run time); then its code, in a block, so that a name it declares may shadow any of those.
 */
export function toModule(snippet: Snippet, exports: readonly { name: string; typeOnly: boolean }[], standInsModule: string): Module {
  if (!snippet.flags.has('fragment')) return { text: snippet.code, offset: 0 };
  const source = ts.createSourceFile('fragment.ts', snippet.code, ts.ScriptTarget.Latest, true);
  const imports = source.statements.filter(ts.isImportDeclaration);
  const bound = new Set<string>();
  for (const declaration of imports) {
    const clause = declaration.importClause;
    if (clause?.name !== undefined) bound.add(clause.name.text);
    const named = clause?.namedBindings;
    if (named !== undefined && ts.isNamespaceImport(named)) bound.add(named.name.text);
    if (named !== undefined && ts.isNamedImports(named)) for (const element of named.elements) bound.add(element.name.text);
  }
  // The fragment's own import statements move up; what stays has the same lines, imports blanked.
  let body = snippet.code;
  for (const declaration of [...imports].reverse()) {
    const [start, end] = [declaration.getStart(source), declaration.getEnd()];
    body = body.slice(0, start) + body.slice(start, end).replace(/[^\n]/g, ' ') + body.slice(end);
  }
  const header = imports.map((d) => d.getText(source).replace(/\n/g, ' '));
  if (!bound.has('tf')) header.push("import * as tf from '@tensorflow/tfjs';");
  const library = exports.filter(({ name }) => !bound.has(name)).map(({ name, typeOnly }) => (typeOnly ? `type ${name}` : name));
  header.push(`import { ${library.join(', ')} } from 'attentive-cutmix';`);
  header.push(`import type { StandIns } from '${standInsModule}';`);
  const standIns = STAND_IN_NAMES.filter((name) => !bound.has(name));
  header.push(`const { ${standIns.join(', ')} } = (globalThis as unknown as Record<string, StandIns>)['${STAND_INS_GLOBAL}']!;`);
  header.push('{');
  return { text: `${header.join('\n')}\n${body}\n}\nexport {};\n`, offset: header.length };
}
