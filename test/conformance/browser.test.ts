// The conformance suite in headless Chromium: the library bundled with esbuild, served from
// 127.0.0.1 with the COOP/COEP headers threaded wasm needs, run on cpu, wasm, webgl and webgpu
// (on SwiftShader where there is no GPU), each compared with the page's cpu results; then webgl
// again in a page that forces half-float textures, checked for what holds there (compare.ts), and
// each op at and past the limits of half-float textures (limits.ts).
// Skipped when Chromium is absent (the run says so in one line), unless REQUIRE_BROWSER=1 (as in
// CI), where that fails: see test/support/browser.ts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { build } from 'esbuild';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { browserSupport, chromiumRequiredMessage } from '../support/browser.js';
import { CASES } from './cases.js';
import { conformanceProblems, halfFloatProblems } from './compare.js';
import type { LimitReport } from './limits.js';
import type { BackendReport } from './runner.js';

const root = resolve(import.meta.dirname, '../..');
const browser = browserSupport();
// The GPU backends run twice: with the library's fused shaders, and on the composite path they replace.
const RUNS: [string, boolean][] = [['cpu', true], ['wasm', true], ['webgl', true], ['webgl', false], ['webgpu', true], ['webgpu', false]];
const MAPS_CASE = CASES.find((c) => c.name.startsWith('attentiveCutMix, maps of the image size'))!.name;
const BACKENDS = RUNS.map(([backend, fused]) => (fused ? backend : `${backend} (composite)`));

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.bin': 'application/octet-stream' };

