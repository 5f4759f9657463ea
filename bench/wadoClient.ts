import http from 'node:http';

/**
 * A WADO-RS reader in its own process, as a viewer on another machine would be: fetches a
 * multipart response `times` times, counting its parts as the bytes stream by (a viewer hands each
 * part on as it arrives) without gathering the body. Prints one JSON line: seconds of each
 * retrieval, bytes and parts of the last.
 * Usage: node bench/wadoClient.ts '{"url":"…","headers":{…},"times":3}'
 */
interface Spec {
  url: string;
  headers: Record<string, string>;
  times: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as Spec;
const agent = new http.Agent({ keepAlive: true });

function retrieve(): Promise<{ seconds: number; bytes: number; parts: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http.get(spec.url, { headers: spec.headers, agent }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`WADO answered ${res.statusCode}`));
      const boundary = /boundary="?([^";]+)"?/i.exec(String(res.headers['content-type']))?.[1];
      if (!boundary) return reject(new Error('no boundary'));
      const delimiter = Buffer.from(`\r\n--${boundary}`);
      let bytes = 0;
      let parts = 0;
      let tail: Buffer = Buffer.alloc(0);
      res.on('data', (chunk: Buffer) => {
        if (bytes === 0 && chunk.subarray(0, delimiter.length - 2).equals(delimiter.subarray(2))) parts++;
        bytes += chunk.length;
        // The delimiter may straddle two chunks: search the end of the last one with this one.
        const view = tail.length ? Buffer.concat([tail, chunk]) : chunk;
        for (let at = view.indexOf(delimiter); at !== -1; at = view.indexOf(delimiter, at + delimiter.length)) parts++;
        tail = view.subarray(Math.max(0, view.length - delimiter.length + 1));
      });
      // The closing delimiter ends the last part; it starts none.
      res.on('end', () => resolve({ seconds: (performance.now() - t0) / 1000, bytes, parts: parts - 1 }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

const seconds: number[] = [];
let last = { bytes: 0, parts: 0 };
for (let i = 0; i < spec.times; i++) {
  const r = await retrieve();
  seconds.push(r.seconds);
  last = r;
}
agent.destroy();
console.log(JSON.stringify({ seconds, bytes: last.bytes, parts: last.parts }));
