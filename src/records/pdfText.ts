import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface PdfText {
  text: string;
  pages: number;
  pagesWithoutText: number;
}

export class PdfUnreadable extends Error {}

type Reply = { ok: true; result: PdfText } | { ok: false; message: string };

/**
 * The text of a PDF, read in a worker thread under a time budget that grows with the file (a
 * base, five seconds by default, plus one per megabyte, at most a minute). The base leaves room
 * for a busy server: with one second, good reports were refused as damaged on two loaded cores.
 * A crafted PDF can keep pdfjs busy for a long
 * time in one call; in a worker it can be stopped, and the server's own thread never waits on it.
 * Workers are kept for the next PDF (starting one and loading pdfjs costs about a quarter second);
 * one that ran out of time is ended and replaced.
 */
export function extractPdfText(data: Uint8Array, budgetMs = pdfBudgetMs(data.byteLength)): Promise<PdfText> {
  return new Promise((resolve, reject) => {
    queue.push({ data, budgetMs, resolve, reject });
    pump();
  });
}

export const pdfBudgetMs = (bytes: number, baseMs = 5000) => Math.min(60_000, Math.round(baseMs + (bytes / 1_048_576) * 1000));

interface Job { data: Uint8Array; budgetMs: number; resolve: (t: PdfText) => void; reject: (e: Error) => void }
const queue: Job[] = [];
const idle: Worker[] = [];
let running = 0;
const MAX_WORKERS = Math.max(1, Math.min(4, Math.floor(os.availableParallelism() / 2)));

function pump(): void {
  while (queue.length && running < MAX_WORKERS) {
    const job = queue.shift()!;
    running++;
    const reused = idle.pop();
    // The budget is for reading the PDF: a new worker first loads pdfjs, which is not counted.
    void (reused ? Promise.resolve(reused) : startWorker()).then((worker) => run(worker, job), () => {
      running--;
      job.reject(new PdfUnreadable('The PDF could not be read just now. Please try again.'));
      pump();
    });
  }
}

function startWorker(): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./pdfTextWorker.ts', import.meta.url));
    // For the worker's whole life: a worker that fails or exits leaves the pool (and an error in
    // a worker must never reach the server as an unhandled event).
    const drop = () => {
      const i = idle.indexOf(worker);
      if (i >= 0) idle.splice(i, 1);
    };
    worker.on('error', drop);
    worker.on('exit', drop);
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error('the PDF reader did not start'));
    }, 30_000);
    worker.once('message', (m: { ready?: boolean }) => {
      clearTimeout(timer);
      if (m.ready) resolve(worker);
      else {
        void worker.terminate();
        reject(new Error('the PDF reader did not start'));
      }
    });
    worker.once('exit', () => {
      clearTimeout(timer);
      reject(new Error('the PDF reader did not start'));
    });
  });
}

function run(worker: Worker, job: Job): void {
  worker.ref();
  let settled = false;
  const onMessage = (m: Reply) => finish(true, () => (m.ok ? job.resolve(m.result) : job.reject(new PdfUnreadable(m.message))));
  const onFailure = () => finish(false, () => job.reject(new PdfUnreadable('The PDF is damaged and cannot be read.')));
  const finish = (keep: boolean, outcome: () => void) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    worker.off('message', onMessage).off('error', onFailure).off('exit', onFailure);
    running--;
    if (keep) {
      // An idle worker must not keep the process alive.
      worker.unref();
      idle.push(worker);
    } else void worker.terminate();
    outcome();
    pump();
  };
  const timer = setTimeout(() => finish(false, () => job.reject(new PdfUnreadable('The PDF took too long to read; it may be damaged. A coordinator can look at it if you send it another way.'))), job.budgetMs);
  worker.on('message', onMessage);
  worker.once('error', onFailure);
  worker.once('exit', onFailure);
  const copy = new Uint8Array(job.data);
  worker.postMessage(copy, [copy.buffer]);
}
