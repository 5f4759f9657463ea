import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** One measured row: ours beside a reference doing comparable work in the same run. */
export interface BenchResult {
  name: string;
  backend: string;
  unit: string;
  ours: number;
  reference: number;
  referenceName: string;
  /** ours / reference for throughputs (higher is better); reference / ours for times. */
  ratio: number;
  detail?: Record<string, unknown>;
}

/** Runs `fn` `iterations` times after a warm-up and returns operations per second. */
export async function opsPerSecond(fn: () => Promise<unknown>, iterations: number, warmup = Math.min(20, iterations)): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) await fn();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return iterations / seconds;
}

export function printTable(results: BenchResult[]): void {
  const rows = results.map((r) => ({
    benchmark: r.name, backend: r.backend, ours: `${r.ours.toFixed(1)} ${r.unit}`,
    reference: `${r.reference.toFixed(1)} ${r.unit} (${r.referenceName})`, ratio: r.ratio.toFixed(3),
  }));
  console.table(rows);
}

export function writeResults(results: BenchResult[], dir = path.resolve(import.meta.dirname, 'results')): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  const doc = { at: new Date().toISOString(), node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.arch()}`, results };
  fs.writeFileSync(file, JSON.stringify(doc, null, 2));
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify(doc, null, 2));
  return file;
}
