import { printTable, writeResults, type BenchResult } from './harness.ts';
import { matchingBenchmark } from './matching.bench.ts';
import { queueBenchmark } from './queue.bench.ts';
import { uploadBenchmark } from './upload.bench.ts';

// `npm run bench [-- --quick]`: every benchmark, a table on stdout, JSON under bench/results/.
const quick = process.argv.includes('--quick');
const results: BenchResult[] = [];
for (const backend of ['pglite', 'postgres'] as const) results.push(await queueBenchmark(backend, quick ? 50 : 500));
results.push(await matchingBenchmark(quick ? 20 : 200));
results.push(await uploadBenchmark(quick ? 100 * 1024 ** 2 : 1024 ** 3));
printTable(results);
for (const r of results) if (r.detail) console.log(`${r.name}: ${JSON.stringify(r.detail)}`);
console.log(`Results written to ${writeResults(results)}`);
