import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { webSources } from './messages/scan.ts';

/**
 * Right-to-left ready: spacing and alignment name the start and end of a line, not its left and
 * right, so a language written right to left (Arabic, Hebrew) needs only its messages.
 */
const PHYSICAL = [
  /\s(ml|mr|pl|pr)=[{"']/, // Mantine's physical margins and paddings (ms/me, ps/pe are the logical ones)
  /\b(margin|padding|border)-(left|right)\b/, /\b(margin|padding|border)(Left|Right)\b/, /text-?[aA]lign:\s*['"]?(left|right)/, /[{,\s](left|right):\s*['"\d]/,
];

describe('layout is written for either direction', () => {
  it('uses logical properties only', () => {
    const found = webSources().flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').map((line, i) => ({ file, line, i }))
      .filter(({ line }) => PHYSICAL.some((p) => p.test(line))).map(({ file, i }) => `${file.replace(/.*web\/src\//, '')}:${i + 1}`));
    expect(found).toEqual([]);
  });
});
