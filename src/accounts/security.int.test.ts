import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../../test/support/client.ts';
import { aPatient, aStaff, codeFor, lastMailToken, PASSWORD } from '../../test/support/builders.ts';
import { nextTotp, startTestApp, type TestApp } from '../../test/support/testApp.ts';

/** Sign-in, second step, sessions and account recovery, tried the way an attacker would. */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_FAILURES: '3' });
});
afterAll(() => t.close());

const mails = (to: string, kind: string) => t.db.query<{ subject: string; body_text: string }>('SELECT subject, body_text FROM mail_outbox WHERE lower(to_address) = lower($1) AND kind = $2', [to, kind]);

describe('sign-in limits', () => {
  it('counts wrong authenticator codes per account: a good password does not buy more guesses, and the owner is mailed at the lock', async () => {
    const staff = await aStaff(t, 'coordinator');
    const guesses: number[] = [];
    // Three sessions, each signed in with the right password, each guessing codes.
    for (let s = 0; s < 3; s++) {
      const c = new Client(t.baseUrl);
      expect((await c.post('/api/auth/login', { email: staff.email, password: PASSWORD })).body.mfaState).toBe('pending');
      for (let i = 0; i < 2; i++) guesses.push((await c.post('/api/auth/mfa/verify', { code: '000000' })).status);
    }
    expect(guesses.filter((s) => s === 400)).toHaveLength(3);
    expect(guesses.filter((s) => s === 429)).toHaveLength(3);
    const [lock] = await mails(staff.email, 'security_lock');
    expect(lock?.subject).toMatch(/paused/);
    // Even the right code waits for the lock to pass.
    const c = new Client(t.baseUrl);
    await c.post('/api/auth/login', { email: staff.email, password: PASSWORD });
    expect((await c.post('/api/auth/mfa/verify', { code: codeFor(staff) })).status).toBe(429);
    t.advance(15 * 60_000 + 1000);
    const later = new Client(t.baseUrl);
    await later.post('/api/auth/login', { email: staff.email, password: PASSWORD });
    expect((await later.post('/api/auth/mfa/verify', { code: codeFor(staff) })).status).toBe(200);
  });

  it('spends a code once even when two sessions send it at the same moment', async () => {
    const staff = await aStaff(t, 'expert');
    const a = new Client(t.baseUrl);
    const b = new Client(t.baseUrl);
    await a.post('/api/auth/login', { email: staff.email, password: PASSWORD });
    await b.post('/api/auth/login', { email: staff.email, password: PASSWORD });
    const code = codeFor(staff);
    const answers = await Promise.all([a.post('/api/auth/mfa/verify', { code }), b.post('/api/auth/mfa/verify', { code })]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it('locks the account whatever spacing or case the address is typed with', async () => {
    const p = await aPatient(t);
    const variants = [p.email, ` ${p.email}`, `${p.email.toUpperCase()} `, `\t${p.email}`];
    for (const email of variants) await p.client.post('/api/auth/login', { email, password: 'wrong password here' });
    for (const email of variants) expect((await new Client(t.baseUrl).post('/api/auth/login', { email, password: PASSWORD })).status).toBe(429);
    t.advance(15 * 60_000 + 1000);
    expect((await new Client(t.baseUrl).post('/api/auth/login', { email: ` ${p.email.toUpperCase()}`, password: PASSWORD })).status).toBe(200);
  });

  it('judges parallel guesses against the limit, not all at once', async () => {
    const p = await aPatient(t);
    const answers = await Promise.all(Array.from({ length: 12 }, () => new Client(t.baseUrl).post('/api/auth/login', { email: p.email, password: 'a wrong password' })));
    const judged = answers.filter((a) => a.status === 401).length;
    expect(judged).toBeLessThanOrEqual(3);
    expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(9);
    t.advance(15 * 60_000 + 1000);
  });
});

describe('choosing a password', () => {
  it('refuses guessable passwords with advice in plain words, and accepts a passphrase', async () => {
    for (const password of ['1234567890', 'password12', 'Consilium-demo-1', 'qwertyuiop12']) {
      const r = await new Client(t.baseUrl).post('/api/auth/register', { email: `weak.${Math.random().toString(36).slice(2)}@example.test`, name: 'Weak Choice', password });
      expect(r.status, password).toBe(400);
      expect(r.body.code).toBe('WEAK_PASSWORD');
      expect(r.body.detail).toMatch(/guess/);
    }
    const hint = await new Client(t.baseUrl).post('/api/auth/password-strength', { password: 'walnut ferry lantern', email: 'x@example.test' });
    expect(hint.body).toMatchObject({ ok: true });
    expect((await new Client(t.baseUrl).post('/api/auth/password-strength', { password: 'jane.doe.1980', name: 'Jane Doe' })).body.ok).toBe(false);
  });
});

describe('changing how one signs in', () => {
  it('asks for the password and the current code before a new authenticator replaces the old one, and mails the owner', async () => {
    const staff = await aStaff(t, 'expert');
    expect((await staff.client.post('/api/auth/mfa/setup', { password: PASSWORD })).status).toBe(401);
    expect((await staff.client.post('/api/auth/mfa/setup', { password: 'not mine', code: codeFor(staff) })).status).toBe(401);
    const setup = await staff.client.post('/api/auth/mfa/setup', { password: PASSWORD, code: codeFor(staff) });
    expect(setup.status).toBe(200);
    expect((await staff.client.post('/api/auth/mfa/enable', { code: nextTotp(t.baseUrl, setup.body.secret) })).status).toBe(200);
    expect((await mails(staff.email, 'security_notice')).map((m) => m.subject)).toContain('Your authenticator app was changed');
    // The secret is kept sealed, not as the base32 text an app scans.
    const [row] = await t.db.query<{ totp_secret: string }>('SELECT totp_secret FROM users WHERE id = $1', [staff.id]);
    expect(row!.totp_secret).toMatch(/^sealed:v1:/);
    expect(row!.totp_secret).not.toContain(setup.body.secret);
  });

  it('lets a patient turn two-step sign-in off after a step-up, never a staff member', async () => {
    const p = await aPatient(t);
    const setup = await p.client.post('/api/auth/mfa/setup', { password: PASSWORD });
    const code = () => nextTotp(t.baseUrl, setup.body.secret);
    expect((await p.client.post('/api/auth/mfa/enable', { code: code() })).status).toBe(200);
    expect((await p.client.post('/api/auth/mfa/disable', { password: PASSWORD })).status).toBe(401);
    expect((await p.client.post('/api/auth/mfa/disable', { password: PASSWORD, code: code() })).status).toBe(200);
    expect((await p.client.get('/api/auth/me')).body.user.mfaEnabled).toBe(false);
    expect((await mails(p.email, 'security_notice')).map((m) => m.subject)).toContain('Two-step sign-in is off');
    const staff = await aStaff(t, 'coordinator');
    expect((await staff.client.post('/api/auth/mfa/disable', { password: PASSWORD, code: codeFor(staff) })).status).toBe(403);
  });

  it('refuses the current password as the new one', async () => {
    const p = await aPatient(t);
    const same = await p.client.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: PASSWORD });
    expect(same.status).toBe(400);
    expect(same.body.detail).toMatch(/different/);
  });

  it('lists sessions by device, ends one or all others, and a password change ends the rest', async () => {
    const p = await aPatient(t);
    const phone = new Client(t.baseUrl);
    await phone.request('POST', '/api/auth/login', { email: p.email, password: PASSWORD }, { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' });
    const laptop = new Client(t.baseUrl);
    await laptop.request('POST', '/api/auth/login', { email: p.email, password: PASSWORD }, { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36' });
    const list = await p.client.get('/api/auth/sessions');
    expect(list.status).toBe(200);
    expect(list.body).toHaveLength(3);
    expect(list.body.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
    const devices = list.body.map((s: { device: string }) => s.device).join(' | ');
    expect(devices).toMatch(/Safari on iOS mobile/);
    expect(devices).toMatch(/Chrome on Windows/);
    const iphone = list.body.find((s: { device: string }) => s.device.includes('iOS'));
    expect((await p.client.delete(`/api/auth/sessions/${iphone.id}`)).body).toEqual({ ended: 1 });
    expect((await phone.get('/api/auth/me')).status).toBe(401);
    expect((await laptop.get('/api/auth/me')).status).toBe(200);
    // Someone else's session id is not found.
    const other = await aPatient(t);
    const theirs = (await other.client.get('/api/auth/sessions')).body[0];
    expect((await p.client.delete(`/api/auth/sessions/${theirs.id}`)).status).toBe(404);

    expect((await p.client.post('/api/auth/password', { currentPassword: 'wrong password', newPassword: 'violet harbour compass' })).status).toBe(401);
    expect((await p.client.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'violet harbour compass' })).status).toBe(200);
    expect((await laptop.get('/api/auth/me')).status).toBe(401);
    expect((await p.client.get('/api/auth/me')).status).toBe(200);
    expect((await mails(p.email, 'security_notice')).map((m) => m.subject)).toContain('Your password was changed');
    expect((await new Client(t.baseUrl).post('/api/auth/login', { email: p.email, password: 'violet harbour compass' })).status).toBe(200);
  });

  it('lets an admin reset a password by mail and remove a lost authenticator, both audited', async () => {
    const admin = await aStaff(t, 'admin');
    const staff = await aStaff(t, 'coordinator');
    expect((await staff.client.post(`/api/admin/users/${admin.id}/password-reset`)).status).toBe(403);
    expect((await admin.client.post(`/api/admin/users/${staff.id}/password-reset`)).status).toBe(200);
    expect((await staff.client.get('/api/auth/me')).status).toBe(401);
    expect((await new Client(t.baseUrl).post('/api/auth/login', { email: staff.email, password: PASSWORD })).status).toBe(401);
    const token = await lastMailToken(t.db, staff.email);
    expect((await new Client(t.baseUrl).post('/api/auth/set-password', { token, password: 'copper meadow signal' })).status).toBe(200);

    expect((await admin.client.post(`/api/admin/users/${staff.id}/mfa-reset`)).status).toBe(200);
    const again = new Client(t.baseUrl);
    expect((await again.post('/api/auth/login', { email: staff.email, password: 'copper meadow signal' })).body.mfaState).toBe('enroll_required');
    const audit = await t.db.query<{ action: string; actor_id: string }>(`SELECT action, actor_id FROM audit_events WHERE entity_id = $1 AND action IN ('user.password_reset', 'user.mfa_reset')`, [staff.id]);
    expect(audit.map((a) => a.action).sort()).toEqual(['user.mfa_reset', 'user.password_reset']);
    expect(audit.every((a) => a.actor_id === admin.id)).toBe(true);
  });
});
