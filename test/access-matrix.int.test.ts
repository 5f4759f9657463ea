import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleAllows, type Permission } from '../src/core/auth/roles.ts';
import { tusUpload } from './support/records.ts';
import { waiveOutstanding, aCase, anIntake, aPatient, aStaff, command, lastMailToken, type Person } from './support/builders.ts';
import { Client } from './support/client.ts';
import { startTestApp, type TestApp } from './support/testApp.ts';

/**
 * Every case route × every role × own case / someone else's case. "Own" means the actor holds
 * the grant its role can hold on case A; case B belongs to another patient and nobody above
 * holds a grant on it. Outside the grant the answer is always 404, and nothing changes.
 */
let t: TestApp;
const actors: Record<string, Person> = {};
/** What a route's path needs of a case: its id, its patient, and items that live on it. */
interface CaseCtx { id: string; patientId: string; documentId: string; consentId: string; specimenId: string; roiId: string }
let caseA: CaseCtx;
let caseB: CaseCtx;
const someId = () => crypto.randomUUID();

beforeAll(async () => {
  t = await startTestApp();
  actors.patient = await aPatient(t, 'Owner Patient');
  actors.proxy = await aPatient(t, 'Proxy Carer');
  actors.strangerPatient = await aPatient(t, 'Stranger Patient');
  actors.coordinator = await aStaff(t, 'coordinator');
  actors.otherCoordinator = await aStaff(t, 'coordinator');
  actors.expert = await aStaff(t, 'expert');
  actors.otherExpert = await aStaff(t, 'expert');
  actors.boardChair = await aStaff(t, 'board_chair');
  actors.referring = await aStaff(t, 'referring_physician');
  actors.admin = await aStaff(t, 'admin');
  actors.interpreter = await aStaff(t, 'interpreter');

  const a = await aCase(t, actors.patient!, { intake: { patient: { ...anIntake().patient, planType: 'commercial', insurancePlan: 'Synthetic Health Plan', insuranceMemberId: 'SYN123456' } } });
  await actors.patient!.client.post(`/api/cases/${a}/proxies`, { email: actors.proxy!.email, relationship: 'Son' });
  await actors.proxy!.client.post(`/api/invitations/${await lastMailToken(t.db, actors.proxy!.email)}/accept`);
  const owner = await aPatient(t, 'Other Owner');
  const b = await aCase(t, owner, { submit: true });
  await command(actors.otherCoordinator!, b, 'startRecordCollection');
  const holder = actors.otherCoordinator!;
  const specimen = await holder.client.post(`/api/cases/${b}/specimens`, { kind: 'slides', label: 'Matrix slides', expectedCount: 2, sourceFacility: 'Matrix Pathology Lab' });
  const roi = await holder.client.post(`/api/cases/${b}/roi-requests`, ROI_BODY);
  if (specimen.status !== 201 || roi.status !== 201) throw new Error(`matrix set-up: ${specimen.text} ${roi.text}`);
  caseA = await contextOf(a, actors.patient!, { specimenId: someId(), roiId: someId() });
  caseB = await contextOf(b, owner, { specimenId: specimen.body?.id ?? someId(), roiId: roi.body?.id ?? someId() });
});
afterAll(() => t.close());

async function contextOf(id: string, owner: Person, items: { specimenId: string; roiId: string }): Promise<CaseCtx> {
  const upload = await tusUpload(owner.client, id, 'matrix-note.txt', Buffer.from('A synthetic note for the access matrix.\n'));
  if (upload.status !== 200) throw new Error(`matrix set-up upload: ${upload.status}`);
  const [consent] = await t.db.query<{ id: string }>('SELECT id FROM consent_signatures WHERE case_id = $1 LIMIT 1', [id]);
  return {
    id, patientId: (await owner.client.get(`/api/cases/${id}`)).body.patientId,
    documentId: (upload.body as { document?: { id: string } } | null)?.document?.id ?? someId(), consentId: consent?.id ?? someId(), ...items,
  };
}

type Route = { name: string; op?: string; method: string; path: (c: CaseCtx) => string; body?: unknown; headers?: (c: CaseCtx) => Record<string, string> };
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ROI_BODY = { facilityName: 'Matrix Hospital', facilityAddress: '1 Synthetic Way, Testville', items: ['pathology_report'] };
/**
 * Every route that works on one case, with a request that would do something there. `op` names
 * the OpenAPI operation it exercises; routes outside OpenAPI (DICOMweb) have none.
 */
