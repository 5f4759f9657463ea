import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('starts the server without the packages it loads on first use', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'consilium-startup-'));
  try {
    const script = path.join(import.meta.dirname, '..', '..', 'test', 'support', 'startupPackages.ts');
    const { stdout } = await run(process.execPath, ['--disable-warning=ExperimentalWarning', script, dataDir], { timeout: 120_000, env: { PATH: process.env.PATH } });
    const loaded = JSON.parse(stdout.trim().split('\n').pop()!) as string[];
    // The check sees packages at all: the web framework is there.
    expect(loaded).toContain('fastify');
    for (const lazy of ['dcmjs', 'qrcode', 'zipcodes', 'bwip-js', 'pdfmake', 'stripe', 'nodemailer']) expect(loaded, lazy).not.toContain(lazy);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 150_000);
