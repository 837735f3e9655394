// The image origin for `npm run bench -- --only images`: a plain static file server (Last-Modified, HEAD,
// streamed bodies) in a process of its own, so serving costs no CPU time of the process being measured.
// Prints its port on stdout; `GET /__stats` answers the request counts by method.
//   node --import tsx bench/image-origin-server.ts <directory>
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { pipeline } from 'node:stream/promises';

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: image-origin-server.ts <directory>\n');
  process.exit(2);
}
const counts: Record<string, number> = {};

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://origin').pathname;
  if (path === '/__stats') {
    res.end(JSON.stringify(counts));
    return;
  }
  counts[req.method ?? '?'] = (counts[req.method ?? '?'] ?? 0) + 1;
  const file = join(dir, normalize(path).replace(/^(\.\.[/\\])+/, ''));
  let size: number;
  let mtime: Date;
  try {
    ({ size, mtime } = statSync(file));
  } catch {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Length': String(size), 'Last-Modified': mtime.toUTCString(), 'Content-Type': 'application/octet-stream' });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), res).catch(() => res.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
