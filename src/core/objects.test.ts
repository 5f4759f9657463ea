import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { folderBackend, readAll, type ObjectBackend } from './objects.ts';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const key = () => crypto.randomBytes(16).toString('hex');

/** What every backend must do; the S3 backend is held to the same suite. */
function backendContract(name: string, make: () => ObjectBackend) {
  describe(`${name} object backend`, () => {
    it('stores bytes and streams, reads them whole or by range, and lists them', async () => {
      const b = make();
      const a = key();
      const data = crypto.randomBytes(3 * 1024 * 1024 + 17);
      await b.put(a, Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
      expect((await readAll(await b.get(a))).equals(data)).toBe(true);
      expect((await readAll(await b.get(a, { start: 10, end: 19 }))).equals(data.subarray(10, 20))).toBe(true);
      const c = key();
      await b.put(c, Buffer.from('small'));
      expect((await b.getBytes(c)).toString()).toBe('small');
      const listed = [];
      for await (const o of b.list()) listed.push(o.key);
      expect(listed).toEqual(expect.arrayContaining([a, c]));
    });

    it('leaves nothing when the source fails midway, and deletes idempotently', async () => {
      const b = make();
      const k = key();
      const failing = new Readable({ read() { this.destroy(new Error('connection lost')); } });
      await expect(b.put(k, failing)).rejects.toThrow('connection lost');
      expect(await b.exists(k)).toBe(false);
      await expect(b.get(k)).rejects.toThrow();
      await b.put(k, Buffer.from('x'));
      await b.delete(k);
      await b.delete(k);
      expect(await b.exists(k)).toBe(false);
    });

    it('refuses keys that are not its own (no path tricks)', async () => {
      const b = make();
      for (const bad of ['../../etc/passwd', 'tmp/x', '', 'A'.repeat(32), `${key()}/..`]) await expect(b.put(bad, Buffer.from('x'))).rejects.toThrow(/Not a valid object key/);
    });
  });
}

backendContract('folder', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'objects-'));
  dirs.push(dir);
  return folderBackend(dir);
});

describe('folder backend housekeeping', () => {
  it('sweeps temporary files of writes a killed process left behind', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'objects-'));
    dirs.push(dir);
    const b = folderBackend(dir);
    fs.writeFileSync(path.join(dir, 'tmp', 'abandoned.part'), 'half');
    expect(await b.sweepUnfinished(new Date(Date.now() - 60_000))).toBe(0);
    expect(await b.sweepUnfinished(new Date(Date.now() + 60_000))).toBe(1);
    expect(fs.readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });
});
