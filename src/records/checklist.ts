import { ARRIVED_STATUSES } from './specimens.ts';
import { answersFromCase } from '../assessment/fromIntake.ts';
import { assessIn } from '../assessment/localized.ts';
import { DEFAULT_LOCALE, type Locale } from '../core/locale.ts';
import type { AssessmentAnswers } from '../assessment/answers.ts';
import type { AssessmentResult } from '../assessment/result.ts';
import type { Intake } from '../cases/intake.ts';
import type { CaseRow } from '../core/access.ts';
import type { Queryable } from '../core/db.ts';
import { itemsOfImagingStudy, itemsSatisfied, testsReported } from './classify.ts';
import { findingsByTest, resultsReported, type TestFinding } from './testResults.ts';
import { resultStatement, type StoredResult } from './structuredResults.ts';
import { lungValuesReported, type LungValueReported } from './lungFunctionResults.ts';

/**
 * The records gate. The case's checklist comes from the assessment rules run on the case; an
 * item is complete when a document on file satisfies it, or waived with a reason. This is what
 * "ready for review" is checked against.
 */
interface DocRow {
  id: string;
  category: string;
  document_type: string | null;
  extracted_text: string | null;
  tests_reported: string[];
  status: string;
  kinds: string[] | null;
  another_patient: boolean;
}

/** The flag of a record that may be another patient's (records/service.ts), as a JSON containment test. */
const ANOTHER_PATIENT = JSON.stringify([{ kind: 'patient_mismatch' }]);

export interface RecordsOnFile {
  /** checklist item id → ids of the documents that satisfy it */
  satisfiedBy: Map<string, string[]>;
  testsReported: string[];
  /** What the molecular reports on file state of each test they name plainly (by `testsReported`'s names). */
  testFindings: Map<string, TestFinding>;
  /** FEV1 and DLCO (% of predicted) as the pulmonary function reports on file state them. */
  lungValues: LungValueReported[];
}

export async function recordsOnFile(tx: Queryable, caseId: string): Promise<RecordsOnFile> {
  const docs = await tx.query<DocRow>(
    `SELECT d.id, d.category, d.document_type, d.extracted_text, d.tests_reported, d.status, d.flags @> $2::jsonb AS another_patient,
       (SELECT array_agg(DISTINCT e.kind) FROM clinical_entries e WHERE e.document_id = d.id) AS kinds
     FROM documents d WHERE d.case_id = $1 AND d.status <> 'failed' ORDER BY d.created_at, d.id`, [caseId, ANOTHER_PATIENT]);
  const satisfiedBy = new Map<string, string[]>();
  const tests = new Set<string>();
  const results = [];
  const lungValues: LungValueReported[] = [];
  for (const d of docs) {
    for (const item of itemsOf(d)) satisfiedBy.set(item, [...(satisfiedBy.get(item) ?? []), d.id]);
    // A record kept apart as possibly another patient's states nothing of this one's tests until a coordinator clears it.
    if (d.another_patient) continue;
    // Read again from the report's text: what a test's words mean changes with the panels (a
    // stored list from before may name a gene as if it were the germline test).
    const reported = d.document_type === 'molecular_report' && d.extracted_text ? testsReported(d.extracted_text) : d.tests_reported ?? [];
    for (const t of reported) tests.add(t);
    if (d.document_type === 'molecular_report' && d.extracted_text) results.push(...resultsReported(d.extracted_text));
    if (d.document_type === 'pulmonary_function_report' && d.extracted_text) lungValues.push(...lungValuesReported(d.extracted_text));
  }
  // Structured results imported from FHIR or C-CDA state test results too, read as a report's statements are.
  const entries = await tx.query<StoredResult>(
    `SELECT e.kind, e.display, e.value, e.unit, e.source FROM clinical_entries e JOIN documents d ON d.id = e.document_id
     WHERE e.case_id = $1 AND e.kind = 'observation' AND d.status <> 'failed' AND NOT (d.flags @> $2::jsonb) ORDER BY e.created_at, e.id`, [caseId, ANOTHER_PATIENT]);
  for (const e of entries) {
    // A stored shape the reader did not foresee is skipped, not a failure of every page of the case.
    let statement: string | null = null;
    try {
      statement = resultStatement(e);
    } catch {
      // left null
    }
    const read = statement ? resultsReported(statement) : [];
    for (const r of read) tests.add(r.test);
    results.push(...read);
  }
  // Imaging studies (uploaded files, CDs or STOW-RS) count as the scans they are; slide microscopy (SM) is not a scan.
  const studies = await tx.query<{ id: string; modalities: string[] | null; words: string | null }>(
    `SELECT s.id, array_agg(DISTINCT se.modality) FILTER (WHERE se.modality IS NOT NULL) AS modalities,
       concat_ws(' ', s.study_description, string_agg(concat_ws(' ', se.body_part, se.series_description), ' ')) AS words
     FROM dicom_studies s JOIN dicom_series se ON se.study_id = s.id WHERE s.case_id = $1 AND se.modality IS DISTINCT FROM 'SM' GROUP BY s.id, s.study_description`, [caseId]);
  for (const s of studies) for (const item of itemsOfImagingStudy(s.modalities ?? [], s.words ?? '')) satisfiedBy.set(item, [...(satisfiedBy.get(item) ?? []), s.id]);
  // Glass slides that have physically arrived count as the slides on file.
  const slides = await tx.query<{ id: string }>(`SELECT id FROM specimens WHERE case_id = $1 AND kind = 'slides' AND status = ANY($2::text[])`, [caseId, ARRIVED_STATUSES]);
  if (slides.length) satisfiedBy.set('pathology_slides', [...(satisfiedBy.get('pathology_slides') ?? []), ...slides.map((s) => s.id)]);
  // So do DICOM whole-slide images (STOW-RS or CD), which are slides without an uploaded file of their own.
  const dicomSlides = await tx.query<{ id: string }>(`SELECT id FROM slides WHERE case_id = $1 AND series_id IS NOT NULL AND status <> 'failed'`, [caseId]);
  if (dicomSlides.length) satisfiedBy.set('pathology_slides', [...(satisfiedBy.get('pathology_slides') ?? []), ...dicomSlides.map((s) => s.id)]);
  return { satisfiedBy, testsReported: [...tests], testFindings: findingsByTest(results), lungValues };
}