const ROUTES: Route[] = [
  { name: 'read case', op: 'GET /api/cases/{id}', method: 'GET', path: (c) => `/api/cases/${c.id}` },
  { name: 'timeline', op: 'GET /api/cases/{id}/timeline', method: 'GET', path: (c) => `/api/cases/${c.id}/timeline` },
  { name: 'access log', op: 'GET /api/cases/{id}/access-log', method: 'GET', path: (c) => `/api/cases/${c.id}/access-log` },
  { name: 'documents', op: 'GET /api/cases/{id}/documents', method: 'GET', path: (c) => `/api/cases/${c.id}/documents` },
  { name: 'document', op: 'GET /api/cases/{id}/documents/{documentId}', method: 'GET', path: (c) => `/api/cases/${c.id}/documents/${c.documentId}` },
  { name: 'document content', op: 'GET /api/cases/{id}/documents/{documentId}/content', method: 'GET', path: (c) => `/api/cases/${c.id}/documents/${c.documentId}/content` },
  { name: 'document text', op: 'GET /api/cases/{id}/documents/{documentId}/text', method: 'GET', path: (c) => `/api/cases/${c.id}/documents/${c.documentId}/text` },
  { name: 'correct document type', op: 'PATCH /api/cases/{id}/documents/{documentId}', method: 'PATCH', path: (c) => `/api/cases/${c.id}/documents/${c.documentId}`, body: { documentType: 'pathology_report' } },
  { name: 'checklist', op: 'GET /api/cases/{id}/checklist', method: 'GET', path: (c) => `/api/cases/${c.id}/checklist` },
  { name: 'clinical data', op: 'GET /api/cases/{id}/clinical', method: 'GET', path: (c) => `/api/cases/${c.id}/clinical` },
  { name: 'waive checklist item', op: 'PUT /api/cases/{id}/checklist/{itemId}/waiver', method: 'PUT', path: (c) => `/api/cases/${c.id}/checklist/pathology_report/waiver`, body: { reason: 'matrix test reason' } },
  { name: 'withdraw waiver', op: 'DELETE /api/cases/{id}/checklist/{itemId}/waiver', method: 'DELETE', path: (c) => `/api/cases/${c.id}/checklist/pathology_report/waiver` },
  { name: 'specimens', op: 'GET /api/cases/{id}/specimens', method: 'GET', path: (c) => `/api/cases/${c.id}/specimens` },
  { name: 'track specimens', op: 'POST /api/cases/{id}/specimens', method: 'POST', path: (c) => `/api/cases/${c.id}/specimens`, body: { kind: 'blocks', label: 'Matrix blocks', expectedCount: 1, sourceFacility: 'Matrix Lab' } },
  { name: 'ask for glass slides', op: 'POST /api/cases/{id}/specimens/glass-request', method: 'POST', path: (c) => `/api/cases/${c.id}/specimens/glass-request`, body: { sourceFacility: 'Matrix Lab', expectedCount: 1, reason: 'Matrix.' } },
  { name: 'specimen step', op: 'POST /api/cases/{id}/specimens/{itemId}/steps', method: 'POST', path: (c) => `/api/cases/${c.id}/specimens/${c.specimenId}/steps`, body: { to: 'shipped', carrier: 'Matrix Courier' } },
  { name: 'specimen label', op: 'GET /api/cases/{id}/specimens/{itemId}/label.pdf', method: 'GET', path: (c) => `/api/cases/${c.id}/specimens/${c.specimenId}/label.pdf` },
  { name: 'records requests', op: 'GET /api/cases/{id}/roi-requests', method: 'GET', path: (c) => `/api/cases/${c.id}/roi-requests` },
  { name: 'new records request', op: 'POST /api/cases/{id}/roi-requests', method: 'POST', path: (c) => `/api/cases/${c.id}/roi-requests`, body: ROI_BODY },
  { name: 'records request status', op: 'PUT /api/cases/{id}/roi-requests/{itemId}/status', method: 'PUT', path: (c) => `/api/cases/${c.id}/roi-requests/${c.roiId}/status`, body: { status: 'sent' } },
  { name: 'records request letter', op: 'GET /api/cases/{id}/roi-requests/{itemId}/letter.pdf', method: 'GET', path: (c) => `/api/cases/${c.id}/roi-requests/${c.roiId}/letter.pdf` },
  { name: 'start upload', method: 'POST', path: () => '/api/uploads', headers: (c) => ({ 'tus-resumable': '1.0.0', 'upload-length': '10', 'upload-metadata': `caseId ${b64(c.id)},filename ${b64('m.pdf')}` }) },
  { name: 'expert matches', op: 'GET /api/cases/{id}/matches', method: 'GET', path: (c) => `/api/cases/${c.id}/matches` },
  { name: 'offers', op: 'GET /api/cases/{id}/offers', method: 'GET', path: (c) => `/api/cases/${c.id}/offers` },
  { name: 'make an offer', op: 'POST /api/cases/{id}/offers', method: 'POST', path: (c) => `/api/cases/${c.id}/offers`, body: { expertId: someId(), role: 'pathologist' } },
  { name: 'case assessment', op: 'GET /api/cases/{id}/assessment', method: 'GET', path: (c) => `/api/cases/${c.id}/assessment` },
  { name: 'save intake', op: 'PUT /api/cases/{id}/intake/{section}', method: 'PUT', path: (c) => `/api/cases/${c.id}/intake/questions`, body: { questions: ['Matrix question?'] } },
  { name: 'sign consent', op: 'POST /api/cases/{id}/consents', method: 'POST', path: (c) => `/api/cases/${c.id}/consents`, body: { document: 'service_consent', version: '2026-11', typedName: 'x' } },
  { name: 'invite proxy', op: 'POST /api/cases/{id}/proxies', method: 'POST', path: (c) => `/api/cases/${c.id}/proxies`, body: { email: 'matrix@example.test', relationship: 'Friend' } },
  { name: 'open invitations', op: 'GET /api/cases/{id}/invitations', method: 'GET', path: (c) => `/api/cases/${c.id}/invitations` },
  { name: 'withdraw invitation', op: 'DELETE /api/cases/{id}/invitations/{invitationId}', method: 'DELETE', path: (c) => `/api/cases/${c.id}/invitations/${someId()}` },
  { name: 'remove caregiver', op: 'DELETE /api/cases/{id}/proxies/{userId}', method: 'DELETE', path: (c) => `/api/cases/${c.id}/proxies/${someId()}` },
  { name: 'command hold', op: 'POST /api/cases/{id}/commands/{command}', method: 'POST', path: (c) => `/api/cases/${c.id}/commands/hold`, body: { reason: 'matrix' } },
  { name: 'command cancel', method: 'POST', path: (c) => `/api/cases/${c.id}/commands/cancel`, body: {} },
  { name: 'set lead reviewer', op: 'PUT /api/cases/{id}/lead', method: 'PUT', path: (c) => `/api/cases/${c.id}/lead`, body: { expertId: '00000000-0000-4000-8000-000000000000' } },
  { name: 'set urgency', op: 'PUT /api/cases/{id}/urgency', method: 'PUT', path: (c) => `/api/cases/${c.id}/urgency`, body: { urgency: 'expedited', reason: 'matrix' } },
  { name: 'imaging studies', op: 'GET /api/cases/{id}/imaging/studies', method: 'GET', path: (c) => `/api/cases/${c.id}/imaging/studies` },
  { name: 'imaging measurements', op: 'GET /api/cases/{id}/imaging/measurements', method: 'GET', path: (c) => `/api/cases/${c.id}/imaging/measurements` },
  { name: 'save measurement', op: 'POST /api/cases/{id}/imaging/measurements', method: 'POST', path: (c) => `/api/cases/${c.id}/imaging/measurements`, body: { studyUid: '1.2.3', seriesUid: '1.2.4', sopInstanceUid: '1.2.5', kind: 'length', points: [[0, 0], [1, 1]], value: 1, unit: 'mm' } },
  { name: 'delete measurement', op: 'DELETE /api/cases/{id}/imaging/measurements/{measurementId}', method: 'DELETE', path: (c) => `/api/cases/${c.id}/imaging/measurements/${someId()}` },
  { name: 'digital slides', op: 'GET /api/cases/{id}/slides', method: 'GET', path: (c) => `/api/cases/${c.id}/slides` },
  { name: 'open a digital slide', op: 'GET /api/cases/{id}/slides/{slideId}', method: 'GET', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}` },
  { name: 'describe a slide', op: 'PATCH /api/cases/{id}/slides/{slideId}', method: 'PATCH', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}`, body: { block: 'A1' } },
  { name: 'a slide label photo', op: 'GET /api/cases/{id}/slides/{slideId}/pictures/{picture}', method: 'GET', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}/pictures/label.jpeg` },
  { name: 'slide measurements', op: 'GET /api/cases/{id}/slides/{slideId}/annotations', method: 'GET', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}/annotations` },
  { name: 'measure on a slide', op: 'POST /api/cases/{id}/slides/{slideId}/annotations', method: 'POST', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}/annotations`, body: { kind: 'length', points: [[0, 0], [1, 1]] } },
  { name: 'remove a slide measurement', op: 'DELETE /api/cases/{id}/slides/{slideId}/annotations/{annotationId}', method: 'DELETE', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}/annotations/${someId()}` },
  { name: 'slide measurements as GeoJSON', op: 'GET /api/cases/{id}/slides/{slideId}/annotations.geojson', method: 'GET', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}/annotations.geojson` },
  { name: 'slide measurements as DICOM', op: 'GET /api/cases/{id}/slides/{slideId}/annotations.dcm', method: 'GET', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}/annotations.dcm` },
  { name: 'a slide tile', op: 'GET /api/cases/{id}/slides/{slideId}/tiles/{level}/{tile}', method: 'GET', path: (c) => `/api/cases/${c.id}/slides/${c.documentId}/tiles/0/0_0.jpeg` },
  { name: 'trials for a case', op: 'GET /api/cases/{id}/trials', method: 'GET', path: (c) => `/api/cases/${c.id}/trials` },
  { name: 'search trials for a case', op: 'GET /api/cases/{id}/trials/search', method: 'GET', path: (c) => `/api/cases/${c.id}/trials/search?q=lung` },
  { name: 'cost estimate', op: 'GET /api/cases/{id}/estimate', method: 'GET', path: (c) => `/api/cases/${c.id}/estimate` },
  { name: 'insurer answers', op: 'GET /api/cases/{id}/coverage-checks', method: 'GET', path: (c) => `/api/cases/${c.id}/coverage-checks` },
  { name: 'insurance card photos', op: 'GET /api/cases/{id}/coverage/cards', method: 'GET', path: (c) => `/api/cases/${c.id}/coverage/cards` },
  { name: 'add an insurance card photo', op: 'PUT /api/cases/{id}/coverage/cards/{side}', method: 'PUT', path: (c) => `/api/cases/${c.id}/coverage/cards/front`, body: 'not a photo', headers: () => ({ 'content-type': 'image/png' }) },
  { name: 'an insurance card photo', op: 'GET /api/cases/{id}/coverage/cards/{side}/image', method: 'GET', path: (c) => `/api/cases/${c.id}/coverage/cards/back/image` },
  { name: 'use the numbers read from the card', op: 'POST /api/cases/{id}/coverage/cards/use', method: 'POST', path: (c) => `/api/cases/${c.id}/coverage/cards/use` },
  { name: 'remove an insurance card photo', op: 'DELETE /api/cases/{id}/coverage/cards/{side}', method: 'DELETE', path: (c) => `/api/cases/${c.id}/coverage/cards/back` },
  { name: 'record insurer answer', op: 'POST /api/cases/{id}/coverage-checks', method: 'POST', path: (c) => `/api/cases/${c.id}/coverage-checks`, body: { insurer: 'Matrix Health', answer: 'covered', spokeOn: '2026-01-05' } },
  { name: 'de-identified export', op: 'GET /api/cases/{id}/imaging/studies/{studyUid}/export', method: 'GET', path: (c) => `/api/cases/${c.id}/imaging/studies/1.2.3/export` },
  { name: 'DICOMweb QIDO', method: 'GET', path: (c) => `/dicomweb/cases/${c.id}/studies` },
  { name: 'DICOMweb STOW', method: 'POST', path: (c) => `/dicomweb/cases/${c.id}/studies`, body: '--m--\r\n', headers: () => ({ 'content-type': 'multipart/related; type="application/dicom"; boundary=m' }) },
  { name: 'opinion workspace', op: 'GET /api/cases/{id}/opinion', method: 'GET', path: (c) => `/api/cases/${c.id}/opinion` },
  { name: 'save opinion draft', op: 'PUT /api/cases/{id}/opinion/draft', method: 'PUT', path: (c) => `/api/cases/${c.id}/opinion/draft`, body: { patientSummary: 'Matrix.' } },
  { name: 'autosave opinion sections', op: 'PATCH /api/cases/{id}/opinion/draft', method: 'PATCH', path: (c) => `/api/cases/${c.id}/opinion/draft`, body: { patientSummary: 'Matrix.' } },
  { name: 'review note', op: 'POST /api/cases/{id}/opinion/notes', method: 'POST', path: (c) => `/api/cases/${c.id}/opinion/notes`, body: { body: 'Matrix note.' } },
  { name: 'sign opinion part', op: 'POST /api/cases/{id}/opinion/sign', method: 'POST', path: (c) => `/api/cases/${c.id}/opinion/sign`, body: { password: 'x', code: '000000' } },
  { name: 'issue report', op: 'POST /api/cases/{id}/opinion/report', method: 'POST', path: (c) => `/api/cases/${c.id}/opinion/report`, body: { password: 'x', code: '000000' } },
  { name: 'report version', op: 'POST /api/cases/{id}/opinion/report/versions', method: 'POST', path: (c) => `/api/cases/${c.id}/opinion/report/versions`, body: { password: 'x', code: '000000', kind: 'addendum', reason: 'matrix reason', text: 'Matrix.' } },
  { name: 'report PDF', op: 'GET /api/cases/{id}/opinion/report/{version}/pdf', method: 'GET', path: (c) => `/api/cases/${c.id}/opinion/report/1/pdf` },
  { name: 'translated summary PDF', op: 'GET /api/cases/{id}/opinion/report/{version}/translation/pdf', method: 'GET', path: (c) => `/api/cases/${c.id}/opinion/report/1/translation/pdf` },
  { name: 'summary translation', op: 'PUT /api/cases/{id}/opinion/report/{version}/translation', method: 'PUT', path: (c) => `/api/cases/${c.id}/opinion/report/1/translation`, body: { language: 'es', summary: 'Matriz.', translatedBy: 'Matrix Translator', reviewedBy: 'Matrix Reviewer' } },
  { name: 'deliver opinion', op: 'POST /api/cases/{id}/opinion/deliver', method: 'POST', path: (c) => `/api/cases/${c.id}/opinion/deliver` },
  { name: 'follow-ups', op: 'GET /api/cases/{id}/followups', method: 'GET', path: (c) => `/api/cases/${c.id}/followups` },
  { name: 'post follow-up', op: 'POST /api/cases/{id}/followups', method: 'POST', path: (c) => `/api/cases/${c.id}/followups`, body: { body: 'Matrix question?' } },
  { name: 'survey', op: 'POST /api/cases/{id}/survey', method: 'POST', path: (c) => `/api/cases/${c.id}/survey`, body: { clear: 3, changed: 'neither', wouldRecommend: true } },
  { name: 'board panel', op: 'GET /api/cases/{id}/board', method: 'GET', path: (c) => `/api/cases/${c.id}/board` },
  { name: 'ask for a board', op: 'POST /api/cases/{id}/board/request', method: 'POST', path: (c) => `/api/cases/${c.id}/board/request`, body: { note: 'Matrix board request.' } },
  { name: 'confirm board', op: 'POST /api/cases/{id}/board/confirm', method: 'POST', path: (c) => `/api/cases/${c.id}/board/confirm`, body: { boardType: 'thoracic' } },
  { name: 'decline board', op: 'POST /api/cases/{id}/board/decline', method: 'POST', path: (c) => `/api/cases/${c.id}/board/decline`, body: { reason: 'Matrix reason.' } },
  { name: 'messages', op: 'GET /api/cases/{id}/threads', method: 'GET', path: (c) => `/api/cases/${c.id}/threads` },
  { name: 'start a conversation', op: 'POST /api/cases/{id}/threads', method: 'POST', path: (c) => `/api/cases/${c.id}/threads`, body: { subject: 'Matrix subject', body: 'Matrix.' } },
  { name: 'a conversation', op: 'GET /api/cases/{id}/threads/{threadId}', method: 'GET', path: (c) => `/api/cases/${c.id}/threads/${someId()}` },
  { name: 'write in a conversation', op: 'POST /api/cases/{id}/threads/{threadId}/messages', method: 'POST', path: (c) => `/api/cases/${c.id}/threads/${someId()}/messages`, body: { body: 'Matrix.' } },
  { name: 'video visits', op: 'GET /api/cases/{id}/visits', method: 'GET', path: (c) => `/api/cases/${c.id}/visits` },
  { name: 'visit slots', op: 'GET /api/cases/{id}/visits/slots', method: 'GET', path: (c) => `/api/cases/${c.id}/visits/slots?type=opinion_review` },
  { name: 'book a visit', op: 'POST /api/cases/{id}/visits', method: 'POST', path: (c) => `/api/cases/${c.id}/visits`, body: { type: 'opinion_review', startsAt: '2030-01-01T10:00:00.000Z', timeZone: 'UTC' } },
  { name: 'FHIR ServiceRequest', op: 'GET /fhir/R4/ServiceRequest/{id}', method: 'GET', path: (c) => `/fhir/R4/ServiceRequest/${c.id}` },
  { name: 'FHIR Patient', op: 'GET /fhir/R4/Patient/{id}', method: 'GET', path: (c) => `/fhir/R4/Patient/${c.patientId}` },
  { name: 'FHIR Consent', op: 'GET /fhir/R4/Consent/{id}', method: 'GET', path: (c) => `/fhir/R4/Consent/${c.consentId}` },
  { name: 'FHIR Coverage', op: 'GET /fhir/R4/Coverage/{id}', method: 'GET', path: (c) => `/fhir/R4/Coverage/${c.id}` },
  { name: 'invoices', op: 'GET /api/cases/{id}/invoices', method: 'GET', path: (c) => `/api/cases/${c.id}/invoices` },
  { name: 'draft an invoice', op: 'POST /api/cases/{id}/invoices', method: 'POST', path: (c) => `/api/cases/${c.id}/invoices` },
  { name: 'change a draft invoice', op: 'PUT /api/cases/{id}/invoices/{invoiceId}', method: 'PUT', path: (c) => `/api/cases/${c.id}/invoices/${someId()}`, body: { version: 1, lines: [], discountCents: 0, taxBasisPoints: 0 } },
  { name: 'discard a draft invoice', op: 'DELETE /api/cases/{id}/invoices/{invoiceId}', method: 'DELETE', path: (c) => `/api/cases/${c.id}/invoices/${someId()}` },
  { name: 'issue an invoice', op: 'POST /api/cases/{id}/invoices/{invoiceId}/issue', method: 'POST', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/issue`, body: { version: 1, dueOn: '2030-01-01' } },
  { name: 'record a payment', op: 'POST /api/cases/{id}/invoices/{invoiceId}/payments', method: 'POST', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/payments`, body: { amountCents: 100, method: 'check', receivedOn: '2026-01-01' } },
  { name: 'void an invoice', op: 'POST /api/cases/{id}/invoices/{invoiceId}/void', method: 'POST', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/void`, body: { reason: 'Matrix reason' } },
  { name: 'write off an invoice', op: 'POST /api/cases/{id}/invoices/{invoiceId}/write-off', method: 'POST', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/write-off`, body: { reason: 'Matrix reason' } },
  { name: 'ask for help with a bill', op: 'POST /api/cases/{id}/invoices/{invoiceId}/hardship', method: 'POST', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/hardship`, body: { request: 'Matrix hardship request.' } },
  { name: 'invoice PDF', op: 'GET /api/cases/{id}/invoices/{invoiceId}/pdf', method: 'GET', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/pdf` },
  { name: 'FHIR Invoice', op: 'GET /fhir/R4/Invoice/{id}', method: 'GET', path: () => `/fhir/R4/Invoice/${someId()}` },
  { name: 'FHIR Claim', op: 'GET /fhir/R4/Claim/{id}', method: 'GET', path: () => `/fhir/R4/Claim/${someId()}` },
  { name: 'decide help with a bill', op: 'POST /api/cases/{id}/invoices/{invoiceId}/assistance', method: 'POST', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/assistance`, body: { percent: 50, reason: 'Matrix reason' } },
  { name: 'superbill PDF', op: 'GET /api/cases/{id}/invoices/{invoiceId}/superbill', method: 'GET', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/superbill` },
  { name: 'pay a bill online', op: 'POST /api/cases/{id}/invoices/{invoiceId}/checkout', method: 'POST', path: (c) => `/api/cases/${c.id}/invoices/${someId()}/checkout` },
  { name: 'FHIR Appointment', op: 'GET /fhir/R4/Appointment/{id}', method: 'GET', path: () => `/fhir/R4/Appointment/${someId()}` },
  { name: 'FHIR DiagnosticReport', op: 'GET /fhir/R4/DiagnosticReport/{id}', method: 'GET', path: () => `/fhir/R4/DiagnosticReport/${someId()}` },
  { name: 'FHIR Observation', op: 'GET /fhir/R4/Observation/{id}', method: 'GET', path: () => `/fhir/R4/Observation/${someId()}-concordance` },
];

