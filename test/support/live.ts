import WebSocket from 'ws';
import type { Client } from './client.ts';

/** A live room as a page holds it: its socket and every message received so far. */
export interface Joined { ws: WebSocket; messages: any[] }

/**
 * Opens a live room (a WebSocket under `path`) with the person's session, resolving on its `hello`;
 * a refusal rejects with the HTTP status ("refused: 401") or the close code ("closed: 4404 …").
 */
export function joinRoom(baseUrl: string, path: string, who: Client | null): Promise<Joined> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}${path}`, who ? { headers: { cookie: who.cookieHeader } } : {});
    const messages: any[] = [];
    ws.on('message', (m) => {
      const msg = JSON.parse(String(m));
      messages.push(msg);
      if (msg.type === 'hello') resolve({ ws, messages });
    });
    // With this listener, ws leaves the refused request open: end it, or the server cannot close.
    ws.on('unexpected-response', (req, res) => {
      req.destroy();
      reject(new Error(`refused: ${res.statusCode}`));
    });
    ws.on('error', reject);
    ws.on('close', (code) => reject(new Error(`closed: ${code} ${JSON.stringify(messages)}`)));
  });
}

/** The first message received that matches, waiting for it up to `ms`. */
export async function nextMessage(messages: any[], pred: (m: any) => boolean, ms = 5000): Promise<any> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const found = messages.find(pred);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no such message; got ${JSON.stringify(messages)}`);
}

/** An open page's live stream (`/api/notifications/live`): what it has heard, read until a pattern shows. */
export interface LiveStream { contentType: string | null; until(re: RegExp): Promise<string>; stop(): void }

/** Opens the person's live stream and waits for its greeting (`retry:`), as a page does. */
export async function openLiveStream(baseUrl: string, who: Client): Promise<LiveStream> {
  const abort = new AbortController();
  const res = await fetch(`${baseUrl}/api/notifications/live`, { headers: { cookie: who.cookieHeader }, signal: abort.signal });
  const reader = res.body!.getReader();
  let seen = '';
  const until = async (re: RegExp) => {
    const deadline = Date.now() + 10_000;
    while (!re.test(seen) && Date.now() < deadline) seen += new TextDecoder().decode((await reader.read()).value ?? new Uint8Array());
    return seen;
  };
  await until(/retry: 5000/);
  return { contentType: res.headers.get('content-type'), until, stop: () => abort.abort() };
}
