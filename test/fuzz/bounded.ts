import { it } from 'vitest';
import { describeFailures, failed, runsFromEnv, runTarget, seedFromEnv, type FuzzTarget } from './harness.ts';

/** The bounded run of `npm test`: a few hundred cases per target, failures shrunk briefly. */
export function boundedTests(targets: FuzzTarget<any>[], defaultRuns: number) {
  for (const target of targets) {
    it(target.name, async () => {
      const r = await runTarget(target, { runs: runsFromEnv(defaultRuns), seed: seedFromEnv(), shrinkBudgetMs: 4000, maxShrunk: 6 });
      if (failed(r)) throw new Error(`${target.name}: ${r.crashes} crash(es), ${r.contract} bad error bodies, ${r.hangs} hang(s) in ${r.runs} cases (seed ${r.seed})\n${describeFailures(r)}`);
    }, 120_000);
  }
}
