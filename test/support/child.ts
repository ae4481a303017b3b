// Runs a TypeScript program in a fresh Node process (through tsx), for what a test cannot do in
// its own: a call that might never return, or an unhandled rejection that would end the process.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');

export interface ChildResult {
  /** The exit code, or null when the process was killed (by the time limit, or a signal). */
  status: number | null;
  /** True when the process ran past `timeoutMs` and was killed. */
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

/**
 * Runs `source` (a module; it may import `'@tensorflow/…'` packages and `SRC`, the absolute path of
 * src/index.ts, written `SRC` in the text) with Node, killing it after `timeoutMs`. The file
 * lives under node_modules/.cache, so that bare imports resolve as in the repository.
 */
export function runChild(source: string, timeoutMs: number): ChildResult {
  const parent = join(root, 'node_modules/.cache');
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(join(parent, 'attentive-cutmix-child-'));
  const file = join(dir, 'main.mts'); // an ES module (top-level await), whatever package.json is nearest
  writeFileSync(file, source.replaceAll('SRC', JSON.stringify(join(root, 'src/index.ts')).slice(1, -1)));
  try {
    const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: root, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' });
    const timedOut = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    return { status: r.status, timedOut, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
