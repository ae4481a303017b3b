// The browser demo end to end: build it with examples/browser/build.mjs, serve it with
// examples/browser/serve.mjs, open it in headless Chromium and use it: it must load without an
// error, run on webgl, draw real images, outline exactly topN cells, take a picked PNG, fall back
// to wasm when asked, and fetch nothing from outside 127.0.0.1. Leaves a screenshot in
// test-artifacts/browser-demo.png (and docs/browser-demo.png with UPDATE_SCREENSHOTS=1).
// Skipped when Chromium is absent (the run says so in one line), unless REQUIRE_BROWSER=1 (as in
// CI), where that fails: see test/support/browser.ts.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { browserSupport, chromiumRequiredMessage } from '../support/browser.js';

const root = resolve(import.meta.dirname, '../..');
const browser = browserSupport();
const PANELS = ['base', 'partner-image', 'attention', 'result'];
/** Per test: renders on SwiftShader take a few hundred milliseconds each. */
const TIMEOUT = 30_000;

/** Starts serve.mjs on a free port and resolves to the process and the URL it prints. */
function startServer(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [join(root, 'examples/browser/serve.mjs'), '--dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((done, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve.mjs printed no URL: ${out}`)), 15_000);
    timer.unref();
    const read = (chunk: Buffer) => {
      out += chunk.toString();
      const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(out)?.[0];
      if (url) {
        clearTimeout(timer);
        done({ child, url });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => fail(new Error(`serve.mjs exited with ${code}: ${out}`)));
  });
}

/** Runs `action` and waits until the page has finished the render it causes. */
async function rendered(page: Page, action: () => Promise<unknown>): Promise<void> {
  const before = await page.evaluate(() => Number(document.body.dataset.renders ?? 0));
  await action();
  await page.waitForFunction((n) => document.body.dataset.state === 'ready' && Number(document.body.dataset.renders) > n, before, { timeout: 20_000 });
}

const dataset = (page: Page, selector: string, key: string) => page.$eval(selector, (el, k) => (el as HTMLElement).dataset[k], key);