function itemsOf(d: DocRow): string[] {
  if (d.category === 'imaging') return ['imaging_files'];
  if (d.category === 'digital_slide') return ['pathology_slides'];
  if (d.category === 'structured') {
    const kinds = new Set(d.kinds ?? []);
    return [
      ...(kinds.has('observation') ? ['lab_results'] : []),
      ...(kinds.has('medication') ? ['current_medications', 'treatment_history'] : []),
      ...(kinds.has('procedure') ? ['treatment_history'] : []),
    ];
  }
  return itemsSatisfied(d.document_type, d.extracted_text);
}

export interface ChecklistItemState {
  id: string;
  label: string;
  from: string;
  why: string;
  gatheredBy: 'patient' | 'service';
  sources: string[];
  have: boolean;
  documents: string[];
  waiver: { reason: string; waivedBy: string; waivedAt: string } | null;
}

export interface CaseChecklist {
  assessment: AssessmentResult;
  /** What the molecular reports on file state of each biomarker test, by `testsReported`'s names. */
  testFindings: Map<string, TestFinding>;
  lungValues: LungValueReported[];
  items: ChecklistItemState[];
  outstanding: string[];
  complete: boolean;
}

/** The case assessment (with records on file) and the state of each checklist item. */
export async function caseChecklist(tx: Queryable, row: CaseRow, locale: Locale = DEFAULT_LOCALE): Promise<CaseChecklist> {
  const onFile = await recordsOnFile(tx, row.id);
  // Inside a case only documents on file count as "have", not what the patient said they had.
  const said = row.assessment_answers as AssessmentAnswers | null;
  const carried = said ? { ...said, records: { ...said.records, have: [] } } : null;
  const answers = answersFromCase(row.intake as Intake, carried, [...onFile.satisfiedBy.keys()]);
  answers.records = { ...answers.records, molecularTestsDone: [...(answers.records?.molecularTestsDone ?? []), ...onFile.testsReported] };
  const assessment = assessIn(answers, locale);
  const waivers = await tx.query<{ item_id: string; reason: string; waived_at: Date; name: string }>(
    'SELECT w.item_id, w.reason, w.waived_at, u.name FROM checklist_waivers w JOIN users u ON u.id = w.waived_by WHERE w.case_id = $1', [row.id]);
  const items = assessment.checklist.map((i) => {
    const w = waivers.find((x) => x.item_id === i.id);
    return {
      id: i.id, label: i.label, from: i.from, why: i.why, gatheredBy: i.gatheredBy, sources: i.sources,
      have: i.have, documents: onFile.satisfiedBy.get(i.id) ?? [],
      waiver: w ? { reason: w.reason, waivedBy: w.name, waivedAt: new Date(w.waived_at).toISOString() } : null,
    };
  });
  const outstanding = items.filter((i) => !i.have && !i.waiver).map((i) => i.label);
  return { assessment, testFindings: onFile.testFindings, lungValues: onFile.lungValues, items, outstanding, complete: outstanding.length === 0 };
}
