// Whether the browser suites can run: they need Chromium at CHROMIUM_PATH (default
// /usr/bin/chromium). Without it they are skipped, and the run says so in one line (see
// summary_reporter.ts), unless REQUIRE_BROWSER=1 (as in CI), where they fail instead.
import { existsSync } from 'node:fs';

/** The suites that run in Chromium, relative to the repository root. */
export const BROWSER_SUITES = ['test/conformance/browser.test.ts', 'test/examples/browser_demo.test.ts'] as const;

export interface BrowserSupport {
  readonly chromiumPath: string;
  /** REQUIRE_BROWSER=1: a missing Chromium fails the suites instead of skipping them. */
  readonly required: boolean;
  readonly available: boolean;
  /** The suites are skipped: no Chromium, and not required. */
  readonly skipped: boolean;
}

export function browserSupport(env: NodeJS.ProcessEnv = process.env, exists: (path: string) => boolean = existsSync): BrowserSupport {
  const chromiumPath = env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  const required = env.REQUIRE_BROWSER === '1';
  const available = exists(chromiumPath);
  return { chromiumPath, required, available, skipped: !available && !required };
}

/** The error of a browser suite that must run (REQUIRE_BROWSER=1) without Chromium. */
export function chromiumRequiredMessage({ chromiumPath }: BrowserSupport): string {
  return `Chromium is required (REQUIRE_BROWSER=1) but not found at ${chromiumPath}; install it with apt-get install chromium, or set CHROMIUM_PATH.`;
}

/**
 * The one line a run prints when it skipped browser suites, or undefined: `files` are the test
 * files of the run (absolute, or relative to the root), so that a run without them says nothing.
 */
export function browserSkipLine(files: readonly string[], support: BrowserSupport = browserSupport()): string | undefined {
  const normalised = files.map((f) => f.replace(/\\/g, '/'));
  const suites = BROWSER_SUITES.filter((suite) => normalised.some((f) => f === suite || f.endsWith(`/${suite}`)));
  if (!support.skipped || suites.length === 0) return undefined;
  return (
    `browser suites skipped (${suites.join(', ')}): Chromium not found at ${support.chromiumPath}; ` +
    'install chromium (apt-get install chromium) or set CHROMIUM_PATH to run them; REQUIRE_BROWSER=1 makes them mandatory'
  );
}
