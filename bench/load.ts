/**
 * A load generator, run as its own process so that it does not share the server's event loop:
 * `concurrency` clients for `seconds`. Without `rate` each sends the next request as soon as the
 * last one answers (closed loop: what the server can do at most). With `rate` (requests/s in
 * all) each waits a random think time between requests, as people do (exponential, mean
 * concurrency/rate seconds). Prints one JSON line: requests, errors, latency percentiles (ms),
 * requests/s. Usage: node bench/load.ts '{"url":"…","cookie":"…","concurrency":50,"seconds":5}'
 */
interface LoadSpec {
  url: string;
  cookie?: string;
  concurrency: number;
  seconds: number;
  rate?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const headers: Record<string, string> = spec.cookie ? { cookie: spec.cookie } : {};
const latencies: number[] = [];
let errors = 0;
let firstError = '';
const until = performance.now() + spec.seconds * 1000;

const thinkMs = () => (spec.rate ? (-Math.log(1 - Math.random()) * spec.concurrency * 1000) / spec.rate : 0);

async function client() {
  for (;;) {
    const pause = thinkMs();
    if (pause) await new Promise((r) => setTimeout(r, pause));
    if (performance.now() >= until) break;
    const start = performance.now();
    try {
      const res = await fetch(spec.url, { headers });
      await res.arrayBuffer();
      if (res.status !== 200) {
        errors++;
        firstError ||= `HTTP ${res.status}`;
      }
    } catch (err) {
      errors++;
      firstError ||= (err as Error).message;
    }
    latencies.push(performance.now() - start);
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: spec.concurrency }, client));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
// Paced clients may sleep past the end before they notice it: their rate is over the time asked for.
console.log(JSON.stringify({ requests: latencies.length, errors, firstError, p50: at(0.5), p95: at(0.95), p99: at(0.99), rps: latencies.length / (spec.rate ? spec.seconds : elapsed) }));
