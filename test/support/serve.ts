// A static file server on 127.0.0.1 for loader tests: files under `root`, 404 for the rest.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

/** Serves the files under `root`; returns its base URL (no trailing slash) and a way to close it. */
export async function serveFolder(root: string): Promise<{ url: string; close: () => void }> {
  const server = createServer((req, res) => {
    try {
      res.end(readFileSync(join(root, decodeURIComponent(new URL(req.url!, 'http://x').pathname))));
    } catch {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}
