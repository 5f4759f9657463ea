import type { CarePlan, DiagnosticReport, Observation, ResearchStudy } from '@medplum/fhirtypes';
import type { FastifyInstance } from 'fastify';
import { notFound } from '../core/errors.ts';
import { requestMeta } from '../core/http.ts';
import { bundle } from '../fhir/routes.ts';
import { countParam, offsetParam, params, referenceId } from '../fhir/search.ts';
import type { ReportDocument } from './schemas.ts';
import { CONCORDANCE_LABELS } from './schemas.ts';
import type { OpinionsService } from './service.ts';

/** The languages the parts' summaries are written in (English when a part does not say). */
const summaryLanguagesOf = (doc: ReportDocument) => [...new Set(doc.parts.filter((p) => p.content.patientSummary?.trim()).map((p) => p.content.patientSummaryLanguage ?? 'en'))];

/**
 * The issued opinion as FHIR R4: a DiagnosticReport per report version (the PDF as presentedForm)
 * and an Observation for the diagnosis concordance it records. Read under the same access check
 * as the REST API; the patient side sees them once delivered.
 */
export const CONCORDANCE_SYSTEM = 'urn:consilium:concordance';

const worstConcordance = (doc: ReportDocument) => {
  const v = doc.parts.map((p) => p.content.diagnosisReview?.concordance).filter(Boolean);
  return v.includes('major_discordance') ? 'major_discordance' : v.includes('minor_discordance') ? 'minor_discordance' : v.length ? 'concordant' : null;
};

/** A board's confirmed recommendation as a proposed CarePlan, contained in the report that carries it. */
function boardCarePlan(b: NonNullable<ReportDocument['board']>[number], i: number, patientId: string): CarePlan {
  const m = b.minutes;
  return {
    resourceType: 'CarePlan', id: `board-${i + 1}`, status: 'active', intent: 'proposal',
    title: `${b.boardLabel} recommendation`,
    description: [m.consensus?.recommendation, m.rationale ? `Rationale: ${m.rationale}` : '', m.guideline?.concordant ? 'Follows the guidelines.' : `Deviates from the guidelines: ${m.guideline?.deviationReason ?? ''}`].filter(Boolean).join(' '),
    subject: { reference: `Patient/${patientId}` },
    created: b.discussedAt,
    author: { display: `${b.chairName} (chair, ${b.boardLabel})` },
    contributor: b.attendees.map((a) => ({ display: a.seat ? `${a.name} (${a.seat})` : a.name })),
    ...(b.dissent.length ? { note: b.dissent.map((d) => ({ authorString: d.name, text: `Dissent: ${d.text}` })) } : {}),
    ...(b.actions.length ? { activity: b.actions.map((a) => ({ detail: { status: 'not-started' as const, description: `${a.text} (owner: ${a.owner})` } })) } : {}),
  };
}

const PHASE_CODES: Record<string, string> = {
  EARLY_PHASE1: 'early-phase-1', PHASE1: 'phase-1', PHASE2: 'phase-2', PHASE3: 'phase-3', PHASE4: 'phase-4', NA: 'n-a', 'PHASE1+PHASE2': 'phase-1-phase-2', 'PHASE2+PHASE3': 'phase-2-phase-3',
};
const SUPPORTING_INFO = 'http://hl7.org/fhir/StructureDefinition/workflow-supportingInfo';

/** The registry's recruitment status in FHIR R4's words (research-study-status). */
const STUDY_STATUS: Record<string, ResearchStudy['status']> = {
  RECRUITING: 'active', ENROLLING_BY_INVITATION: 'active', NOT_YET_RECRUITING: 'approved', ACTIVE_NOT_RECRUITING: 'closed-to-accrual',
  SUSPENDED: 'temporarily-closed-to-accrual', TERMINATED: 'administratively-completed', COMPLETED: 'completed', WITHDRAWN: 'withdrawn',
};

/**
 * Each trial the opinion names, once, as a ResearchStudy contained in the report that names it:
 * only trials found in the registry copy, whose status is known (one named by hand and not found
 * there is in the report's text, not stated as a study with a status).
 */
type SuggestedTrial = NonNullable<ReportDocument['parts'][number]['content']['trials']>[number];

