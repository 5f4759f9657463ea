import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDb, type TestDb } from '../../test/support/testApp.ts';
import { deliverPendingMail, enqueueMail } from './mail.ts';

// A real SMTP server on loopback receives what the outbox sender delivers.
let t: TestDb;
let smtp: SMTPServer;
let port = 0;
const received: { to: string[]; data: string }[] = [];

beforeAll(async () => {
  t = await freshDb();
  smtp = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS'], logger: false,
    onRcptTo(address, _session, cb) {
      if (address.address.endsWith('@refused.test')) return cb(new Error('mailbox unavailable'));
      cb();
    },
    onData(stream, session, cb) {
      let data = '';
      stream.on('data', (c: Buffer) => (data += c.toString()));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        // A slow mail server: the database must not wait for it.
        setTimeout(cb, data.includes('Subject: Slow') ? 1500 : 0);
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  port = (smtp.server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
  await t.drop();
});

describe('mail outbox sender', () => {
  it('delivers queued messages over SMTP once, and keeps the failures for another try', async () => {
    await enqueueMail(t.db, { kind: 'verify_email', to: 'someone@example.test', subject: 'Confirm your email', text: 'Open http://x/verify?token=abc' });
    await enqueueMail(t.db, { kind: 'verify_email', to: 'nobody@refused.test', subject: 'Confirm your email', text: 'Open it' });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      expect(await deliverPendingMail(t.db, transport, 'Consilium <no-reply@consilium.local>')).toBe(1);
      expect(await deliverPendingMail(t.db, transport, 'Consilium <no-reply@consilium.local>')).toBe(0);
    } finally {
      transport.close();
    }
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual(['someone@example.test']);
    expect(received[0]!.data).toContain('Subject: Confirm your email');
    const rows = await t.db.query<{ to_address: string; sent_at: Date | null; attempts: number; last_error: string | null }>('SELECT to_address, sent_at, attempts, last_error FROM mail_outbox ORDER BY to_address');
    const refused = rows.find((r) => r.to_address === 'nobody@refused.test')!;
    expect(refused.sent_at).toBeNull();
    expect(refused.attempts).toBe(2);
    expect(refused.last_error).toMatch(/mailbox unavailable/);
    expect(rows.find((r) => r.to_address === 'someone@example.test')!.sent_at).not.toBeNull();
  });

  it('holds no transaction open while the SMTP server takes its time', async () => {
    await enqueueMail(t.db, { kind: 'notice', to: 'slow@example.test', subject: 'Slow', text: 'A message the server is slow to take.' });
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      const sending = deliverPendingMail(t.db, transport, 'Consilium <no-reply@consilium.local>');
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await t.db.transaction((tx) => tx.query('SELECT count(*) FROM mail_outbox'));
      expect(Date.now() - started).toBeLessThan(500);
      expect(await sending).toBe(1);
    } finally {
      transport.close();
    }
    const [row] = await t.db.query<{ sent_at: Date | null; claimed_until: Date | null }>(`SELECT sent_at, claimed_until FROM mail_outbox WHERE to_address = 'slow@example.test'`);
    expect(row!.sent_at).not.toBeNull();
    expect(row!.claimed_until).toBeNull();
  });
});
