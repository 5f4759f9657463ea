import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aCaseInReview, aPatient, aStaff, codeFor, PASSWORD, type Person } from '../../test/support/builders.ts';
import { tusUpload } from '../../test/support/records.ts';
import { aSlideFile } from '../../test/support/slides.ts';
import { startTestApp, type TestApp } from '../../test/support/testApp.ts';

let t: TestApp;
let patient: Person;
let coordinator: Person;
let pathologist: Person;
let caseId: string;
/** A slide uploaded first, with neither block nor stain: the report numbers it by its place in the list. */
let slideId: string;
/** A slide uploaded second, as "scan-0042.svs", given block and stain before signing. */
let namedId: string;
beforeAll(async () => {
  t = await startTestApp({ JOBS_POLL_MS: '60000' });
  patient = await aPatient(t, 'Robin Testperson');
  coordinator = await aStaff(t, 'coordinator');
  pathologist = await aStaff(t, 'expert', 'Dr. Patho Logist');
  caseId = await aCaseInReview(t, patient, coordinator, pathologist, { role: 'pathology' });
  const up = await tusUpload(coordinator.client, caseId, 'scan-0041.svs', aSlideFile());
  expect(up.status).toBe(200);
  slideId = up.body.document.id;
  const named = await tusUpload(coordinator.client, caseId, 'scan-0042.svs', aSlideFile());
  expect(named.status).toBe(200);
  namedId = named.body.document.id;
  await t.app.jobs.drain();
});
afterAll(() => t.close());

const specimens = async () => (await coordinator.client.get(`/api/cases/${caseId}/specimens`)).body as { id: string; label: string; status: string; history: { status: string; detail: Record<string, unknown> }[] }[];

