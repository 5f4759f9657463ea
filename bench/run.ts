// Servers started in this process run as src/main.ts runs them (heap settings first).
import '../src/core/heapTuning.ts';
import { auditBenchmark } from './audit.bench.ts';
import { scaleBenchmark } from './scale.bench.ts';
import { printTable, writeResults, type BenchResult } from './harness.ts';
import { firstLoadBenchmark } from './firstLoad.bench.ts';
import { imagingBenchmark } from './imaging.bench.ts';
import { matchingBenchmark } from './matching.bench.ts';
import { queueBenchmark } from './queue.bench.ts';
import { slidesBenchmark } from './slides.bench.ts';
import { uploadBenchmark } from './upload.bench.ts';
import { viewerBenchmark } from './viewer.bench.ts';

// `npm run bench [-- --quick] [-- --only=imaging,queue,first-load]`: a table on stdout, JSON under bench/results/.
const quick = process.argv.includes('--quick');
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const wanted = (name: string) => !only || only.includes(name);
const results: BenchResult[] = [];
if (wanted('queue')) for (const backend of ['pglite', 'postgres'] as const) results.push(await queueBenchmark(backend, quick ? 50 : 500));
if (wanted('audit')) results.push(...(await auditBenchmark(quick ? 2 : 5)));
// The scale run seeds 100,000 cases and a million audit events: only when asked for by name;
// `--keep` keeps the seeded database for the next run.
const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
if (only?.includes('scale')) results.push(...(await scaleBenchmark({ cases: arg('cases', quick ? 10_000 : 100_000), auditEvents: arg('audit-events', quick ? 100_000 : 1_000_000), clients: arg('clients', 50), seconds: arg('seconds', quick ? 3 : 4), rounds: arg('rounds', quick ? 1 : 3), keep: process.argv.includes('--keep') })));
if (wanted('matching')) results.push(await matchingBenchmark(quick ? 20 : 200));
if (wanted('upload')) results.push(await uploadBenchmark(quick ? 100 * 1024 ** 2 : 1024 ** 3));
if (wanted('imaging')) results.push(...(await imagingBenchmark(quick)));
if (wanted('slides')) results.push(...(await slidesBenchmark(quick)));
if (wanted('viewer')) results.push(...(await viewerBenchmark(quick)));
if (wanted('first-load')) results.push(...(await firstLoadBenchmark()));
printTable(results);
for (const r of results) if (r.detail) console.log(`${r.name}: ${JSON.stringify(r.detail)}`);
console.log(`Results written to ${writeResults(results)}`);
