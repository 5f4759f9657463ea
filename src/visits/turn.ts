import crypto from 'node:crypto';
import type { Config } from '../core/config.ts';

type IceServer = Config['iceServers'][number];

/**
 * The STUN/TURN servers one participant gets when entering a visit's room. Fixed entries come
 * from `ICE_SERVERS`; with `TURN_SECRET` the TURN servers in `TURN_URLS` get credentials that
 * expire, in the form coturn checks with `use-auth-secret` (the TURN REST API convention:
 * username `expiry:user`, password base64 HMAC-SHA1 of the username under the shared secret).
 * A leaked credential is then worth one visit, not the relay for good.
 */
export function iceServersFor(config: Pick<Config, 'iceServers' | 'turn'>, userId: string, now: Date): IceServer[] {
  if (!config.turn) return config.iceServers;
  const expiry = Math.floor(now.getTime() / 1000) + config.turn.ttlSeconds;
  const username = `${expiry}:${userId}`;
  const credential = crypto.createHmac('sha1', config.turn.secret).update(username).digest('base64');
  return [...config.iceServers, { urls: config.turn.urls, username, credential }];
}
