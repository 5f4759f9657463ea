// Writes test/durations.json from a Vitest JSON report: each file's longest run in seconds (an
// integration file runs once per database), which the sequencer uses to start long files first.
import fs from 'node:fs';
import path from 'node:path';

const [report = 'test-results/vitest.json'] = process.argv.slice(2);
const { testResults } = JSON.parse(fs.readFileSync(report, 'utf8'));
const root = path.resolve(import.meta.dirname, '..');
const out = {};
for (const f of testResults) {
  const key = path.relative(root, f.name);
  out[key] = Math.max(out[key] ?? 0, Math.round((f.endTime - f.startTime) / 100) / 10);
}
const sorted = Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
fs.writeFileSync(path.join(root, 'test/durations.json'), `${JSON.stringify(sorted, null, 1)}\n`);
console.log(`test/durations.json: ${Object.keys(sorted).length} files`);
