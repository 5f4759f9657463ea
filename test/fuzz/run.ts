import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeFailures, failed, replay, runsFromEnv, runTarget, seedFromEnv, startWatchdog, type FuzzTarget, type TargetReport } from './harness.ts';
import { httpTargets, startFuzzWorld, type FuzzWorld } from './http.ts';
import { parserTargets } from './parsers.ts';

// `npm run fuzz [-- --only=dicom-part10,http-openapi] [-- --list]`: FUZZ_RUNS cases per target
// (default 10 000), a table on stdout, JSON in test-results/fuzz/summary.json. FUZZ_SEED fixes
// the seed; with FUZZ_PATH as well, one target replays one input.
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',').filter(Boolean);
const runs = runsFromEnv(10_000);
const seed = seedFromEnv();
const replayPath = process.env.FUZZ_PATH;

const parsers = await parserTargets();
let world: FuzzWorld | undefined;
const needsHttp = !only || only.some((n) => n.startsWith('http-'));
if (needsHttp) world = await startFuzzWorld();
const targets: FuzzTarget<any>[] = [...parsers, ...(world ? await httpTargets(world) : [])];
if (process.argv.includes('--list')) {
  console.log(targets.map((t) => t.name).join('\n'));
  await world?.close();
  process.exit(0);
}
const chosen = targets.filter((t) => !only || only.includes(t.name));
const unknown = (only ?? []).filter((n) => !targets.some((t) => t.name === n));
if (unknown.length) {
  console.error(`Unknown target(s): ${unknown.join(', ')}. Known: ${targets.map((t) => t.name).join(', ')}`);
  process.exit(2);
}

if (replayPath) {
  if (seed === undefined || chosen.length !== 1) throw new Error('A replay needs FUZZ_SEED, FUZZ_PATH and exactly one --only target.');
  console.log(await replay(chosen[0]!, seed, replayPath));
  await world?.close();
  process.exit(0);
}

startWatchdog();
const reports: TargetReport[] = [];
const started = Date.now();
for (const t of chosen) {
  process.stdout.write(`${t.name}: ${runs} cases… `);
  const r = await runTarget(t, { runs, seed, shrinkBudgetMs: 60_000 });
  reports.push(r);
  console.log(`${r.seconds} s${failed(r) ? `, ${r.failures.length} distinct failure(s)` : ''}`);
}
await world?.close();

console.table(reports.map((r) => ({
  target: r.target, cases: r.runs, seconds: r.seconds, 'crashes/500s': r.crashes, 'bad error bodies': r.contract, 'hangs >2s': r.hangs,
  'slowest ms': r.slowestMs, 'heap Δ MB': r.heapGrowthMb, 'rss Δ MB': r.rssGrowthMb,
})));
for (const r of reports.filter(failed)) console.log(`\n${r.target} (seed ${r.seed}):\n${describeFailures(r)}`);

const dir = path.resolve(import.meta.dirname, '../../test-results/fuzz');
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, 'summary.json');
fs.writeFileSync(file, JSON.stringify({
  at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, runsPerTarget: runs,
  seconds: Math.round((Date.now() - started) / 100) / 10, passed: !reports.some(failed), targets: reports,
}, null, 2));
console.log(`\nSummary written to ${path.relative(process.cwd(), file)}`);
process.exit(reports.some(failed) ? 1 : 0);
