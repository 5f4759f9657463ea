import { afterAll, describe } from 'vitest';
import { boundedTests } from './bounded.ts';
import { httpTargets, startFuzzWorld } from './http.ts';

// Started while collecting: the targets (one per route family) are read from the running app.
const world = await startFuzzWorld();
const targets = await httpTargets(world);
afterAll(() => world.close());

describe('hostile requests to every route: never a 5xx, errors as problem details, answers in time', () => {
  boundedTests(targets, 150);
});
