// Serves the built browser demo on 127.0.0.1 with the cross-origin isolation headers (COOP/COEP)
// that threaded wasm needs, and prints its URL. Build it first with build.mjs.
//   node examples/browser/serve.mjs [--dir DIR] [--port PORT]   (PORT 0: any free port; default 8080)
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/** Serves `dir` on 127.0.0.1:`port`; resolves to the server and its URL. */
export async function serveDemo(dir = join(here, 'dist'), port = 8080) {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) throw new Error(`No built page in ${root}: run node examples/browser/build.mjs first.`);
  const server = createServer((req, res) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cache-Control', 'no-store');
    let path;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.statusCode = 400;
      return res.end();
    }
    const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if ((file !== root && !file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      return res.end('Not found');
    }
    res.setHeader('Content-Type', TYPES[extname(file)] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', done);
  });
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const option = (name) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const port = Number(option('--port') ?? process.env.PORT ?? 8080);
  try {
    const { url } = await serveDemo(option('--dir'), port);
    console.log(`Browser demo at ${url}  (Ctrl+C to stop)`);
  } catch (e) {
    console.error(e.code === 'EADDRINUSE' ? `Port ${port} is in use: pass --port N (0 for any free port).` : e.message);
    process.exitCode = 1;
  }
}
