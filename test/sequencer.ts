import fs from 'node:fs';
import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Longest files first. With two workers, a long browser journey started last keeps one worker
 * busy long after the other is done; started first, the short files fill in beside it. Lengths
 * are as measured (test/durations.json, from `npm run test:durations`); a file not measured yet
 * counts by its size. Groups (`sequence.groupOrder`) still run in their order.
 */
const MEASURED: Record<string, number> = JSON.parse(fs.readFileSync(new URL('./durations.json', import.meta.url), 'utf8'));
const BYTES_PER_SECOND = 300;

export default class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const root = this.ctx.config.root;
    const seconds = (f: TestSpecification) => MEASURED[path.relative(root, f.moduleId)] ?? fs.statSync(f.moduleId).size / BYTES_PER_SECOND;
    return [...files].sort((a, b) => a.project.config.sequence.groupOrder - b.project.config.sequence.groupOrder || seconds(b) - seconds(a));
  }
}
