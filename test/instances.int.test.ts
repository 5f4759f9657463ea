import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/core/audit.ts';
import { objectBackendFor } from '../src/core/storage.ts';
import { cleanUpStorage } from '../src/records/cleanup.ts';
import { uploadDiscarderFor } from '../src/records/uploadStore.ts';
import { aCase, aPatient, aStaff, command, waiveOutstanding, type Person } from './support/builders.ts';
import { PATHOLOGY_LINES } from './support/records.ts';
import { startTestS3, type TestS3 } from './support/s3.ts';
import { startTestInstances, type TestApp } from './support/testApp.ts';

/**
 * Two instances of the application on one PostgreSQL database and one S3 bucket, as behind a
 * load balancer: a person may reach either on any request. PostgreSQL only (PGlite is one
 * process's database), so the PGlite project skips it.
 */
const onPostgres = process.env.TEST_DB === 'postgres';
let s3: TestS3;
let a: TestApp;
let b: TestApp;
let close: () => Promise<void>;
let patient: Person;
let caseId: string;

beforeAll(async () => {
  if (!onPostgres) return;
  s3 = await startTestS3();
  // Shared by every instance: the bucket and the master key; the job workers poll briskly.
  const env = { S3_URL: s3.url, BLOB_KEYS: `k1:${crypto.randomBytes(32).toString('base64')}`, JOBS_POLL_MS: '50' };
  const started = await startTestInstances(2, env);
  [a, b] = started.instances as [TestApp, TestApp];
  close = started.close;
  patient = await aPatient(a);
  caseId = await aCase(a, patient, { submit: true });
});
afterAll(async () => {
  await close?.();
  await s3?.close();
});