describe('slides reviewed, in the opinion and in the glass-slide tracking', () => {
  it('fills the slides a pathologist marks, and the measurements they cite, from the case’s own records', async () => {
    const measured = await pathologist.client.post(`/api/cases/${caseId}/slides/${slideId}/annotations`, { kind: 'length', points: [[0, 0], [400, 300]], note: 'Tumour depth' });
    expect(measured.status).toBe(201);
    const saved = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, {
      slidesReviewed: { digital: [{ slideId, name: 'a name the client made up', annotations: [{ number: 1, text: 'made up' }] }] },
    });
    expect(saved.status).toBe(200);
    // Neither block nor stain is given yet: the slide is named by its place in the case's list, never by its file.
    expect(saved.body.content.slidesReviewed).toEqual({ digital: [{ slideId, number: 1, annotations: [{ number: 1, text: '125 µm — Tumour depth' }] }], glass: [] });
    expect(saved.body.missing).toContain('Slides reviewed: say whether the digital slides were enough.');

    // Only what is on this case can be named.
    const foreign = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, { slidesReviewed: { digital: [{ slideId: crypto.randomUUID() }] } });
    expect(foreign.status).toBe(400);
    const unknownNote = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, { slidesReviewed: { digital: [{ slideId, annotations: [{ number: 7 }] }] } });
    expect(unknownNote.status).toBe(400);
    expect(unknownNote.body.detail).toMatch(/Annotation 7/);
    // A summary with no words to grade yet has no reading grade (it answered 500 when the grade was NaN; found by the HTTP fuzz).
    const wordless = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, { patientSummary: '…' });
    expect(wordless.status).toBe(200);
    expect(wordless.body.summaryGrade).toBeNull();
  });

  it('lets the pathologist ask for the glass slides; they cannot sign "not enough" without reviewing them', async () => {
    const asked = await pathologist.client.post(`/api/cases/${caseId}/specimens/glass-request`, { sourceFacility: 'Riverside Pathology Lab', expectedCount: 4, reason: 'Margins need the glass' });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ kind: 'slides', status: 'requested', label: 'Glass slides for the pathology review', expectedCount: 4 });
    // The reason is for the staff: in the history the coordinator sees, not on the shipping label or the patient's side.
    const forStaff = (await coordinator.client.get(`/api/cases/${caseId}/specimens`)).body[0];
    expect(forStaff.history[0].detail).toEqual({ reason: 'Margins need the glass' });
    const forPatient = (await patient.client.get(`/api/cases/${caseId}/specimens`)).body[0];
    expect(JSON.stringify(forPatient)).not.toMatch(/Margins/);
    // Glass slides that have not arrived cannot be marked as reviewed.
    const early = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, { slidesReviewed: { glass: [{ specimenId: asked.body.id }] } });
    expect(early.status).toBe(400);
    expect(early.body.detail).toMatch(/have not arrived/);
    // The patient's side may not ask on the pathologist's behalf.
    expect((await patient.client.post(`/api/cases/${caseId}/specimens/glass-request`, { sourceFacility: 'X', expectedCount: 1, reason: 'X' })).status).toBe(404);
    const timeline = (await coordinator.client.get(`/api/cases/${caseId}/timeline`)).body;
    expect(JSON.stringify(timeline)).toMatch(/specimen\.request|Asked for tissue samples or slides/);

    const notEnough = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, {
      slidesReviewed: { digital: [{ slideId }], digitalSufficed: 'no' }, patientSummary: 'Your slides were reviewed.',
    });
    expect(notEnough.body.missing.join(' ')).toMatch(/not enough, and no glass slides are marked as reviewed/);
    // Glass not yet arrived cannot be marked as reviewed by signing: it stays a gap.
    const sign = await pathologist.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(pathologist) });
    expect(sign.status).toBe(422);
  });

  it('calls off glass slides not yet sent when the pathologist signs that the digital slides sufficed, and the report says which slides were reviewed', async () => {
    // Named by block and stain, the second slide comes first in the list; the first is now "Slide 2", for the patient's side as in the report.
    expect((await pathologist.client.patch(`/api/cases/${caseId}/slides/${namedId}`, { block: 'A3', stain: 'H&E' })).status).toBe(200);
    const listed = (await patient.client.get(`/api/cases/${caseId}/slides`)).body as { id: string }[];
    expect(listed.map((s) => s.id)).toEqual([namedId, slideId]);
    const questions: string[] = (await pathologist.client.get(`/api/cases/${caseId}/opinion`)).body.intake?.questions?.questions ?? [];
    const enough = await pathologist.client.patch(`/api/cases/${caseId}/opinion/draft`, {
      answers: questions.map((question) => ({ question, answer: 'See the summary.' })),
      slidesReviewed: { digital: [{ slideId: namedId }, { slideId, annotations: [{ number: 1 }] }], digitalSufficed: 'yes', comment: 'Representative sections.' },
    });
    expect(enough.body.missing).toEqual([]);
    const signed = await pathologist.client.post(`/api/cases/${caseId}/opinion/sign`, { password: PASSWORD, code: codeFor(pathologist) });
    expect(signed.status).toBe(200);
    const [glass] = await specimens();
    expect(glass).toMatchObject({ status: 'not_needed' });
    expect(glass!.history.map((h) => h.status)).toEqual(['requested', 'not_needed']);
    expect(glass!.history[1]!.detail.note).toMatch(/digital slides sufficed/);

    const issued = await pathologist.client.post(`/api/cases/${caseId}/opinion/report`, { password: PASSWORD, code: codeFor(pathologist) });
    expect(issued.status).toBe(201);
    const report = (await coordinator.client.get(`/api/cases/${caseId}/opinion`)).body.reports[0];
    expect(report.document.parts[0].content.slidesReviewed.digital).toEqual([
      { slideId: namedId, name: 'A3 · H&E' }, { slideId, number: 2, annotations: [{ number: 1, text: '125 µm — Tumour depth' }] },
    ]);
    expect(JSON.stringify(report)).not.toMatch(/scan-004|\.svs/);
    const pdf = await fetch(`${t.baseUrl}/api/cases/${caseId}/opinion/report/1/pdf`, { headers: { cookie: pathologist.client.cookieHeader } });
    expect(pdf.status).toBe(200);
    const fhir = await coordinator.client.get(`/fhir/R4/DiagnosticReport/${report.id}`);
    expect(fhir.status).toBe(200);
    expect(JSON.stringify(fhir.body)).not.toMatch(/scan-004|\.svs/);
    for (const printed of [Buffer.from(await pdf.arrayBuffer()), Buffer.from(fhir.body.presentedForm[0].data, 'base64')]) {
      const text = execFileSync('pdftotext', ['-', '-'], { input: printed }).toString().replace(/\s+/g, ' ');
      expect(text).toContain('Slides reviewed');
      expect(text).toContain('Digital slide A3 · H&E.');
      expect(text).toContain('Slide 2 (digital; annotation 1: 125 µm — Tumour depth).');
      expect(text).toContain('The digital slides were enough for this review; the glass slides were not needed.');
      expect(text).not.toMatch(/scan-004|\.svs/);
    }
  });

  it('keeps glass slides another reviewer asked for when one pathologist signs that the digital slides were enough', async () => {
    const first = await aStaff(t, 'expert', 'Dr. First Path');
    const second = await aStaff(t, 'expert', 'Dr. Second Path');
    const id = await aCaseInReview(t, patient, coordinator, first, { role: 'pathology' });
    const offer = await coordinator.client.post(`/api/cases/${id}/offers`, { expertId: second.id, role: 'pathology' });
    expect((await second.client.post(`/api/offers/${offer.body.id}/accept`)).status).toBe(200);
    const up = await tusUpload(coordinator.client, id, 'B1-HE.svs', aSlideFile());
    await t.app.jobs.drain();
    const theirs = await second.client.post(`/api/cases/${id}/specimens/glass-request`, { sourceFacility: 'Riverside Pathology Lab', expectedCount: 2, reason: 'Need the deeper levels' });
    // The same slides asked for again, at once or later, while still to arrive: one request, and the reviewer is told.
    const again = await Promise.all([first, second].map((who) => who.client.post(`/api/cases/${id}/specimens/glass-request`, { sourceFacility: ' riverside pathology lab ', expectedCount: 2, reason: 'Deeper levels' })));
    expect(again.map((r) => r.status)).toEqual([409, 409]);
    expect(again[0]!.body.detail).toMatch(/already asked for and are not yet shipped/);
    const elsewhere = await first.client.post(`/api/cases/${id}/specimens/glass-request`, { sourceFacility: 'Lakeside Hospital Pathology', expectedCount: 1, reason: 'The biopsy slides' });
    expect(elsewhere.status).toBe(201);
    const general = await coordinator.client.post(`/api/cases/${id}/specimens`, { kind: 'slides', label: 'All slides', expectedCount: 6, sourceFacility: 'Riverside Pathology Lab' });
    const questions: string[] = (await first.client.get(`/api/cases/${id}/opinion`)).body.intake?.questions?.questions ?? [];
    await first.client.patch(`/api/cases/${id}/opinion/draft`, {
      answers: questions.map((question) => ({ question, answer: 'See the summary.' })), patientSummary: 'Your slides were reviewed.',
      slidesReviewed: { digital: [{ slideId: up.body.document.id }], digitalSufficed: 'yes' },
    });
    expect((await first.client.post(`/api/cases/${id}/opinion/sign`, { password: PASSWORD, code: codeFor(first) })).status).toBe(200);
    const after = new Map(((await coordinator.client.get(`/api/cases/${id}/specimens`)).body as { id: string; status: string }[]).map((x) => [x.id, x.status]));
    expect(after.get(general.body.id)).toBe('not_needed');
    expect(after.get(theirs.body.id)).toBe('requested');
    expect(after.get(elsewhere.body.id)).toBe('not_needed');
  });

  it('lets the coordinator call off a request with a reason, and only with one', async () => {
    const more = await coordinator.client.post(`/api/cases/${caseId}/specimens`, { kind: 'blocks', label: 'Block A3', expectedCount: 1, sourceFacility: 'Riverside Pathology Lab' });
    const bare = await coordinator.client.post(`/api/cases/${caseId}/specimens/${more.body.id}/steps`, { to: 'not_needed' });
    expect(bare.status).toBe(422);
    expect(bare.body.detail).toMatch(/Say why/);
    const off = await coordinator.client.post(`/api/cases/${caseId}/specimens/${more.body.id}/steps`, { to: 'not_needed', note: 'The hospital ran the tests itself.' });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ status: 'not_needed', statusLabel: 'Not needed' });
  });
});
