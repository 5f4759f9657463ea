import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Resident memory (VmRSS) of a process now, in bytes; 0 where /proc is not available. */
export function currentRss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The real server (`node src/main.ts`) as its own process, as an operator runs it: for the
 * durability test (kill -9) and for benchmarks that must measure the server apart from the client.
 */
export async function startServerProcess(opts: { port: number; dataDir: string; env?: Record<string, string> }): Promise<ChildProcess> {
  const server = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', 'src/main.ts'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PORT: String(opts.port), HOST: '127.0.0.1', DATA_DIR: opts.dataDir, DEMO: 'true', LOG_LEVEL: 'warn', NODE_ENV: 'test', WEB_DIST: path.join(opts.dataDir, 'no-web'), ...opts.env },
  });
  let stderr = '';
  server.stderr?.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  // A minute: the demo is seeded at start-up, which takes several times longer on a busy two-core machine.
  for (let i = 0; i < 600; i++) {
    if (server.exitCode !== null || server.signalCode !== null) throw new Error(`the server exited: ${stderr}`);
    try {
      if ((await fetch(`http://127.0.0.1:${opts.port}/readyz`)).status === 200) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill('SIGKILL');
  throw new Error(`the server did not start: ${stderr}`);
}

/** Resolves once the process has ended (a process killed by a signal has no exit code). */
export function exited(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => server.once('exit', () => resolve()));
}

export function stopServerProcess(server: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return Promise.resolve();
  const done = exited(server);
  server.kill(signal);
  return done;
}

/** A free loopback port for a server a test or benchmark starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}
