import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { ZodType } from 'zod';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import { ourOrigins } from './security.ts';

/**
 * The one WebSocket layer under the live rooms (the tumor board's shared view, the video visit).
 * A room route declares its access like any route (checked before the upgrade), refuses pages of
 * another site, and hands its socket here: the room's own join check runs first (a refusal is a
 * close the page does not retry; our failure one it does), messages are parsed against the room's
 * schema and handled one at a time in the order sent, and the connection ends after `maxMinutes`
 * so the page reconnects and is signed in and checked again.
 */
export const WEBSOCKET_MAX_MESSAGE_BYTES = 64 * 1024;

/** Close codes the web app knows: 4404 refused (do not come back), 1011 our failure (retry). */
export const CLOSE_REFUSED = 4404;
export const CLOSE_NO_LONGER_ALLOWED = 4403;

/** Browsers send Origin on a WebSocket handshake: a page of another site may not open ours. */
export function sameOriginOnly(config: Config) {
  return async (req: FastifyRequest) => {
    const origin = req.headers.origin;
    if (typeof origin === 'string' && !ourOrigins(req, config).has(origin)) throw new AppError('FORBIDDEN', 'This request came from another website and was refused.');
  };
}

export interface Channel {
  send(message: unknown): void;
  close(code: number, reason: string): void;
}

export function openChannel<M>(socket: WebSocket, o: {
  maxMinutes: number;
  /** Checks and joins; returns the first message to send (or throws an AppError to refuse). */
  join: (channel: Channel) => Promise<unknown>;
  schema: ZodType<M>;
  onMessage: (message: M, channel: Channel) => Promise<void>;
  onClose: () => void;
}): Channel {
  const sendNow = (m: unknown) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
  };
  // The first message is the join's answer: anything the room says while the join is still
  // running (a presence change it subscribed to) waits until that answer is sent.
  let greeted = false;
  const early: unknown[] = [];
  const channel: Channel = {
    send: (m) => (greeted ? sendNow(m) : void early.push(m)),
    close: (code, reason) => socket.close(code, reason),
  };
  const timer = setTimeout(() => socket.close(1000, 'reconnect'), o.maxMinutes * 60_000);
  socket.on('close', () => {
    clearTimeout(timer);
    o.onClose();
  });
  const joined = o.join(channel).then((hello) => {
    sendNow(hello);
    greeted = true;
    for (const m of early.splice(0)) sendNow(m);
    return true;
  }, (err: unknown) => {
    const refused = err instanceof AppError && err.status < 500;
    early.length = 0;
    sendNow({ type: 'error', status: refused ? err.status : 500, detail: refused ? err.message : 'This could not be opened. Please try again.' });
    socket.close(refused ? CLOSE_REFUSED : 1011, refused ? 'refused' : 'server error');
    return false;
  });
  // One message at a time, in the order sent (a view moved twice ends where it was moved last).
  let queue: Promise<unknown> = joined;
  socket.on('message', (raw: Buffer) => {
    queue = queue.then(async () => {
      if (!(await joined)) return;
      let parsed;
      try {
        parsed = o.schema.safeParse(JSON.parse(raw.toString('utf8')));
      } catch {
        parsed = null;
      }
      if (!parsed?.success) return channel.send({ type: 'error', status: 400, detail: 'The message is not valid.' });
      await o.onMessage(parsed.data, channel);
    }).catch((err: unknown) => {
      channel.send({ type: 'error', status: err instanceof AppError ? err.status : 500, detail: err instanceof AppError ? err.message : 'That did not work; please try again.' });
    });
  });
  return channel;
}
