import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { knowledgeIn } from '../src/assessment/localized.ts';
import { CONSENT_DOCUMENTS } from '../src/consent/documents.ts';
import { extractPdfText } from '../src/records/pdfText.ts';
import { fhirValidationErrors } from '../src/fhir/validate.ts';
import { aCase, aCaseInReview, anIntake, aPatient, aStaff, command, issueOpinion, lastMailToken, PASSWORD, type Person } from './support/builders.ts';
import { Client } from './support/client.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

/**
 * Spanish beside English, through HTTP: the language asked for (Accept-Language) picks the words
 * of what the server writes; an account keeps its language for its mail and notices; a consent is
 * signed in the language it was read in.
 */
let t: TestApp;
let anonymous: Client;
const SPANISH = { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' };
beforeAll(async () => {
  t = await startTestApp();
  anonymous = new Client(t.baseUrl);
});
afterAll(() => t.close());

const mailTo = async (to: string) => (await t.db.query<{ subject: string; body_text: string }>('SELECT subject, body_text FROM mail_outbox WHERE to_address = $1 ORDER BY created_at DESC LIMIT 1', [to]))[0]!;

describe('the public assessment', () => {
  const answers = { diagnosis: { text: 'me dijeron que es cáncer de pulmón' }, diagnosisStatus: 'new' };

  it('answers in the language asked for, finding a diagnosis typed in Spanish', async () => {
    const es = await anonymous.request('POST', '/api/assessments', answers, SPANISH);
    expect(es.status).toBe(200);
    expect(es.body).toMatchObject({ language: 'es', inEnglish: [], condition: { id: 'lung_cancer', label: 'Cáncer de pulmón' } });
    expect(es.body.disclaimer).toMatch(/médico/);
    const en = await anonymous.request('POST', '/api/assessments', answers);
    expect(en.body).toMatchObject({ language: 'en', condition: { id: 'lung_cancer', label: 'Lung cancer' } });
    // Same rules, same sources: only the words differ (our own words about each source included).
    expect(es.body.situations.map((s: { number: number }) => s.number)).toEqual(en.body.situations.map((s: { number: number }) => s.number));
    const citing = (list: { id: string; url?: string; reviewedOn: string }[]) => list.map(({ id, url, reviewedOn }) => ({ id, url, reviewedOn }));
    expect(citing(es.body.sources)).toEqual(citing(en.body.sources));
    // What we say of a source is in Spanish; a published document's own title stays as published.
    expect(es.body.sources.find((s: { id: string }) => s.id === 'seed-s1')?.title).toMatch(/^Guía para pacientes/);
  });

  it('falls back to English for a language it does not write, and names the PDF in the reader’s language', async () => {
    expect((await anonymous.request('POST', '/api/assessments', answers, { 'accept-language': 'fr-CA, de;q=0.8' })).body.language).toBe('en');
    const pdf = await anonymous.request('POST', '/api/assessments/pdf', answers, SPANISH);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-disposition')).toBe('attachment; filename="evaluacion-segunda-opinion.pdf"');
  });

  it('offers the questionnaire’s choices and the diagnosis search in Spanish', async () => {
    const q = await anonymous.request('GET', '/api/assessments/questionnaire', undefined, SPANISH);
    expect(q.body.treatments.find((c: { id: string }) => c.id === 'radiation').label).toBe('Radioterapia');
    expect(q.body.conditions.find((c: { id: string }) => c.id === 'lung_cancer').label).toBe('Cáncer de pulmón');
    const found = await anonymous.request('GET', `/api/reference/icd10?q=${encodeURIComponent('cancer de pulmon')}&limit=3`, undefined, SPANISH);
    expect(found.body.items[0]).toMatchObject({ name: 'Cáncer de pulmón', code: 'C34.90', display: expect.stringMatching(/lung/i) });
    const inEnglish = await anonymous.get(`/api/reference/icd10?q=${encodeURIComponent('cáncer de pulmón')}&limit=1`);
    expect(inEnglish.body.items[0]).toMatchObject({ name: 'Lung cancer', matched: expect.stringMatching(/^Cáncer de pulmón$/i) });
  });
});

describe('an account’s language', () => {
  it('is the one the person registered in, and their mail is written in it', async () => {
    const c = new Client(t.baseUrl);
    const r = await c.request('POST', '/api/auth/register', { email: 'rosa@example.test', name: 'Rosa Ejemplo', password: PASSWORD }, SPANISH);
    expect(r.status).toBe(201);
    expect((await mailTo('rosa@example.test')).subject).toBe('Confirme su correo electrónico');
    await c.post('/api/auth/verify-email', { token: await lastMailToken(t.db, 'rosa@example.test') });
    await c.post('/api/auth/login', { email: 'rosa@example.test', password: PASSWORD });
    expect((await c.get('/api/auth/me')).body.user.locale).toBe('es');
    // Registering again from an English page still writes to her in her language.
    await anonymous.post('/api/auth/register', { email: 'rosa@example.test', name: 'Rosa Ejemplo', password: PASSWORD });
    expect((await mailTo('rosa@example.test')).subject).toBe('Usted ya tiene una cuenta en Consilium');
  });

  it('can be changed, is audited, and only to a language the service writes', async () => {
    const p = await aPatient(t, 'Luis Cambio');
    // A registration keeps the language it was made in; an account made by an administrator has
    // none until its person chooses (their pages follow the device meanwhile).
    expect((await p.client.get('/api/auth/me')).body.user.locale).toBe('en');
    const staff = await aStaff(t, 'coordinator', 'Sin Idioma');
    expect((await staff.client.get('/api/auth/me')).body.user.locale).toBeNull();
    expect((await p.client.put('/api/auth/locale', { locale: 'es' })).status).toBe(200);
    expect((await p.client.get('/api/auth/me')).body.user.locale).toBe('es');
    const bad = await p.client.put('/api/auth/locale', { locale: 'xx' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
    expect((await new Client(t.baseUrl).put('/api/auth/locale', { locale: 'es' })).status).toBe(401);
    const [event] = await t.db.query<{ detail: unknown }>(`SELECT detail FROM audit_events WHERE action = 'user.locale' AND actor_id = $1`, [p.id]);
    expect(event!.detail).toEqual({ language: 'es' });
    // A security change is mailed in the new language.
    await p.client.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'another horse battery staple' });
    expect((await mailTo(p.email)).subject).toBe('Su contraseña cambió');
  });

  it('answers problems in the reader’s language: title and detail, said to be Spanish', async () => {
    const wrong = await anonymous.request('POST', '/api/auth/login', { email: 'nadie@example.test', password: 'not the password at all' }, SPANISH);
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-language')).toBe('es');
    expect(wrong.body.code).toBe('INVALID_CREDENTIALS');
    expect(wrong.body.title).toMatch(/contraseña/);
    const p = await aPatient(t, 'Nora Nadie');
    const missing = await p.client.request('GET', `/api/cases/${crypto.randomUUID()}`, undefined, SPANISH);
    expect(missing.body.detail).toBe('Este caso no se encontró, o usted no tiene acceso.');
    expect((await anonymous.post('/api/auth/login', { email: 'nadie@example.test', password: 'not the password at all' })).body.title).toBe('Email or password is not correct');
  });

  it('invites a caregiver in the language of the page the patient used, and pauses sign-in in the account’s language', async () => {
    const p = await aPatient(t, 'Inés Invita');
    const id = await aCase(t, p);
    const invited = await p.client.request('POST', `/api/cases/${id}/proxies`, { email: 'cuidador@example.test', relationship: 'hijo' }, SPANISH);
    expect(invited.status).toBe(201);
    const invitation = await mailTo('cuidador@example.test');
    expect(invitation.subject).toBe('Inés Invita le invita a ayudar con una solicitud de segunda opinión');
    expect(invitation.body_text).toMatch(/Abra este enlace en los próximos 7 días/);
    // Wrong current passwords until the account pauses: the owner is told in Spanish.
    await p.client.put('/api/auth/locale', { locale: 'es' });
    for (let i = 0; i < t.config.loginMaxFailures; i++) await p.client.post('/api/auth/password', { currentPassword: 'not the password at all', newPassword: 'a brand new long passphrase 42' });
    const paused = await mailTo(p.email);
    expect(paused.subject).toBe('Se pausó el inicio de sesión en su cuenta de Consilium');
  });

  it('writes the notices of a Spanish reader in Spanish, without health data', async () => {
    const p = await aPatient(t, 'Marta Aviso');
    await p.client.put('/api/auth/locale', { locale: 'es' });
    const id = await aCase(t, p, { submit: true });
    await t.app.jobs.drain();
    const mail = await mailTo(p.email);
    expect(mail.subject).toMatch(/^Recibimos su solicitud /);
    expect(mail.body_text).toContain('este mensaje no contiene información de salud');
    const list = await p.client.get('/api/notifications');
    expect(list.body.items[0].title).toMatch(/^Recibimos su solicitud /);
    // The urgency's reason, kept from the rules when the request was sent, reads in the reader's language.
    const standard = knowledgeIn('es').knowledge.rules.urgency.standard.text;
    expect((await p.client.request('GET', `/api/cases/${id}`, undefined, SPANISH)).body.urgencyReason).toBe(standard);
    expect((await p.client.get(`/api/cases/${id}`)).body.urgencyReason).not.toBe(standard);
  });
});

describe('consent in Spanish', () => {
  let patient: Person;
  beforeAll(async () => {
    patient = await aPatient(t, 'Elena Firma');
  });

  it('gives the documents in the language asked for, saying which language each is in', async () => {
    const es = await anonymous.request('GET', '/api/reference/consent-documents', undefined, SPANISH);
    expect(es.body.current.map((d: { language: string; title: string }) => [d.language, d.title])).toEqual([
      ['es', 'Consentimiento para una revisión de segunda opinión a distancia'], ['es', 'Autorización para usar y divulgar información de salud (HIPAA)']]);
    expect((await anonymous.get('/api/reference/consent-documents')).body.current[0].language).toBe('en');
  });

  it('keeps the language and the hash of the text that was signed, and says the language in FHIR', async () => {
    const id = await aCase(t, patient, { consent: false });
    const hipaa = CONSENT_DOCUMENTS.find((d) => d.kind === 'hipaa_authorization')!;
    const signed = await patient.client.post(`/api/cases/${id}/consents`, { document: 'hipaa_authorization', version: hipaa.version, typedName: 'Elena Firma', language: 'es' });
    expect(signed.status).toBe(201);
    const [row] = await t.db.query<{ id: string; language: string; text_sha256: string }>(`SELECT id, language, text_sha256 FROM consent_signatures WHERE case_id = $1`, [id]);
    expect(row!.language).toBe('es');
    expect(row!.text_sha256).toBe(crypto.createHash('sha256').update(hipaa.translations!.es!.text).digest('hex'));
    const fhir = await patient.client.get(`/fhir/R4/Consent/${row!.id}`);
    expect(fhir.body).toMatchObject({ resourceType: 'Consent', language: 'es' });
    const bad = await patient.client.post(`/api/cases/${id}/consents`, { document: 'service_consent', version: hipaa.version, typedName: 'Elena Firma', language: 'zz' });
    expect(bad.status).toBe(400);
  });

  it('estimates the cost in the reader’s language, with the same fees', async () => {
    const id = await aCase(t, patient, { intake: { patient: { ...anIntake().patient, planType: 'medicare' } } });
    const es = await patient.client.request('GET', `/api/cases/${id}/estimate`, undefined, SPANISH);
    const en = await patient.client.get(`/api/cases/${id}/estimate`);
    expect(es.body.lines.map((l: { feeCents: number }) => l.feeCents)).toEqual(en.body.lines.map((l: { feeCents: number }) => l.feeCents));
    expect(es.body.lines[0].name).not.toBe(en.body.lines[0].name);
    expect(es.body.guidance[0].text).toMatch(/Parte B/);
  });

  it('lists the records checklist in the reader’s language', async () => {
    const coordinator = await aStaff(t, 'coordinator', 'Coordinadora Lista');
    const id = await aCase(t, patient, { submit: true });
    await command(coordinator, id, 'startRecordCollection');
    const es = await patient.client.request('GET', `/api/cases/${id}/checklist`, undefined, SPANISH);
    expect(es.body.items.find((i: { id: string }) => i.id === 'pathology_report').label).toBe('Informes de patología');
    const en = await patient.client.get(`/api/cases/${id}/checklist`);
    expect(en.body.items.find((i: { id: string }) => i.id === 'pathology_report').label).toBe('Pathology reports');
  });
});

describe('the patient summary in the patient’s language', () => {
  async function deliveredCase(patientName: string, summaryLanguage?: 'es') {
    const p = await aPatient(t, patientName);
    const coordinator = await aStaff(t, 'coordinator', `Coord ${patientName}`);
    const expert = await aStaff(t, 'expert', `Expert ${patientName}`);
    const id = await aCaseInReview(t, p, coordinator, expert, { intake: { patient: { ...anIntake().patient, preferredLanguage: 'es' } } });
    await issueOpinion(expert, id, {}, summaryLanguage ? { patientSummary: 'El plan es correcto.', patientSummaryLanguage: summaryLanguage } : {});
    return { p, coordinator, expert, id };
  }

  it('is marked as needing a translation when the expert wrote in another language; the coordinator attaches one reviewed by a person', async () => {
    const { p, coordinator, id } = await deliveredCase('Sofía Traducción');
    let seen = (await coordinator.client.get(`/api/cases/${id}/opinion`)).body.summaryLanguage;
    expect(seen).toEqual({ patientLanguage: 'es', summaryLanguage: 'en', needed: true, current: null, translations: [] });
    // The same language as the original is refused in plain words; so is an empty translation.
    const same = await coordinator.client.put(`/api/cases/${id}/opinion/report/1/translation`, { language: 'en', summary: 'The plan is sound.', translatedBy: 'Ana Traductora', reviewedBy: 'Luis Revisor' });
    expect(same.status).toBe(400);
    expect(same.body.detail).toBe('The summary is already written in this language.');
    expect((await coordinator.client.put(`/api/cases/${id}/opinion/report/1/translation`, { language: 'es', summary: '', translatedBy: 'Ana Traductora', reviewedBy: 'Luis Revisor' })).status).toBe(400);
    expect((await coordinator.client.put(`/api/cases/${id}/opinion/report/9/translation`, { language: 'es', summary: 'El plan es correcto.', translatedBy: 'Ana Traductora', reviewedBy: 'Luis Revisor' })).status).toBe(404);
    // Not delivered while the patient could not read the summary: the coordinator is told why.
    const early = await coordinator.client.post(`/api/cases/${id}/opinion/deliver`);
    expect(early.status).toBe(422);
    expect(early.body.unmet).toEqual(['The patient reads Spanish: attach a translation of the summary, checked by a person, in the Opinion tab first.']);
    expect((await coordinator.client.get(`/api/cases/${id}/opinion/report/1/translation/pdf`)).status).toBe(404);
    const put = await coordinator.client.put(`/api/cases/${id}/opinion/report/1/translation`, { language: 'es', summary: 'El plan es correcto. Pregunte a su médico por la próxima tomografía.', translatedBy: 'Ana Traductora (intérprete médica certificada)', reviewedBy: 'Luis Revisor' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ needed: false, current: { version: 1, language: 'es' }, translations: [{ version: 1, language: 'es', translatedBy: 'Ana Traductora (intérprete médica certificada)', reviewedBy: 'Luis Revisor', attachedBy: `Coord Sofía Traducción` }] });
    // A correction is added, not written over: the patient reads the newest, the first stays on record.
    const fixed = await coordinator.client.put(`/api/cases/${id}/opinion/report/1/translation`, { language: 'es', summary: 'El plan es correcto. Pregúntele a su médico por la próxima tomografía.', translatedBy: 'Ana Traductora (intérprete médica certificada)', reviewedBy: 'Luis Revisor' });
    expect(fixed.body.translations).toHaveLength(2);
    expect(fixed.body.current.summary).toMatch(/Pregúntele/);
    // The patient reads it once the opinion is delivered; the signed original is unchanged.
    expect((await p.client.get(`/api/cases/${id}/opinion`)).body.summaryLanguage.translations).toEqual([]);
    expect((await coordinator.client.post(`/api/cases/${id}/opinion/deliver`)).status).toBe(200);
    seen = (await p.client.get(`/api/cases/${id}/opinion`)).body;
    expect(seen.summaryLanguage.current.summary).toMatch(/^El plan es correcto/);
    expect(seen.reports[0].document.parts[0].content.patientSummary).toBe('The plan is sound. Ask your doctor about the next scan.');
    // The translation as a PDF of its own, in Spanish, labelled, with the signed original after it.
    const pdf = await fetch(`${t.baseUrl}/api/cases/${id}/opinion/report/1/translation/pdf`, { headers: { cookie: p.client.cookieHeader } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-disposition')).toMatch(/filename=".+-resumen-es-v1\.pdf"/);
    const { text } = await extractPdfText(new Uint8Array(await pdf.arrayBuffer()));
    for (const words of ['Su resumen, traducido', 'Traducido por Ana Traductora', 'revisado por Luis Revisor', 'original en inglés', 'Pregúntele a su médico', 'El original firmado', 'The plan is sound.']) expect(text).toContain(words);
    expect((await t.db.query(`SELECT 1 FROM audit_events WHERE action = 'opinion.translation.download' AND case_id = $1 AND actor_id = $2`, [id, p.id])).length).toBe(1);
    // A correction made after delivery is news for the patient: a notice and a mail, in their language.
    expect((await p.client.put('/api/auth/locale', { locale: 'es' })).status).toBe(200);
    await coordinator.client.put(`/api/cases/${id}/opinion/report/1/translation`, { language: 'es', summary: 'El plan es correcto. Pregúntele a su médico por la próxima tomografía del tórax.', translatedBy: 'Ana Traductora', reviewedBy: 'Luis Revisor' });
    await t.app.jobs.drain();
    const notices = (await p.client.get('/api/notifications')).body.items.filter((n: { kind: string }) => n.kind === 'opinion.translated');
    expect(notices).toHaveLength(1);
    expect(notices[0].title).toMatch(/^Resumen traducido de la opinión/);
    const audit = await t.db.query<{ detail: unknown }>(`SELECT detail FROM audit_events WHERE action = 'case.opinion.translate' AND case_id = $1`, [id]);
    expect(audit).toEqual([{ detail: { version: 1, language: 'es' } }, { detail: { version: 1, language: 'es' } }, { detail: { version: 1, language: 'es' } }]);
    // In FHIR the signed summary stays the conclusion, in its language, with the reviewed translation beside it (the core translation extension).
    const dr = await p.client.get(`/fhir/R4/DiagnosticReport/${seen.reports[0].id}`);
    expect(fhirValidationErrors(dr.body)).toEqual([]);
    expect(dr.body).toMatchObject({ language: 'en', conclusion: 'The plan is sound. Ask your doctor about the next scan.' });
    expect(dr.body._conclusion.extension).toEqual([{ url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'es' }, { url: 'content', valueString: 'El plan es correcto. Pregúntele a su médico por la próxima tomografía del tórax.' }] }]);
    // Only the coordinator attaches one: to the patient the route is not there (as for any case route they may not use).
    expect((await p.client.put(`/api/cases/${id}/opinion/report/1/translation`, { language: 'es', summary: 'El plan.', translatedBy: 'Ana Traductora', reviewedBy: 'Luis Revisor' })).status).toBe(404);
  });

  it('needs no translation when the expert wrote the summary in the patient’s language', async () => {
    const { coordinator, id } = await deliveredCase('Pablo Directo', 'es');
    expect((await coordinator.client.get(`/api/cases/${id}/opinion`)).body.summaryLanguage).toMatchObject({ patientLanguage: 'es', summaryLanguage: 'es', needed: false });
  });
});
