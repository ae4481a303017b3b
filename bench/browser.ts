// Runs the benchmark on webgl in headless Chromium, when Chromium is installed.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';

import type { BenchRow } from './core.js';

export async function benchInChromium(root: string, shapes: [number, number, number, number][], log: (line: string) => void): Promise<BenchRow[] | undefined> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) {
    log(`webgl: skipped, no Chromium at ${executablePath}`);
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'attentive-cutmix-bench-'));
  try {
    await build({ entryPoints: [join(root, 'bench/page.ts')], bundle: true, format: 'esm', platform: 'browser', outfile: join(dir, 'bundle.js'), logLevel: 'error' });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="bundle.js"></script>');
    const server = createServer((req, res) => {
      const file = join(dir, req.url === '/' ? 'index.html' : (req.url ?? '').slice(1));
      if (!file.startsWith(dir) || !existsSync(file)) return void res.writeHead(404).end();
      res.setHeader('Content-Type', file.endsWith('.js') ? 'text/javascript' : 'text/html');
      res.end(readFileSync(file));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const context = await chromium.launchPersistentContext(join(dir, 'profile'), {
      executablePath,
      headless: true,
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-angle=swiftshader'],
    });
    try {
      const page = await context.newPage();
      page.on('console', (m) => log(m.text()));
      await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
      await page.waitForFunction(() => 'bench' in window);
      return await page.evaluate((s) => (window as unknown as { bench(s: number[][]): Promise<BenchRow[]> }).bench(s), shapes);
    } finally {
      await context.close();
      server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
