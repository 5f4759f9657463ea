import { describe, expect, it } from 'vitest';
import { describeDevice } from './sessions.ts';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

describe('a signed-in device in words', () => {
  it('names the browser and the system, in the reader’s language', () => {
    expect(describeDevice(CHROME_LINUX)).toBe('Chrome on Linux');
    expect(describeDevice(CHROME_LINUX, 'es')).toBe('Chrome en Linux');
    expect(describeDevice(SAFARI_IPHONE)).toBe('Safari on iOS mobile');
    expect(describeDevice(SAFARI_IPHONE, 'es')).toBe('Safari en iOS móvil');
    expect(describeDevice(null, 'es')).toBe('Dispositivo desconocido');
  });
});
