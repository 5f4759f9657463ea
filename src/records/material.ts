import crypto from 'node:crypto';
import type bwipjsModule from 'bwip-js';
import { recordAudit } from '../core/audit.ts';
import { openCase, withCaseTx } from '../core/access.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, msg } from '../core/errors.ts';
import { renderPdf } from '../core/pdf.ts';
import { emit } from '../events/emit.ts';
import { CONSENT_LABELS } from '../consent/documents.ts';
import { caseChecklist } from './checklist.ts';
import { isPatientSide, REVIEW_STATES } from '../cases/lifecycle.ts';
import { SPECIMEN_STATUS_LABELS, specimenStepProblems, type SpecimenStatus, type SpecimenStep } from './specimens.ts';
import { onFirstUse } from '../core/onFirstUse.ts';

const bwipjs = onFirstUse<typeof bwipjsModule>('bwip-js');

/**
 * The material that does not arrive by upload: glass slides and tissue blocks (tracked with a
 * barcode label from request to return), and release-of-information letters to the facilities
 * that hold the records, carrying the patient's signed HIPAA authorization.
 */
interface SpecimenRow {
  id: string;
  case_id: string;
  kind: 'slides' | 'blocks';
  label: string;
  expected_count: number;
  source_facility: string;
  barcode: string;
  status: SpecimenStatus;
  carrier: string | null;
  tracking_number: string | null;
  received_count: number | null;
  condition_note: string | null;
  return_carrier: string | null;
  return_tracking_number: string | null;
  updated_at: Date;
}

const specimenView = (r: SpecimenRow, events: { to_status: string; at: Date; detail: Record<string, unknown>; name: string }[] = []) => ({
  id: r.id, kind: r.kind, label: r.label, expectedCount: r.expected_count, sourceFacility: r.source_facility, barcode: r.barcode,
  status: r.status, statusLabel: SPECIMEN_STATUS_LABELS[r.status], carrier: r.carrier, trackingNumber: r.tracking_number,
  receivedCount: r.received_count, conditionNote: r.condition_note, returnCarrier: r.return_carrier, returnTrackingNumber: r.return_tracking_number,
  updatedAt: new Date(r.updated_at).toISOString(),
  history: events.map((e) => ({ status: e.to_status, at: new Date(e.at).toISOString(), by: e.name, detail: e.detail })),
});

interface NewSpecimen { kind: 'slides' | 'blocks'; label: string; expectedCount: number; sourceFacility: string }

/** Starts tracking material asked for from a facility: its barcode, first step and timeline line. */
/** What a reviewer's request for glass slides is called on the shipping label and the case's lists. */
const GLASS_REQUEST_LABEL = 'Glass slides for the pathology review';

