import { Worker } from 'node:worker_threads';
import fc from 'fast-check';

/**
 * The fuzzing harness shared by the bounded CI run (`*.fuzz.test.ts`) and `npm run fuzz`: a
 * target is an arbitrary plus a function that judges one input. Every case runs (a failure does
 * not stop the run), failures are grouped by cause, and each distinct cause is then shrunk with
 * fast-check to a small input that can be replayed from its seed and path.
 */

/** One input taking longer than this is a hang. */
export const HANG_MS = 2000;
/** An input still running after this is abandoned (and counted as a hang) so the run goes on. */
const ABANDON_MS = 15_000;

export type FindingKind = 'crash' | 'contract' | 'hang';

/** What went wrong with one input: `key` groups inputs that fail for the same reason. */
export interface Verdict {
  kind: 'crash' | 'contract';
  key: string;
  message: string;
}

export interface FuzzTarget<T = unknown> {
  name: string;
  arbitrary: fc.Arbitrary<T>;
  /** Judges one input: null when it was handled cleanly. Throwing counts as a crash. */
  exercise: (input: T) => Promise<Verdict | null>;
  /** A short description of an input, for the report. */
  show: (input: T) => string;
  /** Where an input goes (a route, a function), so hangs are grouped by place. */
  where?: (input: T) => string;
  /** Runs before timing starts: first calls load dictionaries and definitions. */
  warmup?: () => Promise<void>;
}

export interface Failure {
  kind: FindingKind;
  key: string;
  message: string;
  count: number;
  /** The run index of the first input that failed this way. */
  firstRun: number;
  input: string;
  shrunk: boolean;
  seed: number;
  path: string | null;
  replay: string;
}

export interface TargetReport {
  target: string;
  runs: number;
  seed: number;
  seconds: number;
  crashes: number;
  contract: number;
  hangs: number;
  slowestMs: number;
  heapGrowthMb: number;
  rssGrowthMb: number;
  failures: Failure[];
}

export interface RunOptions {
  runs: number;
  seed?: number;
  /** Time for shrinking all of a target's distinct failures together. */
  shrinkBudgetMs?: number;
  /** At most this many distinct causes are shrunk (all are counted). */
  maxShrunk?: number;
}

const firstLine = (s: string) => s.split('\n')[0]!.slice(0, 240);

/** A stable grouping key: numbers, ids and quoted values vary between inputs of one cause. */
export function normalise(message: string): string {
  return firstLine(message)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>')
    .replace(/“[^”]*”|"[^"]*"|'[^']*'/g, '<q>')
    .replace(/\d+/g, 'N')
    .slice(0, 160);
}

/** A verdict for an exception that is not one of the expected refusals. */
export function crashOf(err: unknown, where = ''): Verdict {
  const name = err instanceof Error ? err.constructor.name : typeof err;
  const message = err instanceof Error ? err.message : (() => { try { return JSON.stringify(err); } catch { return String(err); } })();
  return { kind: 'crash', key: `${where}${where ? ' ' : ''}${name}: ${normalise(message ?? '')}`, message: `${name}: ${firstLine(String(message))}` };
}

// Errors that escape a case (a stream's 'error' with no listener, a promise nobody awaits) are
// charged to the case running when they surface.
let stray: unknown[] = [];
let listening = false;
function listenForStrays() {
  if (listening) return;
  listening = true;
  process.on('unhandledRejection', (err) => stray.push(err));
  process.on('uncaughtException', (err) => stray.push(err));
}

/**
 * A synchronous parser stuck in a loop blocks the event loop, so no timer of ours can fire. A
 * worker thread watches a shared heartbeat instead and, when one case has run for `limitMs`,
 * prints how to replay it and ends the process.
 */