/**
 * Every operation that is not about one case, with the access it must declare: a new route
 * fails this test until it is added here (or to ROUTES), so its access is a decision, not a default.
 */
const NOT_CASE_SCOPED: Record<string, string> = {
  'POST /api/auth/register': 'public', 'POST /api/auth/verify-email': 'public', 'POST /api/auth/set-password': 'public', 'POST /api/auth/login': 'public',
  'POST /api/auth/set-password/check': 'public', 'POST /api/auth/forgot-password': 'public',
  'POST /api/auth/logout': 'public', 'POST /api/auth/password-strength': 'public', 'GET /api/auth/me': 'session', 'PUT /api/auth/locale': 'session', 'POST /api/auth/mfa/setup': 'session',
 'POST /api/auth/mfa/enable': 'session', 'POST /api/auth/mfa/disable': 'signed-in',
  'POST /api/auth/mfa/verify': 'session', 'POST /api/auth/password': 'signed-in', 'GET /api/auth/sessions': 'signed-in',
  'DELETE /api/auth/sessions': 'signed-in', 'DELETE /api/auth/sessions/{sessionId}': 'signed-in',
  'GET /api/notifications': 'signed-in', 'GET /api/notifications/unread': 'signed-in', 'POST /api/notifications/read': 'signed-in', 'GET /api/notifications/live': 'signed-in',
  'GET /api/experts': 'permission:experts.list', 'GET /api/admin/users': 'permission:users.manage', 'POST /api/admin/users': 'permission:users.manage',
  'POST /api/admin/users/{id}/password-reset': 'permission:users.manage', 'POST /api/admin/users/{id}/mfa-reset': 'permission:users.manage', 'PATCH /api/admin/users/{id}': 'permission:users.manage',
  'GET /api/cases': 'permission:case.list', 'POST /api/cases': 'permission:case.create', 'GET /api/invitations/{token}': 'public', 'POST /api/invitations/{token}/accept': 'signed-in',
  'GET /api/reference/icd10': 'public', 'GET /api/reference/intake': 'public', 'GET /api/reference/consent-documents': 'public', 'GET /api/reference/lifecycle': 'public',
  'GET /api/reference/roi-items': 'public', 'GET /api/reference/taxonomy': 'public', 'GET /api/reference/service': 'public',
  'POST /api/assessments': 'public', 'POST /api/assessments/pdf': 'public', 'GET /api/assessments/questionnaire': 'public', 'GET /api/assessments/rules': 'public',
  'GET /api/admin/audit': 'permission:audit.read', 'POST /api/admin/audit/verify': 'permission:audit.read', 'GET /api/admin/outbox': 'permission:mail.read',
  'POST /api/admin/experts/import': 'permission:experts.manage', 'GET /api/admin/experts/export.csv': 'permission:experts.manage', 'GET /api/admin/experts/export.fhir.json': 'permission:experts.manage',
  'PUT /api/admin/experts/{userId}/profile': 'permission:experts.manage', 'GET /api/experts/me/profile': 'permission:experts.own', 'PUT /api/experts/me/profile': 'permission:experts.own',
  'GET /api/directory/experts': 'permission:experts.list', 'POST /api/offers/{offerId}/accept': 'permission:experts.own', 'POST /api/offers/{offerId}/decline': 'permission:experts.own',
  'GET /api/experts/me/inbox': 'permission:experts.own', 'POST /api/calculators/lung-resection': 'signed-in', 'GET /api/outcomes': 'permission:outcomes.read',
  'GET /fhir/R4/metadata': 'public', 'GET /fhir/R4/Patient': 'permission:case.read', 'GET /fhir/R4/ServiceRequest': 'permission:case.read', 'GET /fhir/R4/Consent': 'permission:case.read', 'GET /fhir/R4/Coverage': 'permission:case.billing.read', 'GET /fhir/R4/Invoice': 'permission:case.billing.read', 'GET /fhir/R4/Claim': 'permission:case.billing.read', 'GET /api/billing/assistance-policy': 'permission:case.billing.read', 'GET /api/admin/billing/report': 'permission:billing.report', 'POST /api/payments/stripe/webhook': 'public',
  'GET /api/experts/me/visit-hours': 'permission:experts.own', 'PUT /api/experts/me/visit-hours': 'permission:experts.own',
  'POST /api/visits/{visitId}/cancel': 'signed-in', 'POST /api/visits/{visitId}/move': 'signed-in', 'GET /api/visits/mine': 'signed-in', 'GET /api/visits/{visitId}/interpreters': 'permission:interpreters.list', 'PUT /api/visits/{visitId}/interpreter': 'permission:interpreters.list', 'GET /fhir/R4/Practitioner/{id}': 'permission:experts.list', 'GET /fhir/R4/Schedule/{id}': 'permission:experts.list', 'GET /fhir/R4/Schedule': 'permission:experts.list', 'GET /fhir/R4/Slot': 'permission:experts.list', 'GET /fhir/R4/PractitionerRole/{id}': 'permission:experts.list', 'GET /api/visits/{visitId}': 'signed-in',
  'GET /api/boards/types': 'signed-in', 'GET /api/boards/proposals': 'permission:board.manage', 'GET /api/boards/sessions': 'permission:board.sit',
  'POST /api/boards/sessions': 'permission:board.manage', 'GET /api/boards/sessions/{sessionId}': 'permission:board.sit', 'POST /api/boards/sessions/{sessionId}/cancel': 'permission:board.manage', 'PATCH /api/boards/sessions/{sessionId}': 'permission:board.manage',
  'POST /api/boards/sessions/{sessionId}/agenda': 'permission:board.manage', 'PUT /api/boards/sessions/{sessionId}/agenda': 'permission:board.manage',
  'PATCH /api/boards/sessions/{sessionId}/agenda/{caseId}': 'permission:board.manage', 'DELETE /api/boards/sessions/{sessionId}/agenda/{caseId}': 'permission:board.manage',
  'POST /api/boards/sessions/{sessionId}/members': 'permission:board.manage', 'POST /api/boards/sessions/{sessionId}/members/reviewers': 'permission:board.manage',
  'DELETE /api/boards/sessions/{sessionId}/members/{userId}': 'permission:board.manage', 'PUT /api/boards/sessions/{sessionId}/members/{userId}/attendance': 'permission:board.manage',
  'PUT /api/boards/sessions/{sessionId}/presenter': 'permission:board.manage', 'PUT /api/boards/sessions/{sessionId}/presentation': 'permission:board.sit',
  'GET /api/boards/sessions/{sessionId}/cases/{caseId}': 'permission:board.sit', 'PUT /api/boards/sessions/{sessionId}/cases/{caseId}/minutes': 'permission:board.sit',
  'POST /api/boards/sessions/{sessionId}/cases/{caseId}/minutes/confirm': 'permission:board.manage',
  // The board room's WebSocket (GET /api/boards/sessions/{sessionId}/live, permission:board.sit) is not an
  // OpenAPI operation; boards.int.test.ts covers who may open it.
  'GET /api/admin/knowledge/review': 'permission:knowledge.review', 'GET /api/admin/fees': 'permission:fees.manage', 'PUT /api/admin/fees': 'permission:fees.manage', 'GET /api/admin/trials/sync': 'permission:trials.manage', 'POST /api/admin/trials/sync': 'permission:trials.manage',
  'GET /fhir/R4/AuditEvent': 'signed-in', 'GET /fhir/R4/AuditEvent/{id}': 'signed-in', 'GET /fhir/R4/DiagnosticReport': 'signed-in',
};

