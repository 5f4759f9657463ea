import fs from 'node:fs';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';

/**
 * The client side of the upload benchmark, in its own process as a browser would be: creates a
 * tus upload and sends the file in PATCH requests of `chunk` bytes. Prints one JSON line with
 * the seconds taken and the server's last answer.
 * Usage: node bench/uploadClient.ts '{"base":"http://…","cookie":"…","file":"…","metadata":"…","chunk":67108864}'
 */
interface Spec {
  base: string;
  cookie: string;
  file: string;
  metadata: string;
  chunk: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const size = fs.statSync(spec.file).size;
const agent = new http.Agent({ keepAlive: true });

function request(method: string, url: string, headers: Record<string, string>, body?: fs.ReadStream): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { 'tus-resumable': '1.0.0', cookie: spec.cookie, ...headers }, agent }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(parts).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) pipeline(body, req).catch(reject);
    else req.end();
  });
}

const t0 = performance.now();
const created = await request('POST', `${spec.base}/api/uploads`, { 'upload-length': String(size), 'upload-metadata': spec.metadata });
if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
const location = new URL(String(created.headers.location), spec.base).toString();
let last = created;
for (let offset = 0; offset < size; offset += spec.chunk) {
  const end = Math.min(size, offset + spec.chunk);
  last = await request('PATCH', location, { 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream', 'content-length': String(end - offset) }, fs.createReadStream(spec.file, { start: offset, end: end - 1, highWaterMark: 1024 * 1024 }));
  if (last.status !== 204 && last.status !== 200) throw new Error(`upload failed: ${last.status} ${last.text}`);
}
console.log(JSON.stringify({ seconds: (performance.now() - t0) / 1000, answer: JSON.parse(last.text || '{}') }));
agent.destroy();
