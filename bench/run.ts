import { auditBenchmark } from './audit.bench.ts';
import { printTable, writeResults, type BenchResult } from './harness.ts';
import { firstLoadBenchmark } from './firstLoad.bench.ts';
import { imagingBenchmark } from './imaging.bench.ts';
import { matchingBenchmark } from './matching.bench.ts';
import { queueBenchmark } from './queue.bench.ts';
import { uploadBenchmark } from './upload.bench.ts';

// `npm run bench [-- --quick] [-- --only=imaging,queue,first-load]`: a table on stdout, JSON under bench/results/.
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wanted = (name: string) => !only || only.includes(name);
const results: BenchResult[] = [];
if (wanted('queue')) for (const backend of ['pglite', 'postgres'] as const) results.push(await queueBenchmark(backend, quick ? 50 : 500));
if (wanted('audit')) results.push(...(await auditBenchmark(quick ? 2 : 5)));
if (wanted('matching')) results.push(await matchingBenchmark(quick ? 20 : 200));
if (wanted('upload')) results.push(await uploadBenchmark(quick ? 100 * 1024 ** 2 : 1024 ** 3));
if (wanted('imaging')) results.push(...(await imagingBenchmark(quick)));
if (wanted('first-load')) results.push(...(await firstLoadBenchmark()));
printTable(results);
for (const r of results) if (r.detail) console.log(`${r.name}: ${JSON.stringify(r.detail)}`);
console.log(`Results written to ${writeResults(results)}`);
