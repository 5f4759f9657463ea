import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentTotp } from '../core/auth/totp.ts';
import { Client } from '../../test/support/client.ts';
import { aPatient, aStaff, lastMailToken, PASSWORD } from '../../test/support/builders.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ LOGIN_MAX_FAILURES: '3' });
});
afterAll(() => t.close());

describe('patient registration and sign-in', () => {
  it('registers, needs the mailed confirmation, then signs in with an httpOnly SameSite cookie', async () => {
    const c = new Client(t.baseUrl);
    const email = 'new.patient@example.test';
    expect((await c.post('/api/auth/register', { email, name: 'New Patient', password: PASSWORD })).status).toBe(201);
    const [user] = await t.db.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE email = $1', [email]);
    expect(user!.password_hash).toMatch(/^\$argon2id\$/);

    const early = await c.post('/api/auth/login', { email, password: PASSWORD });
    expect(early.status).toBe(403);
    expect(early.body.code).toBe('EMAIL_NOT_VERIFIED');

    expect((await c.post('/api/auth/verify-email', { token: await lastMailToken(t.db, email) })).status).toBe(200);
    const login = await c.post('/api/auth/login', { email, password: PASSWORD });
    expect(login.status).toBe(200);
    expect(login.body.mfaState).toBe('ok');
    const cookie = login.setCookie.find((s) => s.startsWith('consilium_session='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).not.toMatch(/Secure/);
    const me = await c.get('/api/auth/me');
    expect(me.body.user).toMatchObject({ email, role: 'patient', emailVerified: true });
  });

  it('does not reveal whether an email already has an account', async () => {
    const p = await aPatient(t);
    const again = await new Client(t.baseUrl).post('/api/auth/register', { email: p.email, name: 'Someone', password: PASSWORD });
    expect(again.status).toBe(201);
    const mails = await t.db.query<{ kind: string }>('SELECT kind FROM mail_outbox WHERE to_address = $1 ORDER BY created_at', [p.email]);
    expect(mails.map((m) => m.kind)).toEqual(['verify_email', 'account_exists']);
  });

  it('refuses a confirmation link twice', async () => {
    const c = new Client(t.baseUrl);
    await c.post('/api/auth/register', { email: 'twice@example.test', name: 'Twice', password: PASSWORD });
    const token = await lastMailToken(t.db, 'twice@example.test');
    expect((await c.post('/api/auth/verify-email', { token })).status).toBe(200);
    expect((await c.post('/api/auth/verify-email', { token })).status).toBe(404);
  });

  it('rejects weak passwords, bad emails and unknown fields with problem details', async () => {
    const c = new Client(t.baseUrl);
    const r = await c.post('/api/auth/register', { email: 'not-an-email', name: 'X', password: 'short' });
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(r.body.code).toBe('VALIDATION_FAILED');
    expect(r.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['/body/email', '/body/password']);
    const extra = await c.post('/api/auth/register', { email: 'a@example.test', name: 'A', password: PASSWORD, role: 'admin' });
    expect(extra.status).toBe(400);
    expect((await t.db.query('SELECT 1 FROM users WHERE email = $1', ['a@example.test'])).length).toBe(0);
  });

  it('throttles repeated failures per account and says when to retry', async () => {
    const p = await aPatient(t);
    const c = new Client(t.baseUrl);
    for (let i = 0; i < 3; i++) expect((await c.post('/api/auth/login', { email: p.email, password: 'wrong password!' })).status).toBe(401);
    const locked = await c.post('/api/auth/login', { email: p.email, password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
    const audit = await t.db.query<{ outcome: string }>(`SELECT outcome FROM audit_events WHERE action = 'user.login' AND entity_id = $1`, [p.id]);
    expect(audit.filter((a) => a.outcome === 'failure')).toHaveLength(3);
  });

  it('ends a session after the idle timeout', async () => {
    const p = await aPatient(t);
    expect((await p.client.get('/api/auth/me')).status).toBe(200);
    t.advance(16 * 60_000);
    try {
      expect((await p.client.get('/api/auth/me')).status).toBe(401);
    } finally {
      t.advance(-16 * 60_000);
    }
  });

  it('ends a session at the absolute timeout even when active', async () => {
    const p = await aPatient(t);
    let moved = 0;
    try {
      // Active every 14 minutes, so never idle; still ends after 12 hours.
      for (; moved < 12 * 60 * 60_000; moved += 14 * 60_000) {
        expect((await p.client.get('/api/auth/me')).status).toBe(200);
        t.advance(14 * 60_000);
      }
      expect((await p.client.get('/api/auth/me')).status).toBe(401);
    } finally {
      t.advance(-moved);
    }
  });

  it('signs out', async () => {
    const p = await aPatient(t);
    await p.client.post('/api/auth/logout');
    expect((await p.client.get('/api/auth/me')).status).toBe(401);
  });
});

describe('staff accounts and MFA', () => {
  it('an admin creates a coordinator, who sets a password, must enrol TOTP, then signs in with a code', async () => {
    const admin = await aStaff(t, 'admin');
    const created = await admin.client.post('/api/admin/users', { email: 'casey.c@staff.test', name: 'Casey C', role: 'coordinator' });
    expect(created.status).toBe(201);
    const c = new Client(t.baseUrl);
    expect((await c.post('/api/auth/set-password', { token: await lastMailToken(t.db, 'casey.c@staff.test'), password: PASSWORD })).status).toBe(200);

    const login = await c.post('/api/auth/login', { email: 'casey.c@staff.test', password: PASSWORD });
    expect(login.body.mfaState).toBe('enroll_required');
    const blocked = await c.get('/api/cases');
    expect(blocked.status).toBe(401);
    expect(blocked.body.code).toBe('MFA_REQUIRED');

    // Setting up an authenticator asks for the password again.
    expect((await c.post('/api/auth/mfa/setup', {})).status).toBe(400);
    expect((await c.post('/api/auth/mfa/setup', { password: 'not the password' })).status).toBe(401);
    const setup = await c.post('/api/auth/mfa/setup', { password: PASSWORD });
    expect(setup.body.otpauthUri).toMatch(/^otpauth:\/\/totp\//);
    expect(setup.body.qrDataUrl).toMatch(/^data:image\/png;base64,/);
    expect((await c.post('/api/auth/mfa/enable', { code: '000000' })).status).toBe(400);
    expect((await c.post('/api/auth/mfa/enable', { code: currentTotp(setup.body.secret) })).status).toBe(200);
    expect((await c.get('/api/cases')).status).toBe(200);

    const c2 = new Client(t.baseUrl);
    expect((await c2.post('/api/auth/login', { email: 'casey.c@staff.test', password: PASSWORD })).body.mfaState).toBe('pending');
    expect((await c2.get('/api/cases')).status).toBe(401);
    // The code used at enrolment cannot be replayed.
    expect((await c2.post('/api/auth/mfa/verify', { code: currentTotp(setup.body.secret) })).status).toBe(400);
    expect((await c2.post('/api/auth/mfa/verify', { code: currentTotp(setup.body.secret, Date.now() + 30_000) })).status).toBe(200);
    expect((await c2.get('/api/cases')).status).toBe(200);
  });

  it('only admins manage users; a disabled user loses every session', async () => {
    const admin = await aStaff(t, 'admin');
    const coord = await aStaff(t, 'coordinator');
    expect((await coord.client.get('/api/admin/users')).status).toBe(403);
    const list = await admin.client.get(`/api/admin/users?role=coordinator&q=${encodeURIComponent(coord.email)}`);
    expect(list.body.items).toHaveLength(1);
    expect((await admin.client.patch(`/api/admin/users/${coord.id}`, { disabled: true })).status).toBe(200);
    expect((await coord.client.get('/api/cases')).status).toBe(401);
    expect((await admin.client.patch(`/api/admin/users/${admin.id}`, { disabled: true })).status).toBe(409);
  });

  it('refuses to create a patient account or an unknown role from the admin form', async () => {
    const admin = await aStaff(t, 'admin');
    expect((await admin.client.post('/api/admin/users', { email: 'x@staff.test', name: 'X', role: 'patient' })).status).toBe(400);
    expect((await admin.client.post('/api/admin/users', { email: 'x@staff.test', name: 'X', role: 'superuser' })).status).toBe(400);
  });

  it('demo mode lets staff in without MFA', async () => {
    const demo = await startTestApp({ DEMO: 'true' });
    try {
      const s = await aStaffWithoutMfa(demo);
      expect(s.mfaState).toBe('ok');
    } finally {
      await demo.close();
    }
  });
});

async function aStaffWithoutMfa(app: TestApp) {
  const { hashPassword } = await import('../core/auth/passwords.ts');
  await app.db.query(`INSERT INTO users (email, name, role, password_hash, email_verified_at) VALUES ('demo.c@staff.test','Demo C','coordinator',$1, now())`, [await hashPassword(PASSWORD)]);
  const c = new Client(app.baseUrl);
  return (await c.post('/api/auth/login', { email: 'demo.c@staff.test', password: PASSWORD })).body;
}
