import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * The reference of the slide benchmark: a Deep Zoom folder written by `vips dzsave`, served as
 * plain files, each read from disk and sent as it is, in a process of its own. Prints its port.
 * Usage: node bench/staticTiles.ts /path/to/folder
 */
const root = path.resolve(process.argv[2]!);
const server = http.createServer((req, res) => {
  const file = path.join(root, path.normalize(decodeURIComponent(req.url!.split('?')[0]!)));
  if (!file.startsWith(root)) return void res.writeHead(404).end();
  fs.stat(file, (err, st) => {
    if (err || !st.isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.jpeg') ? 'image/jpeg' : 'application/xml', 'content-length': st.size });
    fs.createReadStream(file).pipe(res);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: (server.address() as { port: number }).port })));
