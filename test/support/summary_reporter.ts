// Ends the test run with one plain line, "N passed, N failed, N skipped", that any CI can read;
// before it, where the run skipped the browser suites for want of Chromium, one line saying so
// and how to run them (test/support/browser.ts).
import type { Reporter, TestModule } from 'vitest/node';

import { browserSkipLine } from './browser.js';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: readonly TestModule[]): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') counts.passed++;
        else if (state === 'failed') counts.failed++;
        else counts.skipped++;
      }
    }
    const skipped = browserSkipLine(testModules.map((m) => m.moduleId));
    console.log(`${skipped === undefined ? '' : `\n${skipped}`}\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  }
}
