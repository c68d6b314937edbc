// A small static file server for the web verifier and its test data, on 127.0.0.1 only:
// web/verifier/ at `/`, and (optionally) a fixture directory at `/fixture/`. Serves .wasm as
// application/wasm (so the browser can compile it while it downloads) and nothing outside the
// two directories.
//
// As a program: node web/tests/serve.mjs [--port N] [--fixture DIR]   (prints the address)

import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const VERIFIER_DIR = path.resolve(here, '../verifier');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jwt': 'text/plain; charset=utf-8',
  '.jws': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.md': 'text/plain; charset=utf-8',
};

/** The file under `root` that `relative` names, or null when it would leave `root`. */
function inside(root, relative) {
  const file = path.resolve(root, `.${path.posix.normalize(`/${relative}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : null;
}

/**
 * Starts the server: `mounts` is a list of [url prefix, directory], longest prefix first.
 * Resolves to `{server, origin}`; port 0 takes a free port.
 */
export function serve(mounts, { port = 0, host = '127.0.0.1' } = {}) {
  const table = mounts
    .map(([prefix, dir]) => [prefix, path.resolve(dir)])
    .sort((a, b) => b[0].length - a[0].length);
  const server = createServer(async (req, res) => {
    const fail = (status) => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`${status}\n`);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405);
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
    } catch {
      return fail(400);
    }
    const mount = table.find(([prefix]) => pathname.startsWith(prefix));
    if (!mount) return fail(404);
    let file = inside(mount[1], pathname.slice(mount[0].length));
    if (!file) return fail(403);
    try {
      let info = await stat(file);
      if (info.isDirectory()) {
        file = path.join(file, 'index.html');
        info = await stat(file);
      }
      if (!info.isFile()) return fail(404);
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
        'content-length': info.size,
        'cache-control': 'no-cache',
      });
      if (req.method === 'HEAD') return res.end();
      createReadStream(file).pipe(res);
    } catch {
      fail(404);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ server, origin: `http://${host}:${actual}` });
    });
  });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const mounts = [['/', VERIFIER_DIR]];
  const fixture = value('--fixture');
  if (fixture) mounts.push(['/fixture/', fixture]);
  const { origin } = await serve(mounts, { port: Number(value('--port') ?? 0) });
  console.log(`web verifier at ${origin}/`);
  if (fixture) console.log(`kiosk address: ${origin}/?bundle=${encodeURIComponent(`${origin}/fixture/setup/bundle.json`)}`);
}
