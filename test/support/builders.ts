import crypto from 'node:crypto';
import { hashPassword } from '../../src/core/auth/passwords.ts';
import type { Role } from '../../src/core/auth/roles.ts';
import { newTotpSecret } from '../../src/core/auth/totp.ts';
import type { Intake } from '../../src/cases/intake.ts';
import type { Db } from '../../src/core/db.ts';
import { Client } from './client.ts';
import { nextTotp, type TestApp } from './testApp.ts';

export const PASSWORD = 'correct horse battery';
let passwordHash: Promise<string> | undefined;
const uid = () => crypto.randomBytes(4).toString('hex');

/** The link token in the newest mail to an address (the outbox is the mailbox in tests). */
export async function lastMailToken(db: Db, to: string): Promise<string> {
  const [m] = await db.query<{ body_text: string }>('SELECT body_text FROM mail_outbox WHERE lower(to_address) = lower($1) ORDER BY created_at DESC LIMIT 1', [to]);
  const token = m?.body_text.match(/(?:token=|invitations\/)([A-Za-z0-9_-]{20,})/)?.[1];
  if (!token) throw new Error(`no mail with a token to ${to}`);
  return token;
}

export interface Person {
  client: Client;
  id: string;
  email: string;
  name: string;
  role: Role;
  totpSecret?: string;
  /** The application the person signed in to (staff), for its clock. */
  app?: TestApp;
}

/** A patient who registered, confirmed the email and signed in, all through the API. */
export async function aPatient(t: TestApp, name = `Pat ${uid()}`): Promise<Person> {
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@example.test`;
  const client = new Client(t.baseUrl, name);
  const reg = await client.post('/api/auth/register', { email, name, password: PASSWORD });
  if (reg.status !== 201) throw new Error(`register failed: ${reg.text}`);
  await client.post('/api/auth/verify-email', { token: await lastMailToken(t.db, email) });
  const login = await client.post('/api/auth/login', { email, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login failed: ${login.text}`);
  const me = await client.get('/api/auth/me');
  return { client, id: me.body.user.id, email, name, role: 'patient' };
}

/** A staff member with TOTP enrolled, signed in with password and a current code. */
export async function aStaff(t: TestApp, role: Role, name = `${role} ${uid()}`): Promise<Person> {
  passwordHash ??= hashPassword(PASSWORD);
  const email = `${name.toLowerCase().replace(/[^a-z0-9]+/g, '.')}@staff.test`;
  const { secret } = newTotpSecret(email);
  const [row] = await t.db.query<{ id: string }>(
    `INSERT INTO users (email, name, role, password_hash, email_verified_at, totp_secret, totp_enabled_at) VALUES ($1,$2,$3,$4, now(), $5, now()) RETURNING id`,
    [email, name, role, await passwordHash, secret]);
  const client = new Client(t.baseUrl, name);
  const login = await client.post('/api/auth/login', { email, password: PASSWORD });
  if (login.body?.mfaState !== 'pending') throw new Error(`staff login: ${login.text}`);
  const mfa = await client.post('/api/auth/mfa/verify', { code: nextTotp(t.baseUrl, secret) });
  if (mfa.status !== 200) throw new Error(`mfa: ${mfa.text}`);
  return { client, id: row!.id, email, name, role, totpSecret: secret, app: t };
}

/** A complete, valid intake (synthetic): a new right-upper-lobe lung cancer with lobectomy proposed. */
export function anIntake(overrides: Partial<Intake> = {}): Required<Intake> {
  return {
    patient: { givenName: 'Robin', familyName: 'Testperson', birthDate: '1962-05-04', sex: 'female', country: 'US', state: 'OH', preferredLanguage: 'en' },
    condition: { description: 'Adenocarcinoma of the right upper lobe', icd10Code: 'C34.11', newDiagnosis: true },
    situations: { situations: [1, 2] },
    plan: { proposedPlan: 'Right upper lobectomy, then chemotherapy', surgeryProposed: true, surgeryDescription: 'Right upper lobectomy', treatmentStartsSoon: false, rapidWorsening: false },
    treatment: { treatments: [] },
    questions: { questions: ['Is surgery the best option for me?', 'Do I need more tests first?'] },
    priorities: { ranked: ['longevity', 'function'], inOwnWords: 'I want to keep hiking.' },
    ...overrides,
  } as Required<Intake>;
}