let heartbeat: { beat: Int32Array; worker: Worker } | undefined;
export function startWatchdog(limitMs = 60_000) {
  const shared = new SharedArrayBuffer(8);
  const worker = new Worker(`
    const { workerData, parentPort } = require('node:worker_threads');
    const beat = new Int32Array(workerData.shared);
    let current = { target: '?', seed: 0 }, last = -1, since = Date.now();
    parentPort.on('message', (m) => { current = m; });
    setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last || Atomics.load(beat, 1) === 0) { last = now; since = Date.now(); return; }
      if (Date.now() - since < workerData.limitMs) return;
      // A worker's stderr and process.exit go through the blocked main thread: write to fd 2 and signal instead.
      require('node:fs').writeSync(2, '\\n' + current.target + ': case ' + now + ' has run for ' + Math.round((Date.now() - since) / 1000) + ' s without returning (an endless loop?).\\n' +
        'Replay it: FUZZ_SEED=' + current.seed + ' FUZZ_PATH=' + now + ' npm run fuzz -- --only=' + current.target + '\\n');
      process.kill(process.pid, 'SIGTERM');
    }, 1000);
  `, { eval: true, workerData: { shared, limitMs } });
  worker.unref();
  heartbeat = { beat: new Int32Array(shared), worker };
}

function beat(index: number, running: boolean) {
  if (!heartbeat) return;
  Atomics.store(heartbeat.beat, 0, index);
  Atomics.store(heartbeat.beat, 1, running ? 1 : 0);
}

type Timed = { verdict: Verdict | null; ms: number; abandoned: boolean };

async function judge<T>(target: FuzzTarget<T>, input: T): Promise<Timed> {
  stray = [];
  const start = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const abandon = new Promise<'abandoned'>((resolve) => { timer = setTimeout(() => resolve('abandoned'), ABANDON_MS); });
  let verdict: Verdict | null;
  let abandoned = false;
  try {
    const r = await Promise.race([target.exercise(input), abandon]);
    abandoned = r === 'abandoned';
    verdict = r === 'abandoned' ? null : r;
  } catch (err) {
    verdict = crashOf(err);
  } finally {
    clearTimeout(timer);
  }
  const ms = performance.now() - start;
  if (!verdict && stray.length) verdict = crashOf(stray[0], 'escaped:');
  return { verdict, ms, abandoned };
}

/** The failure kind and grouping key of one judged input, or null when it passed. */
function classify<T>(target: FuzzTarget<T>, input: T, t: Timed): { kind: FindingKind; key: string; message: string } | null {
  if (t.verdict) return { kind: t.verdict.kind, key: `${t.verdict.kind} ${t.verdict.key}`, message: t.verdict.message };
  if (t.ms > HANG_MS) {
    const where = target.where?.(input) ?? target.name;
    return { kind: 'hang', key: `hang ${where}`, message: `${t.abandoned ? `still running after ${ABANDON_MS} ms` : `took ${Math.round(t.ms)} ms`} (limit ${HANG_MS} ms)` };
  }
  return null;
}

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => Math.round((n / 1024 ** 2) * 10) / 10;

