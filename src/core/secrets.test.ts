import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretBox } from './secrets.ts';

const key = (id: string) => ({ id, key: crypto.randomBytes(32) });

describe('secrets sealed with the master keys', () => {
  it('seals, opens, and tells which values a rotation must reseal', () => {
    const old = key('k1');
    const box = secretBox([old]);
    const sealed = box.seal('JBSWY3DPEHPK3PXP');
    expect(sealed).toMatch(/^sealed:v1:k1:/);
    expect(sealed).not.toContain('JBSWY3DPEHPK3PXP');
    expect(box.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(box.stale(sealed)).toBe(false);
    expect(box.stale('JBSWY3DPEHPK3PXP')).toBe(true);

    const rotated = secretBox([key('k2'), old]);
    expect(rotated.open(sealed)).toBe('JBSWY3DPEHPK3PXP');
    expect(rotated.stale(sealed)).toBe(true);
    expect(() => secretBox([key('k3')]).open(sealed)).toThrow(/k1/);
  });

  it('refuses a sealed value that was tampered with', () => {
    const box = secretBox([key('k1')]);
    const sealed = box.seal('secret');
    const body = Buffer.from(sealed.split(':')[3]!, 'base64');
    body[14] = body[14]! ^ 1;
    expect(() => box.open(`sealed:v1:k1:${body.toString('base64')}`)).toThrow();
  });
});