async function trackSpecimen(tx: Queryable, actor: Actor, caseId: string, input: NewSpecimen, meta: RequestMeta, detail: Record<string, unknown> = {}): Promise<SpecimenRow> {
  const barcode = `CSL-${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
  const [row] = await tx.query<SpecimenRow>(
    `INSERT INTO specimens (case_id, kind, label, expected_count, source_facility, barcode, status, created_by) VALUES ($1,$2,$3,$4,$5,$6,'requested',$7) RETURNING *`,
    [caseId, input.kind, input.label, input.expectedCount, input.sourceFacility, barcode, actor.userId]);
  await tx.query(`INSERT INTO specimen_events (specimen_id, from_status, to_status, detail, actor_id) VALUES ($1, NULL, 'requested', $2, $3)`, [row!.id, JSON.stringify(detail), actor.userId]);
  await emit(tx, { caseId, actorId: actor.userId, type: 'specimen.request', detail: { specimenId: row!.id, kind: input.kind, label: input.label } });
  await recordAudit(tx, { actor, meta, action: 'specimen.create', entityType: 'Specimen', entityId: row!.id, caseId });
  return row!;
}

interface RoiRow {
  id: string;
  case_id: string;
  facility_name: string;
  facility_address: string;
  facility_fax: string | null;
  items: string[];
  status: 'prepared' | 'sent' | 'partially_received' | 'received';
  created_at: Date;
  sent_at: Date | null;
}

export const ROI_ITEMS: Record<string, string> = {
  pathology_slides: 'All glass slides (H&E and immunostains) from every biopsy and surgery',
  pathology_blocks: 'The paraffin tissue blocks (or unstained slides cut from them) for further testing',
  pathology_report: 'The pathology reports',
  imaging_files: 'All imaging studies as DICOM files, on CD/DVD or through the secure upload link below (not only the reports)',
  imaging_reports: 'The radiology reports of those studies',
  operative_notes: 'Operative notes',
  lab_results: 'Laboratory results from the last 12 months',
  molecular_results: 'Genetic and molecular test reports',
  treatment_history: 'Treatment summaries: each treatment, with dates and response',
  pft: 'Pulmonary function test reports (FEV1, FVC, DLCO)',
  exercise_test: 'Exercise test results (stair climb or shuttle walk)',
  cpet: 'Cardiopulmonary exercise test (CPET) report',
};

const roiView = (r: RoiRow) => ({
  id: r.id, facilityName: r.facility_name, facilityAddress: r.facility_address, facilityFax: r.facility_fax, items: r.items,
  status: r.status, createdAt: new Date(r.created_at).toISOString(), sentAt: r.sent_at ? new Date(r.sent_at).toISOString() : null,
});

export function materialService(deps: Deps) {
  const { db, config } = deps;

  async function specimen(tx: Queryable, caseId: string, id: string) {
    const [row] = await tx.query<SpecimenRow>('SELECT * FROM specimens WHERE id = $1 AND case_id = $2 FOR UPDATE', [id, caseId]);
    if (!row) throw new AppError('NOT_FOUND', 'This item is not tracked on the case.');
    return row;
  }

  async function labelPng(barcode: string): Promise<Buffer> {
    return bwipjs().toBuffer({ bcid: 'code128', text: barcode, scale: 3, height: 12, includetext: true, textxalign: 'center' });
  }

  return {
    async listSpecimens(actor: Actor, caseId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { relations } = await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'specimen.list' });
        const rows = await tx.query<SpecimenRow>('SELECT * FROM specimens WHERE case_id = $1 ORDER BY created_at', [caseId]);
        const events = await tx.query<{ specimen_id: string; to_status: string; at: Date; detail: Record<string, unknown>; name: string }>(
          'SELECT e.specimen_id, e.to_status, e.at, e.detail, u.name FROM specimen_events e JOIN users u ON u.id = e.actor_id JOIN specimens s ON s.id = e.specimen_id WHERE s.case_id = $1 ORDER BY e.id', [caseId]);
        // A reviewer's reason for asking (a finding, while the review is under way) is for the staff.
        const shown = isPatientSide(relations) ? events.map(({ detail: { reason: _reason, ...detail }, ...e }) => ({ ...e, detail })) : events;
        return rows.map((r) => specimenView(r, shown.filter((e) => e.specimen_id === r.id)));
      });
    },

    async requestSpecimen(actor: Actor, caseId: string, input: NewSpecimen, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.curate', meta);
        return specimenView(await trackSpecimen(tx, actor, caseId, input, meta));
      });
    },

    /**
     * The pathologist asks for the glass slides when the digital ones are not enough: tracked
     * like any request (the coordinator then has the facility ship them), with the reason in
     * its label and a line on the timeline.
     */
    async askForGlassSlides(actor: Actor, caseId: string, input: { sourceFacility: string; expectedCount: number; reason: string }, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        // The case row is locked: two reviewers (or one double click) asking at once are taken in turn.
        const { row } = await openCase(tx, actor, caseId, 'case.opinion.write', meta, { forUpdate: true });
        if (!REVIEW_STATES.includes(row.status)) throw new AppError('CONFLICT', 'Glass slides are asked for while the case is in review.');
        // The same slides from the same laboratory, still to arrive: a second request would have
        // the coordinator chase the laboratory twice for one box.
        const [pending] = await tx.query<{ status: 'requested' | 'shipped' }>(
          `SELECT status FROM specimens WHERE case_id = $1 AND kind = 'slides' AND label = $2 AND status IN ('requested', 'shipped') AND lower(btrim(source_facility)) = lower(btrim($3)) LIMIT 1`,
          [caseId, GLASS_REQUEST_LABEL, input.sourceFacility]);
        if (pending) {
          throw new AppError('CONFLICT', `Glass slides from ${input.sourceFacility.trim()} were already asked for and are ${pending.status === 'shipped' ? 'on their way' : 'not yet shipped'}; the coordinator follows them up. Write to the coordinator if more slides are needed.`,
            { auditFailure: { actor, meta, action: 'specimen.create', entityType: 'Specimen', caseId, outcome: 'failure', detail: { code: 'already_requested' } } });
        }
        // The label goes on the shipping label and to the patient's side: the reason stays in the staff's history.
        const tracked = await trackSpecimen(tx, actor, caseId, { kind: 'slides', label: GLASS_REQUEST_LABEL, expectedCount: input.expectedCount, sourceFacility: input.sourceFacility }, meta, { reason: input.reason });
        return specimenView(tracked, [{ to_status: 'requested', at: tracked.updated_at, detail: { reason: input.reason }, name: actor.name }]);
      });
    },

    async stepSpecimen(actor: Actor, caseId: string, id: string, step: SpecimenStep, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.curate', meta);
        const row = await specimen(tx, caseId, id);
        const problems = specimenStepProblems(row.status, step, row.expected_count);
        if (problems.length) throw new AppError('GUARD_FAILED', problems.join(' '), { unmet: problems });
        const sets: string[] = ['status = $3', 'updated_at = now()'];
        const params: unknown[] = [id, caseId, step.to];
        const set = (col: string, v: unknown) => sets.push(`${col} = $${params.push(v)}`);
        if (step.to === 'shipped') (set('carrier', step.carrier), set('tracking_number', step.trackingNumber));
        if (step.to === 'received') (set('received_count', step.receivedCount), set('condition_note', [step.condition, step.note].filter(Boolean).join(': ')));
        if (step.to === 'returned') (set('return_carrier', step.carrier), set('return_tracking_number', step.trackingNumber));
        const [updated] = await tx.query<SpecimenRow>(`UPDATE specimens SET ${sets.join(', ')} WHERE id = $1 AND case_id = $2 RETURNING *`, params);
        await tx.query('INSERT INTO specimen_events (specimen_id, from_status, to_status, detail, actor_id) VALUES ($1,$2,$3,$4,$5)', [id, row.status, step.to, JSON.stringify(step), actor.userId]);
        await emit(tx, { caseId, actorId: actor.userId, type: 'specimen.step', detail: { specimenId: id, label: row.label, from: row.status, to: step.to } });
        await recordAudit(tx, { actor, meta, action: 'specimen.step', entityType: 'Specimen', entityId: id, caseId, detail: { to: step.to } });
        return specimenView(updated!);
      });
    },

    /** A printable label (about 4 × 2 inches) with a Code 128 barcode to stick on the mailer. */
    async specimenLabel(actor: Actor, caseId: string, id: string, meta: RequestMeta) {
      const row = await withCaseTx(db, async (tx) => {
        const { row: c } = await openCase(tx, actor, caseId, 'case.records.read', meta);
        const s = await specimen(tx, caseId, id);
        await recordAudit(tx, { actor, meta, action: 'specimen.label', entityType: 'Specimen', entityId: id, caseId });
        return { s, reference: c.reference };
      });
      const png = await labelPng(row.s.barcode);
      return renderPdf({
        pageSize: { width: 288, height: 144 }, pageMargins: [12, 10, 12, 10],
        content: [
          { text: `Consilium ${row.reference}`, bold: true, fontSize: 10 },
          { text: `${row.s.kind === 'slides' ? 'Slides' : 'Blocks'}: ${row.s.label} (${row.s.expected_count})`, fontSize: 9 },
          { image: `data:image/png;base64,${png.toString('base64')}`, width: 200, alignment: 'center', margin: [0, 6, 0, 0] },
        ],
      });
    },

    async listRoi(actor: Actor, caseId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.read', meta, { auditAction: 'roi.list' });
        return (await tx.query<RoiRow>('SELECT * FROM roi_requests WHERE case_id = $1 ORDER BY created_at', [caseId])).map(roiView);
      });
    },

    async createRoi(actor: Actor, caseId: string, input: { facilityName: string; facilityAddress: string; facilityFax?: string; items: string[] }, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.curate', meta);
        const [auth] = await tx.query(`SELECT 1 FROM consent_signatures WHERE case_id = $1 AND document = 'hipaa_authorization'`, [caseId]);
        if (!auth) throw new AppError('GUARD_FAILED', msg`The patient has not signed the ${CONSENT_LABELS.hipaa_authorization} yet; a facility will not release records without it.`, { unmet: ['HIPAA authorization'] });
        const [row] = await tx.query<RoiRow>(
          `INSERT INTO roi_requests (case_id, facility_name, facility_address, facility_fax, items, status, created_by) VALUES ($1,$2,$3,$4,$5,'prepared',$6) RETURNING *`,
          [caseId, input.facilityName, input.facilityAddress, input.facilityFax ?? null, JSON.stringify(input.items), actor.userId]);
        await emit(tx, { caseId, actorId: actor.userId, type: 'roi.create', detail: { roiId: row!.id, facility: input.facilityName } });
        await recordAudit(tx, { actor, meta, action: 'roi.create', entityType: 'RoiRequest', entityId: row!.id, caseId });
        return roiView(row!);
      });
    },

    async setRoiStatus(actor: Actor, caseId: string, id: string, status: RoiRow['status'], meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.records.curate', meta);
        const [row] = await tx.query<RoiRow>(
          `UPDATE roi_requests SET status = $3, sent_at = CASE WHEN $3 = 'sent' AND sent_at IS NULL THEN now() ELSE sent_at END, updated_at = now() WHERE id = $1 AND case_id = $2 RETURNING *`, [id, caseId, status]);
        if (!row) throw new AppError('NOT_FOUND', 'This request was not found on the case.');
        await emit(tx, { caseId, actorId: actor.userId, type: 'roi.status', detail: { roiId: id, status } });
        await recordAudit(tx, { actor, meta, action: 'roi.status', entityType: 'RoiRequest', entityId: id, caseId, detail: { status } });
        return roiView(row);
      });
    },

    /** The letter: the request, what to send and how, and the patient's signed authorization. */
    async roiLetter(actor: Actor, caseId: string, id: string, meta: RequestMeta) {
      const data = await withCaseTx(db, async (tx) => {
        const { row: c } = await openCase(tx, actor, caseId, 'case.records.read', meta);
        const [roi] = await tx.query<RoiRow>('SELECT * FROM roi_requests WHERE id = $1 AND case_id = $2', [id, caseId]);
        if (!roi) throw new AppError('NOT_FOUND', 'This request was not found on the case.');
        const [pt] = await tx.query<{ given_name: string | null; family_name: string | null; birth_date: Date | null }>('SELECT given_name, family_name, birth_date FROM patients WHERE id = $1', [c.patient_id]);
        const [sig] = await tx.query<{ typed_name: string; signed_at: Date; version: string; ip: string | null }>(
          `SELECT typed_name, signed_at, version, ip FROM consent_signatures WHERE case_id = $1 AND document = 'hipaa_authorization' ORDER BY signed_at DESC LIMIT 1`, [caseId]);
        const checklist = await caseChecklist(tx, c);
        await recordAudit(tx, { actor, meta, action: 'roi.letter', entityType: 'RoiRequest', entityId: id, caseId });
        return { c, roi, pt, sig, received: new Set(checklist.items.filter((i) => i.have).map((i) => i.id)) };
      });
      const { c, roi, pt, sig } = data;
      const name = [pt?.given_name, pt?.family_name].filter(Boolean).join(' ') || 'the patient';
      const born = pt?.birth_date ? new Date(pt.birth_date).toISOString().slice(0, 10) : 'on file';
      return renderPdf({
        info: { title: `Records request ${c.reference}` },
        pageMargins: [56, 56, 56, 56],
        content: [
          { text: 'Request for release of medical records and pathology material', fontSize: 15, bold: true, margin: [0, 0, 0, 10] },
          { text: `${new Date().toISOString().slice(0, 10)} · Reference ${c.reference}`, margin: [0, 0, 0, 12] },
          { text: [{ text: 'To: ', bold: true }, `${roi.facility_name}\n${roi.facility_address}${roi.facility_fax ? `\nFax: ${roi.facility_fax}` : ''}`], margin: [0, 0, 0, 12] },
          { text: `Patient: ${name}, born ${born}.`, bold: true, margin: [0, 0, 0, 8] },
          { text: `The patient has asked for an expert second opinion and has authorized the release of the records below to Consilium. Please send the following:`, margin: [0, 0, 0, 6] },
          { ul: roi.items.map((i) => ROI_ITEMS[i] ?? i), margin: [0, 0, 0, 10] },
          { text: `Files can be uploaded securely at ${config.publicUrl}/cases/${c.id} or mailed on CD/DVD. Glass slides and blocks: please ship with tracking and include this reference (${c.reference}); they are returned after review.`, margin: [0, 0, 0, 12] },
          { text: 'Patient authorization', fontSize: 12, bold: true, margin: [0, 6, 0, 4] },
          sig
            ? { text: `HIPAA authorization version ${sig.version}, signed electronically by typing the name “${sig.typed_name}” on ${new Date(sig.signed_at).toISOString().replace('T', ' ').slice(0, 16)} UTC${sig.ip ? ` from IP address ${sig.ip}` : ''}. The signed document is kept with the case and is available on request.` }
            : { text: 'No authorization on file.', color: 'red' },
        ],
      });
    },
  };
}

export type MaterialService = ReturnType<typeof materialService>;
