import type { Queryable } from '../core/db.ts';
import type { ReportDocument, SummaryLanguageView } from './schemas.ts';

/**
 * In which language the patient summary of a report is written, whether the patient reads it in
 * theirs, and the translations a coordinator attached. Shared by the opinion workspace, the
 * translation's PDF and the delivery guard (a patient is not sent a summary they cannot read).
 */
export interface ReportRow { id: string; case_id: string; version: number; kind: 'original' | 'addendum' | 'amendment'; reason: string | null; content: ReportDocument; pdf_sha256: string; issued_by: string; issued_at: Date }

/** The language the summary of a report is written in: what its authors said, English otherwise. */
export const summaryLanguageOf = (doc: ReportDocument) => doc.parts.find((p) => p.content.patientSummary?.trim())?.content.patientSummaryLanguage ?? 'en';

/** The summary a report gives the patient (its parts' summaries, in order). */
export const summaryOf = (doc: ReportDocument) => doc.parts.map((p) => p.content.patientSummary?.trim() ?? '').filter(Boolean).join('\n\n');

export const reportsOf = (tx: Queryable, caseId: string) => tx.query<ReportRow>('SELECT * FROM opinion_reports WHERE case_id = $1 ORDER BY version', [caseId]);

/**
 * Whether the patient can read the summary of `shown`'s latest report in their language, and the
 * translations of the reports shown (newest first). A translation made for an earlier version
 * still applies when an addendum left the summary as it was.
 */
export async function summaryLanguageView(tx: Queryable, c: { id: string; patient_id: string }, shown: ReportRow[]): Promise<SummaryLanguageView> {
  const [pt] = await tx.query<{ preferred_language: string | null }>('SELECT preferred_language FROM patients WHERE id = $1', [c.patient_id]);
  const rows = shown.length ? await tx.query<{ report_version: number; language: string; summary: string; translated_by: string; reviewed_by: string; attached_at: Date; name: string }>(
    `SELECT t.report_version, t.language, t.summary, t.translated_by, t.reviewed_by, t.attached_at, u.name FROM opinion_summary_translations t JOIN users u ON u.id = t.attached_by
     WHERE t.case_id = $1 AND t.report_version = ANY($2::int[]) ORDER BY t.attached_at DESC`, [c.id, shown.map((r) => r.version)]) : [];
  const translations = rows.map((t) => ({ version: t.report_version, language: t.language, summary: t.summary, translatedBy: t.translated_by, reviewedBy: t.reviewed_by, attachedBy: t.name, attachedAt: new Date(t.attached_at).toISOString() }));
  const latest = shown.at(-1);
  const summaryLanguage = latest ? summaryLanguageOf(latest.content) : 'en';
  // "es-MX" is Spanish: languages are compared by their base code, as the pages choose theirs.
  const patientLanguage = pt?.preferred_language?.trim().toLowerCase().split(/[-_]/)[0] || null;
  const sameSummary = new Set(latest ? shown.filter((r) => summaryOf(r.content) === summaryOf(latest.content)).map((r) => r.version) : []);
  const current = translations.find((t) => t.language === patientLanguage && sameSummary.has(t.version)) ?? null;
  return {
    patientLanguage, summaryLanguage, current,
    needed: !!latest && !!summaryOf(latest.content) && !!patientLanguage && patientLanguage !== summaryLanguage && !current,
    translations,
  };
}

/** The language a translation of the latest summary is still needed in before delivery, if any. */
export async function summaryTranslationNeeded(tx: Queryable, c: { id: string; patient_id: string }): Promise<string | null> {
  const view = await summaryLanguageView(tx, c, await reportsOf(tx, c.id));
  return view.needed ? view.patientLanguage : null;
}