// Who reaches case A (a draft) for each route: any other answer than 404/403 means "reached".
// Items that do not exist on case A (a specimen, a measurement) are not found for anyone.
const REACHES_A: Record<string, string[]> = {
  document: ['patient', 'proxy'],
  'document content': ['patient', 'proxy'],
  'document text': ['patient', 'proxy'],
  'correct document type': [],
  'withdraw waiver': [],
  specimens: ['patient', 'proxy'],
  'track specimens': [],
  'ask for glass slides': [],
  'specimen step': [],
  'specimen label': [],
  'records requests': ['patient', 'proxy'],
  'new records request': [],
  'records request status': [],
  'records request letter': [],
  offers: [],
  'make an offer': [],
  'open invitations': ['patient'],
  'withdraw invitation': [],
  'remove caregiver': [],
  'delete measurement': [],
  'review note': [],
  'report version': [],
  'FHIR Consent': [],
  // Case A names a health plan: its coverage is the patient side's (billing), as the estimate.
  'FHIR Coverage': ['patient', 'proxy'],
  // Bills: the patient side reads them; the coordinator manages them, and does not reach a draft request.
  invoices: ['patient', 'proxy'],
  'draft an invoice': [],
  'change a draft invoice': [],
  'discard a draft invoice': [],
  'issue an invoice': [],
  'record a payment': [],
  'void an invoice': [],
  'write off an invoice': [],
  'ask for help with a bill': [],
  'invoice PDF': [],
  'FHIR Invoice': [],
  'FHIR Claim': [],
  'superbill PDF': [],
  'decide help with a bill': [],
  'pay a bill online': [],
  'FHIR DiagnosticReport': [],
  'FHIR Appointment': [],
  'FHIR Observation': [],
  'read case': ['patient', 'proxy'],
  timeline: ['patient', 'proxy'],
  'access log': ['patient', 'proxy'],
  'case assessment': ['patient', 'proxy'],
  'expert matches': [],
  documents: ['patient', 'proxy'],
  checklist: ['patient', 'proxy'],
  'clinical data': ['patient', 'proxy'],
  'waive checklist item': [],
  'start upload': ['patient', 'proxy'],
  'save intake': ['patient', 'proxy'],
  'sign consent': ['patient', 'proxy'],
  'invite proxy': ['patient'],
  'command hold': [],
  'command cancel': ['patient', 'proxy'],
  'set urgency': [],
  'set lead reviewer': [],
  'imaging studies': ['patient', 'proxy'],
  'imaging measurements': ['patient', 'proxy'],
  'digital slides': ['patient', 'proxy'],
  // The matrix's document is a text note, not a slide: past the grant check these answer 404
  // as a missing slide (the grant holders' reach is shown in src/pathology/pathology.int.test.ts).
  'open a digital slide': [],
  'describe a slide': [],
  'a slide label photo': [],
  'slide measurements': ['patient', 'proxy'],
  'measure on a slide': [],
  'remove a slide measurement': [],
  'slide measurements as GeoJSON': [],
  'slide measurements as DICOM': [],
  'a slide tile': [],
  'trials for a case': [],
  'cost estimate': ['patient', 'proxy'],
  'insurer answers': ['patient', 'proxy'],
  'record insurer answer': [],
  // Case A has no photo of the card: past the grant check, reading or removing one answers 404
  // (the grant holders' reach is shown in src/billing/cards.int.test.ts); a photo that is not one answers 400.
  'insurance card photos': ['patient', 'proxy'],
  'add an insurance card photo': ['patient', 'proxy'],
  'an insurance card photo': [],
  'remove an insurance card photo': [],
  // Nothing was read on case A: past the grant check, 409.
  'use the numbers read from the card': ['patient', 'proxy'],
  'save measurement': [],
  'de-identified export': [],
  'DICOMweb QIDO': ['patient', 'proxy'],
  'DICOMweb STOW': ['patient', 'proxy'],
  'opinion workspace': ['patient', 'proxy'],
  'save opinion draft': [],
  'sign opinion part': [],
  'issue report': [],
  'report PDF': [],
  'deliver opinion': [],
  'translated summary PDF': [],
  'summary translation': [],
  'follow-ups': ['patient', 'proxy'],
  'post follow-up': ['patient', 'proxy'],
  survey: ['patient', 'proxy'],
  'FHIR ServiceRequest': ['patient', 'proxy'],
  'FHIR Patient': ['patient', 'proxy'],
  'board panel': ['patient', 'proxy'],
  'video visits': ['patient', 'proxy'],
  messages: ['patient', 'proxy'],
  'start a conversation': ['patient', 'proxy'],
  'a conversation': [],
  'write in a conversation': [],
  'visit slots': ['patient', 'proxy'],
  'book a visit': ['patient', 'proxy'],
  'ask for a board': ['patient', 'proxy'],
  'confirm board': [],
  'decline board': [],
};

