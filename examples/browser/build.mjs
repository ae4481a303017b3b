// Builds the browser demo into examples/browser/dist/ (or --outdir DIR): the page, its script
// bundled with esbuild (the library straight from src/, no dist build needed), and the tfjs wasm
// files copied from node_modules, never fetched from a CDN.
//   node examples/browser/build.mjs [--outdir DIR]
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Builds the page into `outdir` and returns the folder. */
export async function buildDemo(outdir = join(here, 'dist')) {
  outdir = resolve(outdir);
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(join(outdir, 'wasm'), { recursive: true });
  await build({
    entryPoints: [join(here, 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    sourcemap: 'linked',
    outfile: join(outdir, 'main.js'),
    logLevel: 'warning',
  });
  copyFileSync(join(here, 'index.html'), join(outdir, 'index.html'));
  const wasmDir = dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'));
  for (const file of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, file), join(outdir, 'wasm', file));
  return outdir;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--outdir');
  try {
    const outdir = await buildDemo(at > 0 ? process.argv[at + 1] : undefined);
    console.log(`Built the browser demo into ${outdir}`);
  } catch (e) {
    // esbuild has already printed its errors.
    if (!e?.errors) console.error(e);
    process.exitCode = 1;
  }
}