/** Serves `routes` (URL prefix → folder) on 127.0.0.1 with cross-origin isolation headers. */
async function serve(routes: Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    const prefix = Object.keys(routes).find((p) => path.startsWith(p));
    const file = prefix === undefined ? undefined : normalize(join(routes[prefix]!, path.slice(prefix.length) || 'index.html'));
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    if (file === undefined || !file.startsWith(routes[prefix!]!) || !existsSync(file)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

describe.skipIf(browser.skipped)('conformance in Chromium', () => {
  const reports: Record<string, BackendReport> = {};
  const limits: Record<'float32' | 'float16', LimitReport[]> = { float32: [], float16: [] };
  const foreignRequests: string[] = [];
  const pageErrors: string[] = [];
  let context: BrowserContext | undefined;
  let server: Server | undefined;
  let scratch: string | undefined;
  let pageUrl = '';

  beforeAll(async () => {
    if (!browser.available) throw new Error(chromiumRequiredMessage(browser));
    scratch = mkdtempSync(join(tmpdir(), 'attentive-cutmix-browser-'));
    await build({ entryPoints: [join(root, 'test/conformance/browser_entry.ts')], bundle: true, format: 'esm', platform: 'browser', outfile: join(scratch, 'page/bundle.js'), logLevel: 'error' });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(scratch, 'page/index.html'), '<!doctype html><meta charset="utf-8"><script type="module" src="bundle.js"></script>');
    const served = await serve({
      '/wasm/': join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist/'),
      '/fixtures/': join(root, 'test/fixtures/models/'),
      '/': join(scratch, 'page/'),
    });
    server = served.server;
    context = await chromium.launchPersistentContext(join(scratch, 'profile'), {
      executablePath: browser.chromiumPath,
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--no-default-browser-check',
        // WebGPU on SwiftShader where there is no GPU (see shared/notes/backends.md).
        '--enable-unsafe-webgpu',
        '--enable-features=Vulkan',
        '--use-vulkan=swiftshader',
        '--use-angle=swiftshader',
      ],
    });
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(served.url)) return route.continue();
      foreignRequests.push(url);
      return route.abort();
    });
    pageUrl = served.url;
  }, 120_000);

  type Page = { environment(): Promise<unknown>; runConformance(b: string, f: boolean): Promise<BackendReport>; runLimits(): Promise<LimitReport[]> };

  /** Opens the page (with half-float textures forced, or not), runs `runs` and the limits there, and closes it. */
  async function runPage(halfFloat: boolean, runs: [string, boolean][]): Promise<void> {
    const page = await context!.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(m.text()))); // shader compile errors, lost devices
    await page.goto(`${pageUrl}/${halfFloat ? '?f16' : ''}`);
    await page.waitForFunction(() => 'runConformance' in window);
    expect(await page.evaluate(() => (window as unknown as Page).environment())).toEqual({ crossOriginIsolated: true, webgpu: true, wasmThreads: true, webglFloat32: !halfFloat });
    for (const [backend, fused] of runs) {
      const report = await page.evaluate(([b, f]) => (window as unknown as Page).runConformance(b, f), [backend, fused] as const);
      reports[report.backend] = report;
    }
    limits[halfFloat ? 'float16' : 'float32'] = await page.evaluate(() => (window as unknown as Page).runLimits());
    await page.close();
  }

  afterAll(async () => {
    await context?.close();
    server?.close();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 120_000); // closing Chromium waits for its GPU process, slow on a busy machine

  describe('float32 textures (webgl), and cpu, wasm and webgpu', () => {
    beforeAll(() => runPage(false, RUNS), 3_600_000); // about 5 minutes on SwiftShader with the CPUs to itself, 30 on 2 cores shared with a training run

    it.each(['webgl', 'webgpu'])("%s's fused shaders give the results of the composite path they replace", (backend) => {
      expect(conformanceProblems(reports[`${backend} (composite)`]!, reports[backend]!)).toEqual([]);
    });

    // The GPU backends paste by looking each pixel's cell up (PasteCells); the host ones walk the rectangles.
    it.each([
      ['cpu', 'AttentiveCutMixPasteRects'],
      ['wasm', 'AttentiveCutMixPasteRects'],
      ['webgl', 'AttentiveCutMixPasteCells'],
      ['webgpu', 'AttentiveCutMixPasteCells'],
    ])('%s runs attentiveCutMix on precomputed maps in at most 8 kernels, the fused pooling, selection and paste (%s) among them', (backend, pasteKernel) => {
      const kernels = reports[backend]!.cases[MAPS_CASE]!.kernels.b32;
      expect(kernels).toEqual(expect.arrayContaining(['AttentiveCutMixPoolCells', 'AttentiveCutMixSelectCells', pasteKernel]));
      expect(kernels.length, kernels.join(', ')).toBeLessThanOrEqual(8);
    });

    // Their composite paths were 3–9× cutMix on webgl in the benchmark: every backend has the fused kernels.
    it.each(['cpu', 'wasm', 'webgl', 'webgpu'])('%s runs resizeMix through the fused ResizePaste and fmix through PasteMask', (backend) => {
      const report = reports[backend]!;
      for (const [method, kernel] of [['resizeMix', 'AttentiveCutMixResizePaste'], ['fmix', 'AttentiveCutMixPasteMask']] as const) {
        for (const name of CASES.map((c) => c.name).filter((n) => n.startsWith(method))) {
          expect(report.cases[name]!.kernels.b32, name).toContain(kernel);
        }
      }
    });

    describe.each(BACKENDS)('%s', (backend) => {
      it.each(CASES.map((c) => c.name))('%s: same outputs as cpu, no read back, kernels independent of B, no leak', (name) => {
        const reference = reports.cpu!;
        expect(conformanceProblems({ ...reference, cases: { [name]: reference.cases[name]! } }, reports[backend]!)).toEqual([]);
      });
    });

    it('webgl gives exact results at and past every limit of half-float textures', () => {
      expect(reports.webgl!.halfFloat).toBe(false);
      expect(limits.float32.length).toBeGreaterThan(0);
      expect(limits.float32.filter((r) => r.refused !== undefined || r.problems.length > 0)).toEqual([]);
    });
  });

  // webgl again, in a page that forces half-float textures, as on phones whose GPUs cannot render
  // to float32 ones (with the library's shaders, as webgl always runs it).
  describe('half-float textures (webgl with WEBGL_FORCE_F16_TEXTURES)', () => {
    beforeAll(() => runPage(true, [['webgl', true]]), 900_000);

    it.each(CASES.map((c) => c.name))('%s: what holds on half-float textures (docs/backends.md), no read back, no leak', (name) => {
      const reference = reports.cpu!;
      expect(reports['webgl f16']!.halfFloat).toBe(true);
      expect(halfFloatProblems({ ...reference, cases: { [name]: reference.cases[name]! } }, reports['webgl f16']!)).toEqual([]);
    });

    it('gives exact results up to each limit (integers up to 2048), and refuses past it, naming half-float textures and the limit', () => {
      expect(limits.float16.filter((r) => !r.past && (r.refused !== undefined || r.problems.length > 0))).toEqual([]);
      expect(limits.float16.filter((r) => r.past).length).toBeGreaterThan(0);
      for (const r of limits.float16.filter((l) => l.past)) {
        expect(r.refused, r.probe).toMatch(/cannot give exact results for .* on this backend: webgl stores every tensor here in half-float \(float16\) textures .* integers exactly only up to 2048/);
        expect(r.problems, r.probe).toEqual([]);
      }
    });
  });

  it('fetches nothing from outside 127.0.0.1, and the pages log no error', () => {
    expect(foreignRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