const snapshot = async () => JSON.stringify(await t.db.query(
  `SELECT c.status, c.intake, c.urgency, c.coordinator_id, (SELECT count(*)::int FROM case_events e WHERE e.case_id = c.id) AS events,
     (SELECT count(*)::int FROM case_members m WHERE m.case_id = c.id) AS members, (SELECT count(*)::int FROM consent_signatures s WHERE s.case_id = c.id) AS consents
   FROM cases c WHERE c.id = $1`, [caseB.id]));

describe('access-control matrix', () => {
  it('answers 404 for every route on a case outside the grant, for every role, and changes nothing', async () => {
    const before = await snapshot();
    const failures: string[] = [];
    for (const [who, actor] of Object.entries(actors)) {
      if (who === 'otherCoordinator') continue; // holds case B
      for (const r of ROUTES) {
        const res = await actor.client.request(r.method, r.path(caseB), r.body, r.headers?.(caseB));
        if (res.status !== 404) failures.push(`${who} ${r.name}: ${res.status} ${res.text}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await snapshot()).toBe(before);
  });

  it('lets exactly the grant holders reach their own draft case', async () => {
    const outcome: string[] = [];
    const expected: string[] = [];
    for (const r of ROUTES) {
      for (const [who, actor] of Object.entries(actors)) {
        const res = await actor.client.request(r.method, r.path(caseA), r.body, r.headers?.(caseA));
        const reached = res.status !== 404 && res.status !== 403 && res.status !== 401;
        if (reached) outcome.push(`${r.name}: ${who}`);
        if ((REACHES_A[r.name] ?? []).includes(who)) expected.push(`${r.name}: ${who}`);
      }
    }
    expect(outcome.sort()).toEqual(expected.sort());
  });

  it('staff reach the case only once it is theirs: coordinator after submission, expert after assignment', async () => {
    const { coordinator, expert, otherExpert, patient } = actors as Required<typeof actors>;
    const id = await aCase(t, patient!, { submit: true });
    expect((await coordinator!.client.get(`/api/cases/${id}`)).status).toBe(200);
    expect((await actors.otherCoordinator!.client.get(`/api/cases/${id}`)).status).toBe(200);
    await command(coordinator!, id, 'startRecordCollection');
    expect((await actors.otherCoordinator!.client.get(`/api/cases/${id}`)).status).toBe(404);
    await waiveOutstanding(coordinator!, id);
    await command(coordinator!, id, 'markReadyForReview');
    expect((await expert!.client.get(`/api/cases/${id}`)).status).toBe(404);
    await command(coordinator!, id, 'assignExpert', { expertId: expert!.id });
    expect((await expert!.client.get(`/api/cases/${id}`)).status).toBe(200);
    expect((await otherExpert!.client.get(`/api/cases/${id}`)).status).toBe(404);
    expect((await actors.boardChair!.client.get(`/api/cases/${id}`)).status).toBe(404);
    expect((await actors.admin!.client.get(`/api/cases/${id}`)).status).toBe(404);
    expect((await actors.referring!.client.get(`/api/cases/${id}`)).status).toBe(404);
  });

  it('keeps cases that ended before anyone took them out of the coordinators’ shared pool', async () => {
    const { coordinator, patient } = actors as Required<typeof actors>;
    const cancelled = await aCase(t, patient!, { submit: true });
    expect((await coordinator!.client.get(`/api/cases/${cancelled}`)).status).toBe(200);
    await command(patient!, cancelled, 'cancel', { reason: 'No longer needed' });
    expect((await coordinator!.client.get(`/api/cases/${cancelled}`)).status).toBe(404);
    const queue = await coordinator!.client.get('/api/cases?pageSize=100');
    expect(queue.body.items.map((c: { id: string }) => c.id)).not.toContain(cancelled);
  });

  it('lists only granted cases in every role’s queue', async () => {
    for (const [who, actor] of Object.entries(actors)) {
      const res = await actor.client.get('/api/cases?pageSize=100');
      // Neither lists cases: the admin keeps accounts, the interpreter joins visits.
      if (who === 'admin' || who === 'interpreter') {
        expect(res.status).toBe(403);
        continue;
      }
      const ids = res.body.items.map((c: { id: string }) => c.id);
      expect(ids.includes(caseB.id), `${who} sees case B`).toBe(who === 'otherCoordinator');
      expect(ids.includes(caseA.id), `${who} sees case A`).toBe(who === 'patient' || who === 'proxy');
    }
  });

  it('admin-only routes refuse every other role', async () => {
    for (const [who, actor] of Object.entries(actors)) {
      for (const path of ['/api/admin/users', '/api/admin/audit', '/api/admin/outbox']) {
        const res = await actor.client.get(path);
        expect(res.status, `${who} ${path}`).toBe(who === 'admin' ? 200 : 403);
      }
    }
  });

  it('signed-out callers get 401 on every protected route', async () => {
    const res = await fetch(`${t.baseUrl}/api/cases/${caseA.id}`);
    expect(res.status).toBe(401);
    expect((await fetch(`${t.baseUrl}/api/cases`)).status).toBe(401);
  });
});

/** Every operation of the OpenAPI document, with the access its route declares (`x-access`). */
async function operations() {
  const doc = (await new Client(t.baseUrl).get('/api/openapi.json')).body as { paths: Record<string, Record<string, { 'x-access'?: string }>> };
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, method: method.toUpperCase(), path, access: op['x-access'] })));
}

/** A request path for an operation, its parameters filled with values of the right shape. */
const fill = (path: string) => path.replace(/\{(\w+)\}/g, (_m, name: string) =>
  ({ token: 'x'.repeat(43), command: 'hold', section: 'questions', version: '1', itemId: 'pathology_report', studyUid: '1.2.3', level: '0', tile: '0_0.jpeg' } as Record<string, string>)[name] ?? someId());

describe('the route table', () => {
  it('covers every operation of the API: each declares its access, and each is in this matrix', async () => {
    const ops = await operations();
    expect(ops.length).toBeGreaterThan(100);
    const undeclared = ops.filter((o) => !o.access).map((o) => o.key);
    expect(undeclared, 'operations without x-access').toEqual([]);
    const caseOps = new Set(ROUTES.flatMap((r) => (r.op ? [r.op] : [])));
    const missing = ops.filter((o) => o.access!.startsWith('case:') ? !caseOps.has(o.key) : NOT_CASE_SCOPED[o.key] !== o.access).map((o) => `${o.key} (${o.access})`);
    expect(missing, 'operations the matrix does not know, or whose access changed').toEqual([]);
    const stale = [...caseOps, ...Object.keys(NOT_CASE_SCOPED)].filter((k) => !ops.some((o) => o.key === k));
    expect(stale, 'matrix rows for operations that no longer exist').toEqual([]);
  });

  it('answers 401 to a signed-out caller on every non-public operation, before looking at the request', async () => {
    const anon = new Client(t.baseUrl);
    const wrong: string[] = [];
    for (const o of await operations()) {
      if (o.access === 'public') continue;
      const res = await anon.request(o.method, fill(o.path).replace(/^/, ''), ['POST', 'PUT', 'PATCH'].includes(o.method) ? {} : undefined);
      if (res.status !== 401) wrong.push(`${o.key}: ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 403 on every permission-gated operation to each role without the permission, and changes nothing', async () => {
    const before = await snapshot();
    const wrong: string[] = [];
    for (const o of await operations()) {
      if (!o.access?.startsWith('permission:')) continue;
      const permission = o.access.slice('permission:'.length) as Permission;
      for (const [who, actor] of Object.entries(actors)) {
        if (roleAllows(actor.role, permission)) continue;
        const res = await actor.client.request(o.method, fill(o.path), ['POST', 'PUT', 'PATCH'].includes(o.method) ? {} : undefined);
        if (res.status !== 403) wrong.push(`${who} ${o.key}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(await snapshot()).toBe(before);
  });
});
