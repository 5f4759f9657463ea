import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../core/auth/tokens.ts';
import { Client } from '../../test/support/client.ts';
import { aPatient, aStaff, codeFor, lastMailToken, PASSWORD } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

/** "Forgot password?": a mailed, single-use link that expires, asked for without revealing who has an account. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ PASSWORD_RESET_RATE_PER_HOUR: '1000', PASSWORD_RESET_LINK_MINUTES: '60' });
});
afterAll(() => t.close());

const NEW_PASSWORD = 'amber quarry lighthouse';
const resetMails = (to: string) => t.db.query<{ subject: string; body_text: string }>(`SELECT subject, body_text FROM mail_outbox WHERE lower(to_address) = lower($1) AND kind = 'password_reset' ORDER BY created_at`, [to]);
const ask = (email: string, client = new Client(t.baseUrl)) => client.post('/api/auth/forgot-password', { email });
const requestAudits = () => t.db.query<{ entity_id: string | null; outcome: string; detail: Record<string, unknown> }>(`SELECT entity_id, outcome, detail FROM audit_events WHERE action = 'user.password_reset_request' ORDER BY at`);

describe('asking for a link', () => {
  it('answers an unknown address exactly like a known one, and mails only the account holder', async () => {
    const p = await aPatient(t);
    const known = await ask(p.email);
    const unknown = await ask('nobody.here@example.test');
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(unknown.text).toBe(known.text);
    expect(known.body).toEqual({ ok: true, linkValidMinutes: 60 });
    expect(await t.db.query(`SELECT 1 FROM mail_outbox WHERE to_address = 'nobody.here@example.test'`)).toHaveLength(0);

    const [mail] = await resetMails(p.email);
    expect(mail!.subject).toBe('Choose a new Consilium password');
    expect(mail!.body_text).toContain(`${t.baseUrl}/set-password?token=`);
    expect(mail!.body_text).toMatch(/within 60 minutes/);
    // Only the hash of the token is kept.
    const token = await lastMailToken(t.db, p.email);
    expect(await t.db.query('SELECT 1 FROM user_tokens WHERE token_hash = $1', [token])).toHaveLength(0);
    expect(await t.db.query('SELECT 1 FROM user_tokens WHERE token_hash = $1', [hashToken(token)])).toHaveLength(1);

    // Both requests are audited, without any address in the trail.
    const audits = await requestAudits();
    expect(audits.slice(-2).map((a) => [a.entity_id, a.outcome, a.detail.reason])).toEqual([[p.id, 'success', 'mailed'], [null, 'failure', 'no_account']]);
    expect(JSON.stringify(audits)).not.toMatch(/@/);
  });

  it('treats the address however it is typed, refuses a malformed one with problem details, and mails nobody for a disabled account', async () => {
    const p = await aPatient(t);
    expect((await ask(` ${p.email.toUpperCase()} `)).status).toBe(202);
    expect(await resetMails(p.email)).toHaveLength(1);
    const bad = await ask('not an address');
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await new Client(t.baseUrl).post('/api/auth/forgot-password', { email: p.email, extra: 1 })).status).toBe(400);

    const admin = await aStaff(t, 'admin');
    const gone = await aPatient(t);
    await admin.client.patch(`/api/admin/users/${gone.id}`, { disabled: true });
    expect((await ask(gone.email)).status).toBe(202);
    expect(await resetMails(gone.email)).toHaveLength(0);
  });

  it('mails one account at most three links an hour, whoever asks', async () => {
    const p = await aPatient(t);
    for (let i = 0; i < 5; i++) expect((await ask(p.email)).status).toBe(202);
    expect(await resetMails(p.email)).toHaveLength(3);
    expect((await requestAudits()).slice(-2).map((a) => a.detail.reason)).toEqual(['too_many_links', 'too_many_links']);
    t.advance(61 * 60_000);
    await ask(p.email);
    expect(await resetMails(p.email)).toHaveLength(4);
  });

  it('refuses a client address that asks too often, with a time to wait', async () => {
    const small = await startTestApp({ PASSWORD_RESET_RATE_PER_HOUR: '3' });
    try {
      const c = new Client(small.baseUrl);
      for (let i = 0; i < 3; i++) expect((await c.post('/api/auth/forgot-password', { email: `someone${i}@example.test` })).status).toBe(202);
      const refused = await c.post('/api/auth/forgot-password', { email: 'someone9@example.test' });
      expect(refused.status).toBe(429);
      expect(refused.body.code).toBe('TOO_MANY_REQUESTS');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // The other sign-in forms are not held back by it.
      expect((await c.post('/api/auth/login', { email: 'someone@example.test', password: 'whatever it is' })).status).toBe(401);
    } finally {
      await small.close();
    }
  });
});

describe('using the link', () => {
  it('sets a new password once, ends every session, keeps the old password until then, and tells the owner', async () => {
    const p = await aPatient(t);
    const laptop = new Client(t.baseUrl);
    expect((await laptop.post('/api/auth/login', { email: p.email, password: PASSWORD })).status).toBe(200);
    await ask(p.email);
    const token = await lastMailToken(t.db, p.email);
    // Asking for a link changes nothing yet: the old password and the sessions still work.
    expect((await laptop.get('/api/auth/me')).status).toBe(200);
    expect((await new Client(t.baseUrl).post('/api/auth/login', { email: p.email, password: PASSWORD })).status).toBe(200);

    const c = new Client(t.baseUrl);
    expect((await c.post('/api/auth/set-password/check', { token })).status).toBe(200);
    // The same strength rule as everywhere: a weak choice is refused and the link stays good.
    const weak = await c.post('/api/auth/set-password', { token, password: 'password12' });
    expect(weak.status).toBe(400);
    expect(weak.body.code).toBe('WEAK_PASSWORD');
    expect((await c.post('/api/auth/set-password', { token, password: NEW_PASSWORD })).status).toBe(200);

    expect((await p.client.get('/api/auth/me')).status).toBe(401);
    expect((await laptop.get('/api/auth/me')).status).toBe(401);
    expect((await new Client(t.baseUrl).post('/api/auth/login', { email: p.email, password: PASSWORD })).status).toBe(401);
    expect((await new Client(t.baseUrl).post('/api/auth/login', { email: p.email, password: NEW_PASSWORD })).status).toBe(200);

    const again = await c.post('/api/auth/set-password', { token, password: 'another fine passphrase' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('LINK_USED');
    expect(again.body.detail).toMatch(/used already/);
    expect((await c.post('/api/auth/set-password/check', { token })).body.code).toBe('LINK_USED');
    expect((await new Client(t.baseUrl).post('/api/auth/login', { email: p.email, password: NEW_PASSWORD })).status).toBe(200);

    const [done] = await t.db.query<{ actor_id: string | null; detail: { sessions: number } }>(`SELECT actor_id, detail FROM audit_events WHERE action = 'user.set_password' AND entity_id = $1`, [p.id]);
    expect(done!.detail.sessions).toBe(3);
    const notices = await t.db.query<{ subject: string }>(`SELECT subject FROM mail_outbox WHERE to_address = $1 AND kind = 'security_notice'`, [p.email]);
    expect(notices.map((n) => n.subject)).toEqual(['Your password was changed']);
  });

  it('refuses an expired link in plain words, with the way to a new one, and changes nothing', async () => {
    const p = await aPatient(t);
    await ask(p.email);
    const token = await lastMailToken(t.db, p.email);
    t.advance(59 * 60_000);
    expect((await new Client(t.baseUrl).post('/api/auth/set-password/check', { token })).status).toBe(200);
    t.advance(2 * 60_000);
    const check = await new Client(t.baseUrl).post('/api/auth/set-password/check', { token });
    expect(check.status).toBe(410);
    expect(check.body.code).toBe('LINK_EXPIRED');
    const late = await new Client(t.baseUrl).post('/api/auth/set-password', { token, password: NEW_PASSWORD });
    expect(late.status).toBe(410);
    expect(late.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(late.body.detail).toMatch(/expired.*Forgot password/);
    expect((await new Client(t.baseUrl).post('/api/auth/login', { email: p.email, password: PASSWORD })).status).toBe(200);

    // Asking again gives a link that works.
    await ask(p.email);
    expect((await new Client(t.baseUrl).post('/api/auth/set-password', { token: await lastMailToken(t.db, p.email), password: NEW_PASSWORD })).status).toBe(200);
  });

  it('spends an older link with the newer one, and says a made-up link is not valid', async () => {
    const p = await aPatient(t);
    await ask(p.email);
    const older = await lastMailToken(t.db, p.email);
    await ask(p.email);
    const newer = await lastMailToken(t.db, p.email);
    expect(newer).not.toBe(older);
    expect((await new Client(t.baseUrl).post('/api/auth/set-password', { token: newer, password: NEW_PASSWORD })).status).toBe(200);
    expect((await new Client(t.baseUrl).post('/api/auth/set-password', { token: older, password: 'yet another passphrase' })).body.code).toBe('LINK_USED');
    const madeUp = await new Client(t.baseUrl).post('/api/auth/set-password', { token: 'x'.repeat(43), password: NEW_PASSWORD });
    expect(madeUp.status).toBe(404);
    expect(madeUp.body.detail).toMatch(/not valid/);
  });

  it('works for a staff member too, who still gives an authenticator code to sign in', async () => {
    const staff = await aStaff(t, 'coordinator');
    await ask(staff.email);
    expect((await new Client(t.baseUrl).post('/api/auth/set-password', { token: await lastMailToken(t.db, staff.email), password: NEW_PASSWORD })).status).toBe(200);
    expect((await staff.client.get('/api/auth/me')).status).toBe(401);
    const c = new Client(t.baseUrl);
    expect((await c.post('/api/auth/login', { email: staff.email, password: NEW_PASSWORD })).body.mfaState).toBe('pending');
    expect((await c.post('/api/auth/mfa/verify', { code: codeFor(staff) })).status).toBe(200);
  });
});