/** Runs `runs` cases of a target, groups the failures, shrinks each distinct one. */
export async function runTarget<T>(target: FuzzTarget<T>, opts: RunOptions): Promise<TargetReport> {
  listenForStrays();
  await target.warmup?.();
  const seed = opts.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  gc?.();
  const before = process.memoryUsage();
  const started = performance.now();
  const found = new Map<string, { kind: FindingKind; message: string; count: number; firstRun: number; input: T }>();
  let run = 0;
  let slowest = 0;
  const counts = { crash: 0, contract: 0, hang: 0 };
  heartbeat?.worker.postMessage({ target: target.name, seed });
  await fc.check(fc.asyncProperty(target.arbitrary, async (input) => {
    const index = run++;
    beat(index, true);
    const t = await judge(target, input);
    beat(index, false);
    slowest = Math.max(slowest, t.ms);
    const f = classify(target, input, t);
    if (f) {
      counts[f.kind]++;
      const seen = found.get(f.key);
      if (seen) seen.count++;
      else found.set(f.key, { kind: f.kind, message: f.message, count: 1, firstRun: index, input });
    }
    return true;
  }), { numRuns: opts.runs, seed });
  const seconds = (performance.now() - started) / 1000;
  gc?.();
  const after = process.memoryUsage();

  const failures: Failure[] = [];
  const budget = opts.shrinkBudgetMs ?? 30_000;
  const maxShrunk = opts.maxShrunk ?? 12;
  let shrunkCount = 0;
  const shrinkStart = performance.now();
  for (const [key, f] of found) {
    const left = budget - (performance.now() - shrinkStart);
    const canShrink = shrunkCount < maxShrunk && left > 500;
    const base = { kind: f.kind, key, message: f.message, count: f.count, firstRun: f.firstRun, seed };
    if (!canShrink) {
      failures.push({ ...base, input: target.show(f.input), shrunk: false, path: null, replay: replayHint(target.name, seed, null) });
      continue;
    }
    shrunkCount++;
    const s = await shrink(target, key, f.firstRun, seed, Math.min(left, budget / Math.max(1, Math.min(found.size, maxShrunk)) + 1000));
    failures.push({
      ...base,
      message: s?.message ?? f.message,
      input: target.show(s?.input ?? f.input),
      shrunk: Boolean(s),
      path: s?.path ?? null,
      replay: replayHint(target.name, seed, s?.path ?? null),
    });
  }
  failures.sort((a, b) => b.count - a.count);
  return {
    target: target.name, runs: run, seed, seconds: Math.round(seconds * 10) / 10,
    crashes: counts.crash, contract: counts.contract, hangs: counts.hang, slowestMs: Math.round(slowest),
    heapGrowthMb: mb(after.heapUsed - before.heapUsed), rssGrowthMb: mb(after.rss - before.rss),
    failures,
  };
}

const replayHint = (name: string, seed: number, path: string | null) =>
  `FUZZ_SEED=${seed}${path ? ` FUZZ_PATH=${path}` : ''} npm run fuzz -- --only=${name}`;

/**
 * Replays the run with the same seed, skipping the cases before the first failure of this kind
 * (generation does not depend on the property), then lets fast-check shrink while the input
 * still fails for the same reason.
 */
async function shrink<T>(target: FuzzTarget<T>, key: string, firstRun: number, seed: number, timeMs: number) {
  let n = 0;
  let last: { message: string } | null = null;
  const details = await fc.check(fc.asyncProperty(target.arbitrary, async (input) => {
    if (n++ < firstRun) return true;
    const f = classify(target, input, await judge(target, input));
    if (f?.key === key) last = { message: f.message };
    return f?.key !== key;
  }), { numRuns: firstRun + 1, seed, interruptAfterTimeLimit: timeMs });
  if (!details.failed || !details.counterexample) return null;
  return { input: details.counterexample[0], path: details.counterexamplePath, message: (last as { message: string } | null)?.message ?? '' };
}

/** Runs the one input a seed and path point at, and says what happened. */
export async function replay<T>(target: FuzzTarget<T>, seed: number, path: string): Promise<string> {
  listenForStrays();
  await target.warmup?.();
  let out = '';
  await fc.check(fc.asyncProperty(target.arbitrary, async (input) => {
    // The value at the end of the path comes first; fast-check may go on with others after it.
    if (out) return true;
    const t = await judge(target, input);
    const f = classify(target, input, t);
    out = `${target.name} input: ${target.show(input)}\n→ ${f ? `${f.kind}: ${f.message}` : 'handled cleanly'} (${Math.round(t.ms)} ms)`;
    return true;
  }), { seed, path, numRuns: 1 });
  return out;
}

/** The report of one target in a few lines, for test failures and the runner. */
export function describeFailures(r: TargetReport): string {
  return r.failures.map((f) =>
    `  [${f.kind}] ×${f.count} ${f.message}\n    input${f.shrunk ? ' (shrunk)' : ''}: ${f.input}\n    replay: ${f.replay}`).join('\n');
}

export const failed = (r: TargetReport) => r.crashes + r.contract + r.hangs > 0;

/** How many cases per target: FUZZ_RUNS, else the given default. */
export function runsFromEnv(fallback: number): number {
  const n = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export function seedFromEnv(): number | undefined {
  const n = Number(process.env.FUZZ_SEED);
  return process.env.FUZZ_SEED && Number.isInteger(n) ? n : undefined;
}
