import { ARRIVED_STATUSES } from '../records/specimens.ts';
import type { Actor } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import { AppError } from '../core/errors.ts';
import { emit } from '../events/emit.ts';
import type { SlidesReviewedDraft } from '../opinions/schemas.ts';
import { blockAndStain, SLIDE_ORDER, slideName } from './service.ts';

const MICRONS = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
const AREA = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3 });

/** How a cited annotation reads in the report: "1,234.5 µm — invasive front", "0.42 mm² — tumour", "arrow — perineural invasion". */
export function annotationText(a: { value: number | null; unit: string | null; note: string | null }): string {
  const amount = a.value === null ? 'arrow' : a.unit === 'µm²' && a.value >= 100_000 ? `${AREA.format(a.value / 1e6)} mm²` : `${MICRONS.format(a.value)} ${a.unit}`;
  return `${amount}${a.note ? ` — ${a.note}` : ''}`.slice(0, 700);
}

/** How a glass-slide shipment is named in the report: its label and where it came from. */
export const glassName = (s: { label: string; expected_count: number; source_facility: string }) =>
  `${s.label} (${s.expected_count} from ${s.source_facility})`.slice(0, 300);

/**
 * Fills a draft's "slides reviewed" section from the case's own records: each digital slide by
 * its part/block and stain, or when neither is given by its place in the case's list of slides
 * (the number the patient's side knows it by), and each cited measurement by its number, value
 * and note; each glass-slide shipment by its label. Never a slide's file name: the patient and
 * the referring physician read the report, and a lab's file name often carries the accession
 * number or the patient's name. A slide, shipment or measurement that is not on this case is
 * refused, so the signed report can only name what was really there.
 */
export async function resolveSlidesReviewed(tx: Queryable, caseId: string, draft: SlidesReviewedDraft): Promise<SlidesReviewedDraft> {
  const digitalIds = (draft.digital ?? []).map((d) => d.slideId);
  const glassIds = (draft.glass ?? []).map((g) => g.specimenId);
  // Numbered among all the case's slides, ready or not, as the slides list numbers them.
  const slides = new Map((await tx.query<{ id: string; filename: string; block: string | null; stain: string | null; number: number }>(
    `SELECT id, filename, block, stain, number FROM (
       SELECT s.id, s.status, coalesce(d.filename, s.source_name, 'Digital slide') AS filename, s.block, s.stain, (row_number() OVER (ORDER BY ${SLIDE_ORDER}))::int AS number
       FROM slides s LEFT JOIN documents d ON d.id = s.document_id WHERE s.case_id = $1) listed
     WHERE status = 'ready' AND id = ANY($2::uuid[])`, [caseId, digitalIds])).map((r) => [r.id, r]));
  const notes = await tx.query<{ slide_id: string; number: number; value: number | null; unit: string | null; note: string | null }>(
    'SELECT slide_id, number, value, unit, note FROM slide_annotations WHERE case_id = $1 AND slide_id = ANY($2::uuid[]) AND deleted_at IS NULL', [caseId, digitalIds]);
  const glass = new Map((await tx.query<{ id: string; label: string; expected_count: number; source_facility: string }>(
    `SELECT id, label, expected_count, source_facility FROM specimens WHERE case_id = $1 AND kind = 'slides' AND status = ANY($3::text[]) AND id = ANY($2::uuid[])`, [caseId, glassIds, ARRIVED_STATUSES])).map((r) => [r.id, r]));
  const seen = new Set<string>();
  const digital = (draft.digital ?? []).filter((d) => !seen.has(d.slideId) && seen.add(d.slideId)).map((d) => {
    const slide = slides.get(d.slideId);
    if (!slide) throw new AppError('VALIDATION_FAILED', 'A slide marked as reviewed is not a viewable slide of this request.');
    const annotations = [...new Set((d.annotations ?? []).map((a) => a.number))].sort((a, b) => a - b).map((number) => {
      const found = notes.find((n) => n.slide_id === d.slideId && n.number === number);
      if (!found) throw new AppError('VALIDATION_FAILED', `Annotation ${number} is not on the slide ${slideName(slide)}.`);
      return { number, text: annotationText(found) };
    });
    const given = blockAndStain(slide);
    return { slideId: d.slideId, ...(given ? { name: given.slice(0, 300) } : { number: slide.number }), ...(annotations.length ? { annotations } : {}) };
  });
  const glassReviewed = (draft.glass ?? []).filter((g) => !seen.has(g.specimenId) && seen.add(g.specimenId)).map((g) => {
    const s = glass.get(g.specimenId);
    if (!s) throw new AppError('VALIDATION_FAILED', 'Glass slides marked as reviewed have not arrived, or are not tracked on this request.');
    return { specimenId: g.specimenId, name: glassName(s) };
  });
  return {
    digital, glass: glassReviewed,
    // Whether the digital slides sufficed means nothing when none was reviewed.
    ...(digital.length && draft.digitalSufficed ? { digitalSufficed: draft.digitalSufficed } : {}),
    ...(draft.comment ? { comment: draft.comment } : {}),
  };
}

/**
 * Closes the glass-slide loop when a pathologist signs that the digital slides sufficed: glass
 * slides asked for and not yet sent are called off, each with a step in its history and a line
 * on the timeline, so the facility is not asked to ship them for nothing. Glass slides another
 * reviewer of the case asked for stay asked for: the digital slides were not enough for them.
 */
export async function callOffGlassSlides(tx: Queryable, actor: Actor, caseId: string): Promise<number> {
  const rows = await tx.query<{ id: string; label: string }>(
    `UPDATE specimens s SET status = 'not_needed', updated_at = now() WHERE s.case_id = $1 AND s.kind = 'slides' AND s.status = 'requested'
       AND NOT EXISTS (SELECT 1 FROM case_members m WHERE m.case_id = s.case_id AND m.user_id = s.created_by AND m.relation = 'expert' AND m.revoked_at IS NULL AND m.user_id <> $2)
     RETURNING s.id, s.label`, [caseId, actor.userId]);
  for (const r of rows) {
    await tx.query(`INSERT INTO specimen_events (specimen_id, from_status, to_status, detail, actor_id) VALUES ($1, 'requested', 'not_needed', $2, $3)`,
      [r.id, JSON.stringify({ note: 'The pathologist’s review of the digital slides sufficed.' }), actor.userId]);
    await emit(tx, { caseId, actorId: actor.userId, type: 'specimen.step', detail: { specimenId: r.id, label: r.label, from: 'requested', to: 'not_needed' } });
  }
  return rows.length;
}
