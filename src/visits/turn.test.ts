import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config.ts';
import { iceServersFor } from './turn.ts';

describe('TURN credentials per participant', () => {
  const now = new Date('2026-12-01T10:00:00Z');

  it('hands out the fixed servers alone when no TURN secret is set', () => {
    const config = loadConfig({ ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]' });
    expect(iceServersFor(config, 'u1', now)).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
  });

  it('makes credentials coturn accepts with use-auth-secret, expiring after the configured time', () => {
    const config = loadConfig({ TURN_SECRET: 'a-long-shared-secret-for-coturn', TURN_URLS: 'turn:turn.example.org:3478, turns:turn.example.org:443', TURN_TTL_MINUTES: '180' });
    const [turn] = iceServersFor(config, '7d1e6c1c-0000-4000-8000-000000000001', now);
    const expiry = now.getTime() / 1000 + 180 * 60;
    expect(turn).toEqual({
      urls: ['turn:turn.example.org:3478', 'turns:turn.example.org:443'],
      username: `${expiry}:7d1e6c1c-0000-4000-8000-000000000001`,
      // What coturn computes from the username and its static-auth-secret.
      credential: crypto.createHmac('sha1', 'a-long-shared-secret-for-coturn').update(`${expiry}:7d1e6c1c-0000-4000-8000-000000000001`).digest('base64'),
    });
    // Another participant gets another credential.
    expect(iceServersFor(config, 'someone-else', now)[0]!.credential).not.toBe(turn!.credential);
  });

  it('refuses half a TURN configuration, a short secret and addresses that are not TURN', () => {
    expect(() => loadConfig({ TURN_SECRET: 'a-long-shared-secret-for-coturn' })).toThrow(/TURN_SECRET and TURN_URLS go together/);
    expect(() => loadConfig({ TURN_URLS: 'turn:turn.example.org' })).toThrow(/TURN_SECRET and TURN_URLS go together/);
    expect(() => loadConfig({ TURN_SECRET: 'short', TURN_URLS: 'turn:turn.example.org' })).toThrow(/at least 16/);
    expect(() => loadConfig({ TURN_SECRET: 'a-long-shared-secret-for-coturn', TURN_URLS: 'https://turn.example.org' })).toThrow(/turn: or turns:/);
    // A credential must outlive the longest room connection.
    expect(() => loadConfig({ TURN_SECRET: 'a-long-shared-secret-for-coturn', TURN_URLS: 'turn:turn.example.org', TURN_TTL_MINUTES: '30' })).toThrow(/TURN_TTL_MINUTES/);
  });
});
