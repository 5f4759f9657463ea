import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, WEB_SRC, webSources, wordsInCode } from './scan.ts';

/**
 * Every screen takes every word from the catalogue: the patient side's, read in the reader's
 * language, and the staff's, ready for a translator (staff pages have their Spanish too). A word
 * written in the code would show in English whatever the language chosen.
 */
const SCREENS = webSources().map((f) => path.relative(WEB_SRC, f));

describe('every screen', () => {
  it('is found by the scan (pages, components and the app)', () => {
    expect(SCREENS.length).toBeGreaterThan(60);
    expect(SCREENS).toEqual(expect.arrayContaining(['App.tsx', 'pages/Queue.tsx', 'pages/opinion/ReviewWorkspace.tsx', 'pages/boards/SessionPage.tsx']));
  });

  it.each(SCREENS)('%s writes no words of its own', (file) => {
    expect(wordsInCode(parse(path.join(WEB_SRC, file)))).toEqual([]);
  });

  it('the scan finds words in JSX text, visible props and shown branches, and lets signs pass', () => {
    const found = wordsInCode(parse(path.join(import.meta.dirname, 'scan.fixture.tsx'))).map((f) => f.text);
    expect(found).toEqual(['Written in the code', 'Hello', 'Yes', 'No']);
  });
});