/** A 96 × 64 PNG: a red disc on a blue-to-green gradient. */
function testPng(): Buffer {
  const png = new PNG({ width: 96, height: 64 });
  for (let y = 0; y < 64; y++) {
    for (let x = 0; x < 96; x++) {
      const p = 4 * (y * 96 + x);
      const disc = Math.hypot(x - 48, y - 32) < 18;
      png.data[p] = disc ? 230 : 20;
      png.data[p + 1] = disc ? 30 : Math.round((200 * x) / 96);
      png.data[p + 2] = disc ? 30 : 200 - Math.round((150 * y) / 64);
      png.data[p + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

/** What one drawn frame of the page showed while it started: its state, and whether the working notice was visible. */
interface Frame {
  state: string | undefined;
  drawn: boolean;
  notice: string | undefined;
}

/**
 * Run in the page before its own scripts: at every frame the browser draws until the page is
 * ready, records whether the working notice (#status) was visible, and what it said. A frame
 * blocked by the first WebGL compile is never drawn, so what it records is what the user saw.
 */
function recordFrames(): void {
  const frames: Frame[] = [];
  (window as unknown as { frames_: Frame[] }).frames_ = frames;
  const look = () => {
    const status = document.getElementById('status');
    if (status) {
      const style = getComputedStyle(status);
      const visible = style.display !== 'none' && style.visibility !== 'hidden' && status.getBoundingClientRect().height > 0;
      frames.push({ state: document.body.dataset.state, drawn: document.body.dataset.renders !== undefined, notice: visible ? status.textContent ?? '' : undefined });
    }
    if (document.body?.dataset.state !== 'ready' && document.body?.dataset.state !== 'failed') requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

describe.skipIf(browser.skipped)('browser demo (examples/browser)', () => {
  const foreignRequests: string[] = [];
  const localRequests: string[] = [];
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  let scratch: string | undefined;
  let server: ChildProcess | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let url: string;

  const watch = (p: Page) => {
    p.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    p.on('pageerror', (e) => pageErrors.push(e.message));
  };

  beforeAll(async () => {
    if (!browser.available) throw new Error(chromiumRequiredMessage(browser));
    scratch = mkdtempSync(join(tmpdir(), 'attentive-cutmix-demo-'));
    const site = join(scratch, 'site');
    execFileSync(process.execPath, [join(root, 'examples/browser/build.mjs'), '--outdir', site], { stdio: 'pipe' });
    expect(existsSync(join(site, 'index.html')) && existsSync(join(site, 'main.js')) && existsSync(join(site, 'wasm/tfjs-backend-wasm-threaded-simd.wasm'))).toBe(true);
    const served = await startServer(site);
    server = served.child;
    url = served.url;
    context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
      executablePath: browser.chromiumPath,
      headless: true,
      viewport: { width: 1080, height: 800 },
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check', '--use-angle=swiftshader'],
    });
    await context.route('**/*', (route) => {
      const requested = route.request().url();
      if (requested.startsWith(url)) {
        localRequests.push(requested.slice(url.length));
        return route.continue();
      }
      foreignRequests.push(requested);
      return route.abort();
    });
    await context.addInitScript(recordFrames);
    page = context.pages()[0] ?? (await context.newPage());
    watch(page);
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'failed', undefined, { timeout: 150_000 });
  }, 240_000); // the first render on SwiftShader, beside the conformance suite on a busy 2-core machine, can take minutes

  afterAll(async () => {
    await context?.close();
    server?.kill();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('loads, runs on webgl and says so', async () => {
    expect(await page.textContent('#message')).toBe('');
    expect(await dataset(page, '#backend', 'backend')).toBe('webgl');
    expect(await page.textContent('#backend')).toContain('webgl');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(Number(await dataset(page, '#batch', 'samples'))).toBe(8);
  }, TIMEOUT);

  it('shows that it is working in every frame it draws before the first mix, the first WebGL compile included', async () => {
    const frames = await page.evaluate(() => (window as unknown as { frames_: Frame[] }).frames_);
    const before = frames.filter((f) => !f.drawn);
    expect(before.length).toBeGreaterThan(0);
    expect(before.filter((f) => f.notice === undefined)).toEqual([]); // no frame of empty panels without the notice
    expect(before.map((f) => f.notice)).toContain('Working: the first mix compiles its WebGL shaders, which takes a few seconds without a GPU…');
    expect(await page.isVisible('#status')).toBe(false); // and gone once the mix is drawn
  }, TIMEOUT);

  it('draws real images in all four panels', async () => {
    const colours = await page.evaluate((ids) => {
      return ids.map((id) => {
        const canvas = document.getElementById(id) as HTMLCanvasElement;
        const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
        const seen = new Set<number>();
        for (let p = 0; p < data.length; p += 4) seen.add((data[p]! << 16) | (data[p + 1]! << 8) | data[p + 2]!);
        return seen.size;
      });
    }, PANELS);
    for (const count of colours) expect(count).toBeGreaterThan(100);
  }, TIMEOUT);

  it('outlines exactly topN cells, and follows every change of topN and grid', async () => {
    await rendered(page, () => page.selectOption('#partner', 'roll')); // i ← i − 1: every sample is mixed
    for (const topN of [1, 12, 0, 3, 6]) {
      await rendered(page, () => page.fill('#topN', String(topN)));
      expect(Number(await dataset(page, '#attention', 'outlinedCells'))).toBe(topN);
      expect(JSON.parse((await dataset(page, '#attention', 'cells'))!)).toHaveLength(topN);
      expect(Number(await dataset(page, '#summary', 'lambda'))).toBeCloseTo(1 - topN / 49, 6); // 224 px, grid 7: 32-px cells
    }
    await rendered(page, () => page.fill('#grid', '4'));
    expect(Number(await dataset(page, '#attention', 'outlinedCells'))).toBe(6);
    expect(Number(await dataset(page, '#summary', 'lambda'))).toBeCloseTo(1 - 6 / 16, 6);
    await rendered(page, () => page.fill('#grid', '2')); // topN is clamped to grid² = 4
    expect(await page.inputValue('#topN')).toBe('4');
    expect(Number(await dataset(page, '#attention', 'outlinedCells'))).toBe(4);
    await rendered(page, () => page.fill('#grid', '7'));
    await rendered(page, () => page.fill('#topN', '6'));
    expect(Number(await dataset(page, '#attention', 'outlinedCells'))).toBe(6);
  }, TIMEOUT);

  it('renders cutMix and mixup, and leaks no tensor', async () => {
    await rendered(page, () => page.selectOption('#method', 'cutMix'));
    expect(await dataset(page, '#attention', 'outlinedCells')).toBe('0');
    expect(await page.textContent('#summary')).toMatch(/box rows \d+–\d+, columns \d+–\d+/);
    await rendered(page, () => page.selectOption('#method', 'mixup'));
    const lambda = Number(await dataset(page, '#summary', 'lambda'));
    expect(lambda).toBeGreaterThan(0);
    expect(lambda).toBeLessThan(1);
    await rendered(page, () => page.selectOption('#method', 'attentiveCutMix'));
    const tensors = await dataset(page, '#footer', 'tensors');
    await rendered(page, () => page.click('#next-seed'));
    await rendered(page, () => page.click('#batch canvas:nth-child(3)'));
    expect(await dataset(page, '#footer', 'tensors')).toBe(tensors);
    expect(await page.textContent('#message')).toBe('');
  }, TIMEOUT);

  it('renders resizeMix, saliencyMix and fmix with their own options, and leaks no tensor', async () => {
    await rendered(page, () => page.selectOption('#partner', 'roll'));
    const tensors = await dataset(page, '#footer', 'tensors');
    await rendered(page, () => page.selectOption('#method', 'resizeMix'));
    await rendered(page, () => page.fill('#scale-lo', '0.5'));
    await rendered(page, () => page.fill('#scale-hi', '0.5'));
    expect(await page.textContent('#summary')).toMatch(/the whole partner scaled down into rows \d+–\d+, columns \d+–\d+: 12544 of 50176 pixels/); // 112 × 112 of 224 × 224
    expect(Number(await dataset(page, '#summary', 'lambda'))).toBeCloseTo(0.75, 6);
    await rendered(page, () => page.selectOption('#method', 'saliencyMix'));
    expect(await page.textContent('#summary')).toMatch(/centred on its saliency peak/);
    expect(await page.textContent('#attention-caption')).toMatch(/the box centred on its peak outlined/);
    await rendered(page, () => page.selectOption('#method', 'fmix'));
    await rendered(page, () => page.fill('#decay', '2'));
    const lambda = Number(await dataset(page, '#summary', 'lambda'));
    const pixels = Number((await page.textContent('#summary'))!.match(/(\d+) of 50176 pixels from the partner/)![1]);
    expect(lambda).toBeCloseTo(1 - pixels / 50176, 6);
    await rendered(page, () => page.fill('#decay', '0'));
    expect(await page.textContent('#message')).toMatch(/decay/);
    await rendered(page, () => page.fill('#decay', '3'));
    await rendered(page, () => page.selectOption('#method', 'attentiveCutMix'));
    expect(await dataset(page, '#footer', 'tensors')).toBe(tensors);
    expect(await page.textContent('#message')).toBe('');
  }, TIMEOUT);

  it('shows the library’s own message for an invalid option', async () => {
    await rendered(page, () => page.fill('#topN', '50'));
    expect(await page.textContent('#message')).toMatch(/topN/);
    await rendered(page, () => page.fill('#topN', '6'));
    expect(await page.textContent('#message')).toBe('');
  }, TIMEOUT);

  it('leaves a screenshot', async () => {
    // The page as it opens: the first sample with its shuffled partner, seed 5.
    await rendered(page, () => page.selectOption('#partner', 'shuffle'));
    await rendered(page, () => page.fill('#seed', '5'));
    await rendered(page, () => page.click('#batch canvas:nth-child(1)'));
    expect(Number(await dataset(page, '#attention', 'outlinedCells'))).toBe(6);
    mkdirSync(join(root, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(root, 'test-artifacts/browser-demo.png'), fullPage: true });
    if (process.env.UPDATE_SCREENSHOTS === '1') {
      // A small one for the README: the same layout zoomed out, cut below the summary.
      await page.setViewportSize({ width: Math.round(1080 * 0.62), height: 800 });
      const { width, height } = await page.evaluate(() => {
        document.body.style.zoom = '0.62';
        const controls = document.getElementById('controls')!.getBoundingClientRect();
        return { width: Math.ceil(controls.right + 12), height: Math.ceil(document.getElementById('summary')!.getBoundingClientRect().bottom + 8) };
      });
      const shot = await page.screenshot({ clip: { x: 0, y: 0, width, height } });
      await page.evaluate(() => (document.body.style.zoom = ''));
      await page.setViewportSize({ width: 1080, height: 800 });
      mkdirSync(join(root, 'docs'), { recursive: true });
      writeFileSync(join(root, 'docs/browser-demo.png'), shot);
    }
  }, TIMEOUT);

  it('takes a picked PNG into the batch, decoded by the browser', async () => {
    await rendered(page, () => page.setInputFiles('#files', { name: 'ball.png', mimeType: 'image/png', buffer: testPng() }));
    expect(await page.textContent('#message')).toBe('');
    expect(Number(await dataset(page, '#batch', 'samples'))).toBe(9);
    expect(await page.textContent('#base-caption')).toContain('ball');
    // The centre of the base panel is the red disc.
    const centre = await page.evaluate(() => [...(document.getElementById('base') as HTMLCanvasElement).getContext('2d')!.getImageData(224, 224, 1, 1).data]);
    expect(centre[0]).toBeGreaterThan(200);
    expect(centre[1]).toBeLessThan(60);
    expect(Number(await dataset(page, '#attention', 'outlinedCells'))).toBe(6);
  }, TIMEOUT);

  it('falls back to wasm, served from its own folder', async () => {
    const wasmPage = await context!.newPage();
    watch(wasmPage);
    await wasmPage.goto(`${url}?backend=wasm`);
    await wasmPage.waitForFunction(() => document.body.dataset.state === 'ready' || document.body.dataset.state === 'failed', undefined, { timeout: 30_000 });
    expect(await dataset(wasmPage, '#backend', 'backend')).toBe('wasm');
    expect(await wasmPage.textContent('#backend')).toContain('threaded');
    expect(await dataset(wasmPage, '#attention', 'outlinedCells')).toBe('6');
    expect(localRequests.filter((r) => /^wasm\/tfjs-backend-wasm[\w-]*\.wasm$/.test(r))).not.toEqual([]);
    await wasmPage.close();
  }, TIMEOUT);

  it('raises no error and fetches nothing from outside 127.0.0.1', () => {
    expect(pageErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });
});