/** The study's contact as FHIR ContactDetail: name and telecom from its parts, or the one line an older opinion kept. */
function studyContact(t: SuggestedTrial): Pick<ResearchStudy, 'contact'> {
  const d = t.contactDetails;
  if (d) {
    const telecom = [...(d.phone ? [{ system: 'phone' as const, value: d.phone }] : []), ...(d.email ? [{ system: 'email' as const, value: d.email }] : [])];
    return { contact: [{ ...(d.name ? { name: d.name } : {}), ...(telecom.length ? { telecom } : {}) }] };
  }
  return t.contact ? { contact: [{ name: t.contact }] } : {};
}

function suggestedStudies(doc: ReportDocument): ResearchStudy[] {
  const seen = new Map<string, NonNullable<ReportDocument['parts'][number]['content']['trials']>[number]>();
  for (const t of doc.parts.flatMap((p) => p.content.trials ?? [])) if (!seen.has(t.identifier)) seen.set(t.identifier, t);
  return [...seen.values()].flatMap((t, i) => {
    const status = t.registryStatus ? STUDY_STATUS[t.registryStatus] : undefined;
    if (!status) return [];
    const phase = PHASE_CODES[(t.phases ?? []).join('+')];
    return [{
      resourceType: 'ResearchStudy' as const, id: `trial-${i + 1}`,
      identifier: [{ system: 'https://clinicaltrials.gov', value: t.identifier }],
      ...(t.title ? { title: t.title } : {}),
      status,
      ...(phase ? { phase: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/research-study-phase', code: phase }] } } : {}),
      ...studyContact(t),
      ...(t.sites?.length ? { site: t.sites.map((display) => ({ display })) } : {}),
      note: [{ text: `Suggested in the second opinion: ${t.why}${t.checkedOn ? ` (registry status checked on ${t.checkedOn})` : ''}` }],
    }];
  });
}

/** FHIR's core extension for a string in another language (http://hl7.org/fhir/R4/extension-translation.html). */
const TRANSLATION = 'http://hl7.org/fhir/StructureDefinition/translation';
export interface SummaryTranslation { language: string; summary: string }

export function toFhirDiagnosticReport(r: { id: string; case_id: string; version: number; kind: string; issued_at: Date; content: ReportDocument }, patientId: string, pdf: Buffer, superseded: boolean, translations: readonly SummaryTranslation[] = []): DiagnosticReport {
  const doc = r.content;
  const concordance = worstConcordance(doc);
  const summary = doc.parts.map((p) => p.content.patientSummary).filter(Boolean).join('\n\n');
  const board = (doc.board ?? []).map((b, i) => boardCarePlan(b, i, patientId));
  const studies = suggestedStudies(doc);
  const languages = summaryLanguagesOf(doc);
  return {
    resourceType: 'DiagnosticReport',
    id: r.id,
    // The language of the summary (the report's text for the patient), when its parts share one.
    ...(languages.length === 1 ? { language: languages[0] } : {}),
    ...(board.length || studies.length ? { contained: [...board, ...studies] } : {}),
    // The trials the reviewers suggest to ask about.
    ...(studies.length ? { extension: studies.map((st) => ({ url: SUPPORTING_INFO, valueReference: { reference: `#${st.id}`, display: st.title ?? st.identifier![0]!.value! } })) } : {}),
    identifier: [{ system: 'urn:consilium:case-reference', value: `${doc.caseReference}-v${r.version}` }],
    // The request, and the board recommendations the opinion took up.
    basedOn: [{ reference: `ServiceRequest/${r.case_id}` }, ...board.map((c) => ({ reference: `#${c.id}`, display: c.title }))],
    status: superseded ? 'amended' : r.kind === 'original' ? 'final' : r.kind === 'addendum' ? 'appended' : 'corrected',
    // LOINC 11488-4 "Consult note": the expert's opinion is a consultation report.
    code: { coding: [{ system: 'http://loinc.org', code: '11488-4', display: 'Consult note' }], text: 'Expert second opinion' },
    subject: { reference: `Patient/${patientId}`, display: doc.patient.name },
    issued: new Date(r.issued_at).toISOString(),
    performer: doc.parts.map((p) => ({ display: `${p.authorName} (${p.reviewerRole})` })),
    ...(concordance ? { result: [{ reference: `Observation/${r.id}-concordance`, display: CONCORDANCE_LABELS[concordance] }] } : {}),
    ...(summary ? { conclusion: summary.slice(0, 10_000) } : {}),
    // The summary's reviewed translations ride on it, each with its language; the conclusion stays the signed text.
    ...(summary && translations.length ? { _conclusion: { extension: translations.map((t) => ({ url: TRANSLATION, extension: [{ url: 'lang', valueCode: t.language }, { url: 'content', valueString: t.summary.slice(0, 10_000) }] })) } } : {}),
    ...(concordance ? { conclusionCode: [{ coding: [{ system: CONCORDANCE_SYSTEM, code: concordance, display: CONCORDANCE_LABELS[concordance] }] }] } : {}),
    presentedForm: [{ contentType: 'application/pdf', data: pdf.toString('base64'), title: `Second opinion ${doc.caseReference}, version ${r.version}`, creation: new Date(r.issued_at).toISOString() }],
  };
}

export function toFhirConcordanceObservation(r: { id: string; issued_at: Date; content: ReportDocument }, patientId: string): Observation | null {
  const concordance = worstConcordance(r.content);
  if (!concordance) return null;
  return {
    resourceType: 'Observation',
    id: `${r.id}-concordance`,
    status: 'final',
    code: { text: 'Concordance of the reviewed diagnosis with the original diagnosis' },
    subject: { reference: `Patient/${patientId}` },
    effectiveDateTime: new Date(r.issued_at).toISOString(),
    valueCodeableConcept: { coding: [{ system: CONCORDANCE_SYSTEM, code: concordance, display: CONCORDANCE_LABELS[concordance] }], text: CONCORDANCE_LABELS[concordance] },
    derivedFrom: [{ reference: `DiagnosticReport/${r.id}` }],
  };
}

export function opinionFhirRoutes(opinions: OpinionsService, publicUrl: () => string) {
  return async (app: FastifyInstance) => {
    const UUID = /^[0-9a-f-]{36}$/i;
    app.get('/DiagnosticReport/:id', { config: { access: { case: 'case.opinion.read' } } }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const actor = req.actor;
      const found = UUID.test(id) ? await opinions.reportForFhir(actor, requestMeta(req), id) : null;
      if (!found) throw notFound('This DiagnosticReport');
      return reply.type('application/fhir+json; charset=utf-8').send(toFhirDiagnosticReport(found.report, found.patientId, found.pdf, found.superseded, found.translations));
    });
    app.get('/DiagnosticReport', { config: { access: 'signed-in' } }, async (req, reply) => {
      const actor = req.actor;
      const p = params(req.query, ['patient', 'subject', 'based-on', '_count', '_offset']);
      const count = countParam(p._count?.[0]);
      const offset = offsetParam(p._offset?.[0]);
      const patient = [...(p.patient ?? []), ...(p.subject ?? [])][0];
      const basedOn = p['based-on']?.[0];
      const result = await opinions.searchReports(actor, requestMeta(req), {
        patientId: patient ? referenceId(patient, 'Patient') ?? 'none' : undefined,
        caseId: basedOn ? referenceId(basedOn, 'ServiceRequest') ?? 'none' : undefined,
      }, count, offset);
      const base = `${publicUrl()}/fhir/R4`;
      return reply.type('application/fhir+json; charset=utf-8').send(bundle(req, base, result.rows.map((r) => toFhirDiagnosticReport(r.report, r.patientId, r.pdf, r.superseded, r.translations)), result.total, count, offset));
    });
    app.get('/Observation/:id', { config: { access: { case: 'case.opinion.read' } } }, async (req, reply) => {
      const { id } = req.params as { id: string };
      const actor = req.actor;
      const reportId = id.replace(/-concordance$/, '');
      const found = UUID.test(reportId) ? await opinions.reportForFhir(actor, requestMeta(req), reportId) : null;
      const obs = found ? toFhirConcordanceObservation(found.report, found.patientId) : null;
      if (!obs) throw notFound('This Observation');
      return reply.type('application/fhir+json; charset=utf-8').send(obs);
    });
  };
}
