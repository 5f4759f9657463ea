import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { catalogue } from '../../web/src/messages/scan.ts';
import { aCase, anIntake, aPatient, aStaff, command, issueOpinion, lastMailToken, PASSWORD, waiveOutstanding } from '../support/builders.ts';
import { aPdf, PATHOLOGY_LINES } from '../support/records.ts';
import { overflowing, screenshotter, seriousA11yViolations, useBrowserApp } from './browser.ts';

/**
 * A patient who reads Spanish, end to end: the home page and the assessment in the browser's
 * language, its PDF, an account that keeps the language, the consent texts signed in Spanish,
 * the records checklist, an upload, and the delivered opinion with its PDF. axe checks the
 * Spanish pages; the words are the Spanish catalogue's, so the test follows its wording.
 */
const app = useBrowserApp();
const shot = screenshotter('spanish');
const words = catalogue('es');
const es = (key: string, values: Record<string, string | number> = {}) => {
  const text = words.get(key);
  if (text === undefined) throw new Error(`no Spanish text for ${key}`);
  return text.replace(/\{\{\s*(\w+)[^}]*\}\}/g, (_m, name: string) => String(values[name] ?? ''));
};
const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });

async function expectPlainSpanishPage(page: Page) {
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('es');
  expect(await seriousA11yViolations(page)).toEqual([]);
  expect(await overflowing(page)).toEqual([]);
}

async function download(page: Page, button: string) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: button }).click()]);
  const saved = path.join(path.dirname(await file.path()), file.suggestedFilename());
  await file.saveAs(saved);
  return { name: file.suggestedFilename(), text: pdfText(saved) };
}

it('on a phone in Spanish: assessment, its PDF, and an account that keeps the language', async () => {
  const ctx = await app.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'es-MX', acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(`${app.t.baseUrl}/`);
  await page.getByRole('link', { name: es('home:assess') }).first().waitFor();
  await expectPlainSpanishPage(page);
  await shot(page, 'home');

  await page.getByRole('link', { name: es('home:assess') }).first().click();
  await page.getByRole('heading', { name: es('assess:stepOf', { step: 1, count: 6 }) }).waitFor();
  // The diagnosis is found by its Spanish name, without accents too, and shown in Spanish.
  await page.getByLabel(es('assess:steps.diagnosis.search')).fill('cancer de pulmon');
  const lungCancer = page.getByRole('radio', { name: /^Cáncer de pulmón C34\.90$/ });
  await lungCancer.check();
  await page.getByRole('radio', { name: es('assess:steps.diagnosis.statusNew') }).check();
  await expectPlainSpanishPage(page);
  await shot(page, 'diagnosis');
  for (let step = 2; step <= 6; step++) {
    await page.getByRole('button', { name: es('assess:next') }).click();
    await page.getByRole('heading', { name: es('assess:stepOf', { step, count: 6 }) }).waitFor();
  }
  await page.getByRole('button', { name: es('assess:seeResults') }).click();
  await page.getByRole('heading', { name: es('assess:result.title') }).waitFor();
  // The reasons come from the rules in Spanish, with nothing left in English.
  await page.getByTestId('situation-1').getByText('Un nuevo diagnóstico de cáncer es grave', { exact: false }).waitFor();
  expect(await page.getByTestId('in-english').count()).toBe(0);
  await expectPlainSpanishPage(page);
  await shot(page, 'result');

  const pdf = await download(page, es('assess:result.pdf'));
  expect(pdf.name).toBe('evaluacion-segunda-opinion.pdf');
  expect(pdf.text).toContain('¿Debo pedir una segunda opinión?');
  expect(pdf.text).toContain('Cáncer de pulmón');
  expect(pdf.text).not.toMatch(/Which of the five situations|Records to gather/);

  // The account made from here keeps Spanish: its mail is in Spanish, and so are its pages after sign-in.
  await page.getByRole('button', { name: es('assess:result.start') }).click();
  await page.getByLabel(es('auth:register.name')).fill('Lucía Ejemplo');
  await page.getByLabel(es('auth:email')).fill('lucia.ejemplo@example.test');
  await page.getByLabel(es('auth:password')).fill(PASSWORD);
  await shot(page, 'register');
  await page.getByRole('button', { name: es('auth:register.submit') }).click();
  await page.getByText(es('auth:register.sent.title')).waitFor();
  const [user] = await app.t.db.query<{ locale: string }>(`SELECT locale FROM users WHERE email = 'lucia.ejemplo@example.test'`);
  expect(user!.locale).toBe('es');
  const [mail] = await app.t.db.query<{ subject: string }>(`SELECT subject FROM mail_outbox WHERE to_address = 'lucia.ejemplo@example.test' ORDER BY created_at DESC LIMIT 1`);
  expect(mail!.subject).toBe('Confirme su correo electrónico');
  await page.goto(`${app.t.baseUrl}/verify-email?token=${await lastMailToken(app.t.db, 'lucia.ejemplo@example.test')}`);
  await page.getByRole('link', { name: es('auth:signIn') }).click();
  await page.getByLabel(es('auth:email')).fill('lucia.ejemplo@example.test');
  await page.getByLabel(es('auth:password')).fill(PASSWORD);
  await page.getByRole('button', { name: es('auth:signIn') }).click();
  await page.getByTestId('pending-assessment').waitFor();
  await shot(page, 'my-requests');
  await expectPlainSpanishPage(page);
  await ctx.close();
});

