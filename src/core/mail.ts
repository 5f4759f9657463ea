import type nodemailerModule from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { Db, Queryable } from './db.ts';
import { onFirstUse } from './onFirstUse.ts';

// Loaded only where SMTP is configured.
const nodemailer = onFirstUse<typeof nodemailerModule>('nodemailer');

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
  /** Files without health data only (a calendar invitation). */
  attachments?: { filename: string; contentType: string; content: string }[];
}

export async function enqueueMail(tx: Queryable, mail: OutgoingMail): Promise<void> {
  await tx.query('INSERT INTO mail_outbox (kind, to_address, subject, body_text, attachments) VALUES ($1,$2,$3,$4,$5)',
    [mail.kind, mail.to, mail.subject, mail.text, mail.attachments?.length ? JSON.stringify(mail.attachments) : null]);
}

const MAX_ATTEMPTS = 5;
// Longer than one SMTP exchange may take (the transport's timeouts are set below it): a claim
// that runs out means the sender died mid-send.
const CLAIM_SECONDS = 120;

/**
 * Sends up to `batch` unsent messages. Each is claimed in a short transaction of its own (SKIP
 * LOCKED, so several servers can send side by side), then sent with no transaction open (on
 * PGlite an open transaction would hold every other query), and its result recorded at once.
 */
export async function deliverPendingMail(db: Db, transport: Transporter, from: string, batch = 20): Promise<number> {
  let sent = 0;
  const tried: string[] = [];
  // One message at a time: a claim covers one SMTP exchange, never a queue of them.
  for (let i = 0; i < batch; i++) {
    const [row] = await db.transaction((tx) => tx.query<{ id: string; to_address: string; subject: string; body_text: string; attachments: OutgoingMail['attachments'] | null }>(
      `UPDATE mail_outbox SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
       WHERE id IN (SELECT id FROM mail_outbox
                    WHERE sent_at IS NULL AND attempts < $1 AND (claimed_until IS NULL OR claimed_until < now()) AND id <> ALL($3::uuid[])
                    ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING id, to_address, subject, body_text, attachments`, [MAX_ATTEMPTS, CLAIM_SECONDS, tried]));
    if (!row) break;
    tried.push(row.id);
    try {
      await transport.sendMail({ from, to: row.to_address, subject: row.subject, text: row.body_text, attachments: row.attachments ?? undefined });
      await db.query('UPDATE mail_outbox SET sent_at = now(), claimed_until = NULL, last_error = NULL WHERE id = $1', [row.id]);
      sent++;
    } catch (err) {
      // Released for a later round (this one moves on to other messages).
      await db.query('UPDATE mail_outbox SET claimed_until = NULL, last_error = $2 WHERE id = $1', [row.id, String((err as Error).message).slice(0, 500)]);
    }
  }
  return sent;
}

/** Starts the periodic sender when SMTP is configured; returns a stop function. */
export function startMailSender(db: Db, smtpUrl: string | undefined, from: string, log: FastifyBaseLogger, intervalMs = 2000): () => void {
  if (!smtpUrl) return () => undefined;
  // Every SMTP wait ends well within a message's claim (CLAIM_SECONDS).
  const transport = nodemailer().createTransport({ url: smtpUrl, connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 });
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
