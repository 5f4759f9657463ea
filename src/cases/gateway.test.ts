import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '..');

describe('the case gateway', () => {
  it('is the only writer of a case’s state: no other code sets cases.status', () => {
    const writers: string[] = [];
    for (const rel of fs.readdirSync(SRC, { recursive: true }).map(String)) {
      if (!rel.endsWith('.ts') || rel.endsWith('.test.ts')) continue;
      const text = fs.readFileSync(path.join(SRC, rel), 'utf8');
      for (const m of text.matchAll(/UPDATE\s+cases\s+SET[^`'"]*/gi)) if (/\bstatus\s*=|sets\.join/.test(m[0])) writers.push(rel);
    }
    // applyTransition (behind the gateway's transition) builds its SET list from the lifecycle's decision.
    expect([...new Set(writers)]).toEqual([path.join('cases', 'service.ts')]);
  });
});