/** Builds a case through the API, as far along as asked. */
export async function aCase(t: TestApp, patient: Person, opts: { intake?: Partial<Intake> | false; consent?: boolean; submit?: boolean } = {}) {
  const created = await patient.client.post('/api/cases');
  if (created.status !== 201) throw new Error(`create case: ${created.text}`);
  const id: string = created.body.id;
  if (opts.intake !== false && (opts.intake || opts.consent || opts.submit)) {
    for (const [section, data] of Object.entries(anIntake(opts.intake || {}))) {
      const r = await patient.client.put(`/api/cases/${id}/intake/${section}`, data);
      if (r.status !== 200) throw new Error(`intake ${section}: ${r.text}`);
    }
  }
  if (opts.consent || opts.submit) await signConsents(patient, id);
  if (opts.submit) {
    const r = await patient.client.post(`/api/cases/${id}/commands/submit`, {});
    if (r.status !== 200) throw new Error(`submit: ${r.text}`);
  }
  return id;
}

export async function signConsents(person: Person, caseId: string) {
  const docs = await person.client.get('/api/reference/consent-documents');
  for (const d of docs.body.current) {
    const r = await person.client.post(`/api/cases/${caseId}/consents`, { document: d.kind, version: d.version, typedName: person.name });
    if (r.status !== 201) throw new Error(`consent: ${r.text}`);
  }
}

/** Runs a lifecycle command, failing loudly if it is refused. */
export async function command(person: Person, caseId: string, name: string, body: Record<string, unknown> = {}) {
  const r = await person.client.post(`/api/cases/${caseId}/commands/${name}`, body);
  if (r.status !== 200) throw new Error(`${name} by ${person.role}: ${r.status} ${r.text}`);
  return r.body;
}

/** Waives every outstanding checklist item (as the case's coordinator), so the case can go to review. */
export async function waiveOutstanding(coordinator: Person, caseId: string) {
  const list = (await coordinator.client.get(`/api/cases/${caseId}/checklist`)).body;
  for (const item of list.items.filter((i: { have: boolean; waiver: unknown }) => !i.have && !i.waiver)) {
    const r = await coordinator.client.put(`/api/cases/${caseId}/checklist/${item.id}/waiver`, { reason: 'Not needed for this test case.' });
    if (r.status !== 200) throw new Error(`waive ${item.id}: ${r.status} ${r.text}`);
  }
}

/**
 * A submitted case taken by the coordinator through records (every item waived) to review, offered
 * to the expert, who accepts (and so leads) and starts the review.
 */
export async function aCaseInReview(t: TestApp, patient: Person, coordinator: Person, expert: Person, opts: { intake?: Partial<Intake>; role?: string } = {}) {
  const id = await aCase(t, patient, { submit: true, intake: opts.intake });
  await takeToReview(id, coordinator, expert, opts);
  return id;
}

/** A submitted case through records (waived) and matching, to the expert's review. */
export async function takeToReview(id: string, coordinator: Person, expert: Person, opts: { role?: string } = {}) {
  await command(coordinator, id, 'startRecordCollection');
  await waiveOutstanding(coordinator, id);
  await command(coordinator, id, 'markReadyForReview');
  const offer = await coordinator.client.post(`/api/cases/${id}/offers`, { expertId: expert.id, role: opts.role ?? 'medical_oncology' });
  const accepted = await expert.client.post(`/api/offers/${offer.body.id}/accept`);
  if (accepted.status !== 200) throw new Error(`accept offer: ${accepted.text}`);
  await command(expert, id, 'startReview');
}

/** A fresh authenticator code for a staff member (see `nextTotp`: a used code is never replayed). */
export function codeFor(p: Person) {
  if (!p.app) throw new Error(`${p.name} has no application (made by aStaff)`);
  return nextTotp(p.app.baseUrl, p.totpSecret!);
}

/** An assigned expert writes a minimal part, signs it and issues the report (the case becomes opinion_signed). */
export async function issueOpinion(expert: Person, caseId: string, issueOptions: Record<string, unknown> = {}, sections: Record<string, unknown> = {}) {
  const ws = (await expert.client.get(`/api/cases/${caseId}/opinion`)).body;
  const questions: string[] = ws.intake?.questions?.questions ?? [];
  const draft = await expert.client.put(`/api/cases/${caseId}/opinion/draft`, {
    patientSummary: 'The plan is sound. Ask your doctor about the next scan.',
    answers: questions.map((q) => ({ question: q, answer: 'Yes, for the reasons above.' })),
    ...sections,
  });
  if (draft.status !== 200) throw new Error(`opinion draft: ${draft.text}`);
  const signed = await expert.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(expert) });
  if (signed.status !== 200) throw new Error(`opinion sign: ${signed.text}`);
  const issued = await expert.client.post(`/api/cases/${caseId}/opinion/report`, { password: PASSWORD, code: codeFor(expert), ...issueOptions });
  if (issued.status !== 201) throw new Error(`opinion report: ${issued.text}`);
  return issued.body;
}