const keysUnder = async (prefix: string) => ((await s3.client.send(new ListObjectsV2Command({ Bucket: s3.config.bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!);

/** Waits until no job is due or running: both workers have drained the queue. */
async function jobsSettled() {
  for (let i = 0; i < 200; i++) {
    const [row] = await a.db.query<{ n: number }>('SELECT count(*)::int AS n FROM jobs WHERE done_at IS NULL AND run_at <= now() AND attempts < max_attempts');
    if (row!.n === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('jobs did not settle');
}

describe.skipIf(!onPostgres)('several instances on one database and one bucket', () => {
  it('a person signed in on one instance carries on on the other', async () => {
    const onB = patient.client.at(b.baseUrl);
    expect((await onB.get('/api/auth/me')).body.user.id).toBe(patient.id);
    expect((await onB.get(`/api/cases/${caseId}`)).body.id).toBe(caseId);
    // A sign-out on B ends the session on A too: sessions live in the database, not in a process.
    const other = await aPatient(b);
    expect((await other.client.post('/api/auth/logout')).status).toBeLessThan(300);
    expect((await other.client.at(a.baseUrl).get('/api/auth/me')).status).toBe(401);
  });

  it('a file sent in parts to alternating instances is stored once, encrypted, in the bucket', async () => {
    // About 7 MB of text: the first part is shorter than S3's smallest part (kept aside in the
    // bucket by the instance that got it), the next instance joins it with its own bytes.
    const line = `${PATHOLOGY_LINES.join(' ')}\n`;
    const data = Buffer.from(line.repeat(Math.ceil(7 * 1024 * 1024 / line.length)));
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const headers = { 'tus-resumable': '1.0.0', cookie: patient.client.cookieHeader };
    const created = await fetch(`${a.baseUrl}/api/uploads`, { method: 'POST', headers: { ...headers, 'upload-length': String(data.length), 'upload-metadata': `caseId ${b64(caseId)},filename ${b64('pathology.txt')}` } });
    expect(created.status).toBe(201);
    const id = created.headers.get('location')!.split('/').pop()!;
    const chunk = Math.ceil(data.length / 3);
    let offset = 0;
    let last: Response | null = null;
    for (let i = 0; offset < data.length; i++) {
      const on = i % 2 === 0 ? a : b;
      // A client that lost its connection asks where the upload stands: any instance knows.
      const head = await fetch(`${(i % 2 === 0 ? b : a).baseUrl}/api/uploads/${id}`, { method: 'HEAD', headers });
      expect(Number(head.headers.get('upload-offset'))).toBe(offset);
      const part = data.subarray(offset, offset + chunk);
      last = await fetch(`${on.baseUrl}/api/uploads/${id}`, { method: 'PATCH', headers: { ...headers, 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(part) });
      expect([200, 204]).toContain(last.status);
      offset += part.length;
    }
    const result = await last!.json() as { document: { id: string; sha256: string } };
    expect(result.document.sha256).toBe(crypto.createHash('sha256').update(data).digest('hex'));

    // Read back through the other instance; the bucket holds ciphertext and nothing of the upload.
    const back = await fetch(`${b.baseUrl}/api/cases/${caseId}/documents/${result.document.id}/content`, { headers: { cookie: patient.client.cookieHeader } });
    expect(Buffer.from(await back.arrayBuffer()).equals(data)).toBe(true);
    expect(await keysUnder('uploads/')).toEqual([]);
    const [row] = await a.db.query<{ object_key: string }>('SELECT object_key FROM blobs WHERE sha256 = $1', [result.document.sha256]);
    const stored = await s3.client.send(new GetObjectCommand({ Bucket: s3.config.bucket, Key: `blobs/${row!.object_key}`, Range: 'bytes=0-63' }));
    expect(Buffer.from(await stored.Body!.transformToByteArray()).equals(data.subarray(0, 64))).toBe(false);
    for (const app of [a, b]) expect(fs.existsSync(path.join(app.config.dataDir, 'blobs')) ? fs.readdirSync(path.join(app.config.dataDir, 'blobs')).filter((f) => f !== 'tmp') : []).toEqual([]);
    // Its text is read in the background by one of the two workers.
    await jobsSettled();
    expect((await patient.client.get(`/api/cases/${caseId}/documents/${result.document.id}`)).body.status).not.toBe('processing');
  });

  it('the cleanup removes an upload abandoned half-way from the bucket, open multipart upload and all', async () => {
    const headers = { 'tus-resumable': '1.0.0', cookie: patient.client.cookieHeader };
    const data = Buffer.alloc(6 * 1024 * 1024, 7);
    const created = await fetch(`${b.baseUrl}/api/uploads`, { method: 'POST', headers: { ...headers, 'upload-length': String(data.length), 'upload-metadata': `caseId ${Buffer.from(caseId).toString('base64')},filename ${Buffer.from('left.txt').toString('base64')}` } });
    const id = created.headers.get('location')!.split('/').pop()!;
    const patched = await fetch(`${b.baseUrl}/api/uploads/${id}`, { method: 'PATCH', headers: { ...headers, 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' }, body: new Uint8Array(data.subarray(0, 1024 * 1024)) });
    expect(patched.status).toBe(204);
    expect(await keysUnder(`uploads/${id}`)).not.toEqual([]);
    const open = async () => ((await s3.client.send(new ListMultipartUploadsCommand({ Bucket: s3.config.bucket, Prefix: `uploads/${id}` }))).Uploads ?? []).length;
    expect(await open()).toBe(1);
    const r = await cleanUpStorage(a.db, { objects: objectBackendFor(a.config), uploads: await uploadDiscarderFor(a.config) }, { now: new Date(Date.now() + 8 * 86_400_000) });
    expect(r.abandonedUploads).toBe(1);
    expect(await keysUnder(`uploads/${id}`)).toEqual([]);
    expect(await open()).toBe(0);
  });

  it('background work runs once, whichever instance picks it up: text reading, offer expiry, reminders, notices', async () => {
    const coordinator = await aStaff(a, 'coordinator');
    const files = Array.from({ length: 6 }, (_, i) => Buffer.from(`${PATHOLOGY_LINES.join('\n')}\nSpecimen ${i} ${crypto.randomUUID()}\n`));
    await Promise.all(files.map(async (f, i) => {
      const client = patient.client.at(i % 2 ? b.baseUrl : a.baseUrl);
      const headers = { 'tus-resumable': '1.0.0', cookie: client.cookieHeader, 'upload-length': String(f.length), 'upload-metadata': `caseId ${Buffer.from(caseId).toString('base64')},filename ${Buffer.from(`report-${i}.txt`).toString('base64')}`, 'content-type': 'application/offset+octet-stream' };
      // Created and finished in one request (tus creation-with-upload): the document comes back at once.
      const res = await fetch(`${client.baseUrl}/api/uploads`, { method: 'POST', headers, body: new Uint8Array(f) });
      expect(res.status).toBe(200);
    }));
    await command(coordinator, caseId, 'startRecordCollection');
    await waiveOutstanding(coordinator, caseId);
    await command(coordinator, caseId, 'markReadyForReview');
    const silent = await aStaff(b, 'expert', 'Dr. Silent');
    const willing = await aStaff(b, 'expert', 'Dr. Willing');
    const unanswered = await coordinator.client.post(`/api/cases/${caseId}/offers`, { expertId: silent.id, role: 'pathology' });
    const answered = await coordinator.client.at(b.baseUrl).post(`/api/cases/${caseId}/offers`, { expertId: willing.id, role: 'thoracic_surgery' });
    expect((await willing.client.post(`/api/offers/${answered.body.id}/accept`)).status).toBe(200);
    // Their time comes on both instances' clocks: the offer's deadline and the reminders fall due at once.
    for (const app of [a, b]) app.advance(25 * 3_600_000);
    try {
      await a.db.query(`UPDATE jobs SET run_at = now() WHERE done_at IS NULL AND kind IN ('offer.expire', 'sla.remind')`);
      await jobsSettled();
    } finally {
      for (const app of [a, b]) app.advance(-25 * 3_600_000);
    }

    const [offer] = await a.db.query<{ status: string }>('SELECT status FROM expert_offers WHERE id = $1', [unanswered.body.id]);
    expect(offer!.status).toBe('expired');
    const jobs = await a.db.query<{ kind: string; attempts: number; done: boolean }>('SELECT kind, attempts, done_at IS NOT NULL AS done FROM jobs');
    const kinds = new Set(jobs.map((j) => j.kind));
    for (const k of ['document.extract', 'offer.expire', 'sla.remind', 'event.dispatch']) expect(kinds).toContain(k);
    // Claimed once each: a job two workers both ran would show two attempts.
    expect(jobs.filter((j) => !j.done || j.attempts !== 1)).toEqual([]);
    // Each names the instance that ran it, one of the two.
    const claimers = await a.db.query<{ claimed_by: string | null }>('SELECT DISTINCT claimed_by FROM jobs');
    expect(claimers.length).toBeGreaterThan(0);
    for (const c of claimers) expect([a.config.instanceName, b.config.instanceName]).toContain(c.claimed_by);
    // Each effect happened once: one expiry on the timeline, one of each notice in the outbox.
    const [expiries] = await a.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM case_events WHERE type = 'offer.expire' AND detail->>'offerId' = $1`, [unanswered.body.id]);
    expect(expiries!.n).toBe(1);
    const mails = await a.db.query<{ to_address: string; subject: string; n: number }>('SELECT to_address, subject, count(*)::int AS n FROM mail_outbox GROUP BY to_address, subject, body_text HAVING count(*) > 1');
    expect(mails).toEqual([]);
    const reminders = await a.db.query<{ subject: string }>('SELECT subject FROM mail_outbox WHERE to_address = $1', [willing.email]);
    expect(reminders.some((m) => m.subject.startsWith('Opinion due soon'))).toBe(true);
    const docs = await a.db.query<{ status: string }>(`SELECT status FROM documents WHERE case_id = $1`, [caseId]);
    expect(docs.filter((d) => d.status === 'processing')).toEqual([]);
  });

  it('the audit trail stays one unbroken chain under audited acts on both instances at once', async () => {
    // Both are audited: the patient's listing of the documents, and a stranger's refused look at the case.
    const stranger = await aPatient(b);
    const lists = Array.from({ length: 12 }, (_, i) => patient.client.at(i % 2 ? b.baseUrl : a.baseUrl).get(`/api/cases/${caseId}/documents`));
    const refusals = Array.from({ length: 12 }, (_, i) => stranger.client.at(i % 2 ? a.baseUrl : b.baseUrl).get(`/api/cases/${caseId}`));
    const [before] = await a.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
    const answers = await Promise.all([...lists, ...refusals]);
    expect(answers.slice(0, 12).map((r) => r.status)).toEqual(Array(12).fill(200));
    expect(answers.slice(12).map((r) => r.status)).toEqual(Array(12).fill(404));
    const [after] = await a.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
    expect(after!.n - before!.n).toBeGreaterThanOrEqual(24);
    expect(await verifyAuditChain(b.db)).toMatchObject({ ok: true });
  });
});
