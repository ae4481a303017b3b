// Without Chromium the browser suites are skipped; the run says so in exactly one line, naming
// the path it looked at and how to run them (test/support/browser.ts, summary_reporter.ts).
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

import { describe, expect, it } from 'vitest';

import { BROWSER_SUITES, browserSkipLine, browserSupport } from '../support/browser.js';

const root = resolve(import.meta.dirname, '../..');
const absent = () => false;

describe('the line a run prints when it skips the browser suites', () => {
  it('names the suites, where Chromium was looked for, and how to run them', () => {
    const support = browserSupport({ CHROMIUM_PATH: '/nowhere/chromium' }, absent);
    expect(support).toEqual({ chromiumPath: '/nowhere/chromium', required: false, available: false, skipped: true });
    const line = browserSkipLine(BROWSER_SUITES.map((s) => `${root}/${s}`), support)!;
    expect(line).toBe(
      'browser suites skipped (test/conformance/browser.test.ts, test/examples/browser_demo.test.ts): Chromium not found at /nowhere/chromium; ' +
        'install chromium (apt-get install chromium) or set CHROMIUM_PATH to run them; REQUIRE_BROWSER=1 makes them mandatory',
    );
    expect(browserSupport({}, absent).chromiumPath).toBe('/usr/bin/chromium');
  });

  it('is not printed where Chromium is there, where it is required (the suites fail instead), or where no browser suite was in the run', () => {
    const all = BROWSER_SUITES.map((s) => `${root}/${s}`);
    expect(browserSkipLine(all, browserSupport({}, () => true))).toBeUndefined();
    expect(browserSkipLine(all, browserSupport({ REQUIRE_BROWSER: '1' }, absent))).toBeUndefined();
    expect(browserSkipLine([`${root}/test/docs/snippets.test.ts`], browserSupport({}, absent))).toBeUndefined();
    expect(browserSkipLine([all[0]!], browserSupport({}, absent))).toMatch(/^browser suites skipped \(test\/conformance\/browser\.test\.ts\): /);
  });

  it('is printed once by a vitest run of the browser suites without Chromium', async () => {
    const vitest = resolve(root, 'node_modules/vitest/vitest.mjs');
    const env = { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium', REQUIRE_BROWSER: '' };
    const { stdout } = await promisify(execFile)(process.execPath, [vitest, 'run', '--project', 'host', ...BROWSER_SUITES], { cwd: root, env, timeout: 120_000 });
    const lines = stdout.split('\n').filter((l) => l.includes('browser suites skipped'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('Chromium not found at /nonexistent/chromium');
    expect(stdout).toMatch(/\n0 passed, 0 failed, \d+ skipped\n/);
  }, 150_000);
});