it('on a laptop whose browser asks for English: the saved Spanish wins; consent, records, upload and the opinion in Spanish', async () => {
  const patient = await aPatient(app.t, 'Ana Ejemplo');
  expect((await patient.client.put('/api/auth/locale', { locale: 'es' })).status).toBe(200);
  // The patient said Spanish is the language they prefer: the opinion's parts for them are headed in it.
  const caseId = await aCase(app.t, patient, { intake: { patient: { ...anIntake().patient, preferredLanguage: 'es' } }, consent: false });

  const ctx = await app.browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(`${app.t.baseUrl}/login`);
  await page.getByLabel('Email').fill(patient.email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  // Signed in, the account's language replaces the browser's.
  await page.getByRole('heading', { name: es('cases:mine.titlePatient') }).waitFor();
  await page.getByTestId('case-card').first().click();

  // The consent texts are the Spanish ones, and the signature keeps that they were read in Spanish.
  await page.getByText('Consentimiento para una revisión de segunda opinión a distancia').waitFor();
  await expectPlainSpanishPage(page);
  await shot(page, 'consent');
  const typeName = es('intake:consent.typeName', { name: 'Ana Ejemplo' });
  for (const field of await page.getByLabel(typeName).all()) await field.fill('Ana Ejemplo');
  await page.getByRole('button', { name: es('intake:consent.sign'), exact: true }).first().click();
  await expect.poll(() => page.getByRole('button', { name: es('intake:consent.sign'), exact: true }).count()).toBe(1);
  await page.getByRole('button', { name: es('intake:consent.sign'), exact: true }).click();
  await expect.poll(async () => (await app.t.db.query<{ language: string }>('SELECT language FROM consent_signatures WHERE case_id = $1', [caseId])).map((r) => r.language)).toEqual(['es', 'es']);
  await page.getByRole('button', { name: es('intake:continue') }).click();
  await page.getByRole('button', { name: es('intake:submit.button') }).click();
  await page.getByText(es('common:status.submitted'), { exact: true }).first().waitFor();
  await shot(page, 'submitted');

  // Records: the checklist's items come in Spanish from the rules; a report is uploaded.
  const coordinator = await aStaff(app.t, 'coordinator', 'Cora Coordinadora');
  await command(coordinator, caseId, 'startRecordCollection');
  await page.reload();
  await page.getByRole('tab', { name: es('cases:tab.records') }).click();
  await page.getByText('Informes de patología').first().waitFor();
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'informes-'));
  fs.writeFileSync(path.join(folder, 'informe.pdf'), await aPdf(PATHOLOGY_LINES));
  await page.locator('input[webkitdirectory]').first().setInputFiles(folder);
  await page.getByTestId('doc-informe.pdf').waitFor({ timeout: 60_000 });
  await shot(page, 'records');
  await expectPlainSpanishPage(page);

  // The opinion, delivered: its page and its PDF speak to the patient in Spanish.
  const expert = await aStaff(app.t, 'expert', 'Dra. Experta');
  await waiveOutstanding(coordinator, caseId);
  await command(coordinator, caseId, 'markReadyForReview');
  const offer = await coordinator.client.post(`/api/cases/${caseId}/offers`, { expertId: expert.id, role: 'medical_oncology' });
  await expert.client.post(`/api/offers/${offer.body.id}/accept`);
  await command(expert, caseId, 'startReview');
  await issueOpinion(expert, caseId);
  // The expert wrote the summary in English: the coordinator attaches a translation checked by a person.
  const translated = await coordinator.client.put(`/api/cases/${caseId}/opinion/report/1/translation`, {
    language: 'es', summary: 'El plan es correcto. Pregúntele a su médico por el próximo estudio.', translatedBy: 'Marta Traductora', reviewedBy: 'Julio Revisor' });
  expect(translated.status).toBe(200);
  expect((await coordinator.client.post(`/api/cases/${caseId}/opinion/deliver`)).status).toBe(200);
  await page.reload();
  await page.getByRole('tab', { name: es('cases:tab.opinion') }).click();
  // The translation comes first, labelled with who made and checked it; the signed original follows.
  await page.getByTestId('summary-translation').getByText('El plan es correcto.', { exact: false }).waitFor();
  expect(await page.getByTestId('summary-translation').textContent()).toContain(es('opinion:report.translation.note', { translatedBy: 'Marta Traductora', reviewedBy: 'Julio Revisor' }));
  await page.getByText('The plan is sound.', { exact: false }).first().waitFor();
  await expectPlainSpanishPage(page);
  await shot(page, 'opinion');
  await page.setViewportSize({ width: 390, height: 844 });
  await expectPlainSpanishPage(page);
  await shot(page, 'opinion-on-a-phone');
  await page.setViewportSize({ width: 1280, height: 900 });
  const href = await page.getByRole('link', { name: es('opinion:report.download', { version: 1 }) }).getAttribute('href');
  const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'opinion-')), 'opinion.pdf');
  fs.writeFileSync(saved, await (await page.request.get(`${app.t.baseUrl}${href}`)).body());
  const report = pdfText(saved);
  expect(report).toContain('Resumen en palabras sencillas');
  expect(report).toContain('Segunda opinión de especialistas');
  // The translation has its own PDF, labelled as a translation, with the signed original after it.
  const translationHref = await page.getByRole('link', { name: es('opinion:report.translation.download') }).getAttribute('href');
  const savedTranslation = path.join(path.dirname(saved), 'resumen.pdf');
  fs.writeFileSync(savedTranslation, await (await page.request.get(`${app.t.baseUrl}${translationHref}`)).body());
  const translationText = pdfText(savedTranslation);
  expect(translationText).toContain('Su resumen, traducido');
  expect(translationText).toContain('Pregúntele a su médico');
  await ctx.close();
});
