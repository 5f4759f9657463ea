import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { Db, Queryable } from './db.ts';

/**
 * The mail outbox. Services put a message in the table inside their own transaction (so a
 * message exists if and only if the change that caused it committed); a sender delivers it with
 * SMTP when configured. Without SMTP the outbox is the mailbox: admins read it in the UI.
 * Messages carry links and case references, never health data.
 */
export interface OutgoingMail {
  kind: string;
  to: string;
  subject: string;
  text: string;
}

export async function enqueueMail(tx: Queryable, mail: OutgoingMail): Promise<void> {
  await tx.query('INSERT INTO mail_outbox (kind, to_address, subject, body_text) VALUES ($1,$2,$3,$4)', [mail.kind, mail.to, mail.subject, mail.text]);
}

const MAX_ATTEMPTS = 5;

/**
 * Sends up to `batch` unsent messages. Rows are claimed with SKIP LOCKED so several servers can
 * run senders side by side without sending a message twice.
 */
export async function deliverPendingMail(db: Db, transport: Transporter, from: string, batch = 20): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string; to_address: string; subject: string; body_text: string }>(
      `SELECT id, to_address, subject, body_text FROM mail_outbox
       WHERE sent_at IS NULL AND attempts < $1 ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`, [MAX_ATTEMPTS, batch]);
    let sent = 0;
    for (const row of rows) {
      try {
        await transport.sendMail({ from, to: row.to_address, subject: row.subject, text: row.body_text });
        await tx.query('UPDATE mail_outbox SET sent_at = now(), attempts = attempts + 1, last_error = NULL WHERE id = $1', [row.id]);
        sent++;
      } catch (err) {
        await tx.query('UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [row.id, String((err as Error).message).slice(0, 500)]);
      }
    }
    return sent;
  });
}

/** Starts the periodic sender when SMTP is configured; returns a stop function. */
export function startMailSender(db: Db, smtpUrl: string | undefined, from: string, log: FastifyBaseLogger, intervalMs = 2000): () => void {
  if (!smtpUrl) return () => undefined;
  const transport = nodemailer.createTransport(smtpUrl);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    deliverPendingMail(db, transport, from)
      .then((n) => n > 0 && log.info({ sent: n }, 'mail delivered'))
      .catch((err: Error) => log.warn({ err: err.message }, 'mail delivery failed'))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    transport.close();
  };
}
