import { describe } from 'vitest';
import { boundedTests } from './bounded.ts';
import { parserTargets } from './parsers.ts';

const targets = await parserTargets();

describe('hostile input to the parsers: a result or a clean refusal, never a crash or a hang', () => {
  boundedTests(targets, 200);
});
