import http from 'node:http';

/**
 * The client side of the slide benchmark, in its own process as a browser would be: first the
 * slide's description and the tiles of the first view (the level at which the slide fits the
 * screen), then tiles at full resolution in random order, `concurrency` at a time over kept-alive
 * connections (a browser opens six per host). Prints one JSON line.
 * Usage: node bench/tileClient.ts '{"describe":"http://…","tile":"http://…/{level}/{col}_{row}.jpeg",…}'
 */
interface Spec {
  describe: string;
  tile: string;
  cookie: string;
  width: number;
  height: number;
  tileSize: number;
  screen: { width: number; height: number };
  fullResolutionTiles: number;
  concurrency: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const agent = new http.Agent({ keepAlive: true, maxSockets: spec.concurrency });

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers: spec.cookie ? { cookie: spec.cookie } : {} }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => (bytes += c.length));
      res.on('end', () => (res.statusCode === 200 ? resolve(bytes) : reject(new Error(`${res.statusCode} for ${url}`))));
    }).on('error', reject);
  });
}

const top = Math.ceil(Math.log2(Math.max(spec.width, spec.height)));
const levelSize = (level: number) => ({ w: Math.ceil(spec.width / 2 ** (top - level)), h: Math.ceil(spec.height / 2 ** (top - level)) });
const tileUrl = (level: number, col: number, row: number) => spec.tile.replace('{level}', String(level)).replace('{col}', String(col)).replace('{row}', String(row));

async function inParallel(urls: string[]): Promise<number> {
  let next = 0;
  let bytes = 0;
  await Promise.all(Array.from({ length: spec.concurrency }, async () => {
    for (let i = next++; i < urls.length; i = next++) bytes += await get(urls[i]!);
  }));
  return bytes;
}

// The first view: the deepest level that still fits the screen, every tile of it.
let fit = top;
while (fit > 0 && (levelSize(fit).w > spec.screen.width || levelSize(fit).h > spec.screen.height)) fit--;
const first: string[] = [];
const { w, h } = levelSize(fit);
for (let c = 0; c < Math.ceil(w / spec.tileSize); c++) for (let r = 0; r < Math.ceil(h / spec.tileSize); r++) first.push(tileUrl(fit, c, r));
const t0 = performance.now();
await get(spec.describe);
await inParallel(first);
const firstViewMs = performance.now() - t0;

// Full resolution, in a random order that is the same for every server (a fixed seed).
const full = levelSize(top);
const cols = Math.ceil(full.w / spec.tileSize);
const rows = Math.ceil(full.h / spec.tileSize);
let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const urls = Array.from({ length: spec.fullResolutionTiles }, () => tileUrl(top, Math.floor(random() * cols), Math.floor(random() * rows)));
const t1 = performance.now();
const bytes = await inParallel(urls);
const seconds = (performance.now() - t1) / 1000;
console.log(JSON.stringify({ firstViewMs, firstViewTiles: first.length, tilesPerSecond: urls.length / seconds, mbPerSecond: bytes / 1024 ** 2 / seconds }));
agent.destroy();
