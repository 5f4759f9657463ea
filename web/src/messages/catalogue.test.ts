import { describe, expect, it } from 'vitest';
import { baseKey, catalogue, keyUses, parse, webSources, type KeyUse } from './scan.ts';

// One catalogue, written once: every key the code asks for is in it, and every text in it is shown somewhere.
const texts = catalogue('en');
const uses: KeyUse[] = webSources().flatMap((f) => keyUses(parse(f)));

describe('the message catalogue', () => {
  it('is read by the code (the scan finds the keys)', () => {
    expect(uses.length).toBeGreaterThan(300);
  });

  it('names the namespace in every key the code asks for', () => {
    expect(uses.filter((u) => !u.key.includes(':')).map((u) => `${u.where} ${u.key}`)).toEqual([]);
  });

  it('has every key the code asks for', () => {
    const bases = new Set([...texts.keys()].map(baseKey));
    const keys = [...texts.keys()];
    const missing = uses.filter((u) => (u.prefix ? !keys.some((k) => k.startsWith(u.key)) : !bases.has(u.key)));
    expect(missing.map((u) => `${u.where} ${u.key}${u.prefix ? '…' : ''}`)).toEqual([]);
  });

  it('has no text the code never asks for', () => {
    const exact = new Set(uses.filter((u) => !u.prefix).map((u) => u.key));
    const prefixes = uses.filter((u) => u.prefix).map((u) => u.key);
    const unused = [...texts.keys()].filter((k) => !exact.has(baseKey(k)) && !prefixes.some((p) => k.startsWith(p)));
    expect(unused).toEqual([]);
  });

  it('writes placeholders the i18next way and gives plurals both forms', () => {
    const wrong = [...texts].filter(([, v]) => /(^|[^{])\{\w+\}(?!\})/.test(v)).map(([k]) => k);
    expect(wrong).toEqual([]);
    const plurals = [...texts.keys()].filter((k) => /_(one|other)$/.test(k)).map((k) => k.replace(/_(one|other)$/, ''));
    for (const p of plurals) expect([texts.has(`${p}_one`), texts.has(`${p}_other`)], p).toEqual([true, true]);
  });

  it('the scan sees literal, template and <Trans> keys', () => {
    const sf = parse(new URL('./scan.fixture.tsx', import.meta.url).pathname);
    expect(keyUses(sf).map((u) => [u.key, u.prefix])).toEqual([['home:title', false], ['home:reasons.', true], ['auth:register.sent.text', false], ['common:close', false], ['home:title', false]]);
  });
});
