import { printTable, writeResults, type BenchResult } from './harness.ts';
import { queueBenchmark } from './queue.bench.ts';

// `npm run bench [-- --quick]`: every benchmark, a table on stdout, JSON under bench/results/.
const quick = process.argv.includes('--quick');
const results: BenchResult[] = [];
for (const backend of ['pglite', 'postgres'] as const) results.push(await queueBenchmark(backend, quick ? 50 : 500));
printTable(results);
console.log(`Results written to ${writeResults(results)}`);
