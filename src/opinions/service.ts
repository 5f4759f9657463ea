import crypto from 'node:crypto';
import type { AssessmentAnswers } from '../assessment/answers.ts';
import { findingsOfTests } from '../records/testResults.ts';
import { Readable } from 'node:stream';
import { caseGrantSql, openCase, withCaseTx, type CaseRow } from '../core/access.ts';
import { roleAllows } from '../core/auth/roles.ts';
import { intakeForRole, type Intake } from '../cases/intake.ts';
import { recordAudit, recordCaseReads } from '../core/audit.ts';
import { confirmIdentity } from '../core/auth/attempts.ts';
import type { SecretBox } from '../core/secrets.ts';
import type { BlobStore } from '../core/blobs.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, msg } from '../core/errors.ts';
import { enqueueJob } from '../jobs.ts';
import { DELIVERED_STATES, isPatientSide, REVIEW_STATES } from '../cases/lifecycle.ts';
import type { CasesService } from '../cases/service.ts';
import { caseChecklist } from '../records/checklist.ts';
import { inflesz, readingGrade } from '../core/readability.ts';
import { evaluateLungResection } from './lungFunction.ts';
import { renderReportPdf, renderTranslationPdf } from './pdf.ts';
import { asLocale } from '../core/locale.ts';
import { wordsIn } from '../core/i18n.ts';
import { boardRecommendations } from '../boards/recommendations.ts';
import { addMessage, followupThreadId, markRead, threadMessages } from '../messages/repository.ts';
import type { OpinionContent, OpinionDraft, OpinionDraftChanges, ReportDocument, SummaryTranslationBody } from './schemas.ts';
import { reportsOf, summaryLanguageOf, summaryLanguageView, summaryOf, type ReportRow } from './summaryLanguage.ts';
import { signingGaps, withoutBlankSections, type SigningContext } from './completeness.ts';
import { callOffGlassSlides, resolveSlidesReviewed } from '../pathology/reviewed.ts';
import { resolveCitedTrials } from '../trials/cited.ts';

/**
 * The expert's review and the signed opinion: the workspace, a draft per reviewer, signing
 * (password and authenticator code again), the combined report issued by the lead reviewer in
 * versions (addenda and amendments keep every earlier version), delivery, follow-up questions
 * and the patient's survey. Every read and write checks role and case grant and is audited.
 */


interface PartRow { id: string; case_id: string; author_id: string; author_name: string; author_locale: string | null; content: OpinionDraft; status: 'draft' | 'signed'; content_sha256: string | null; signed_at: Date | null; updated_at: Date }
/** A signed part: its content passed the signing checks, so it is a complete opinion part. */
type SignedPart = Omit<PartRow, 'content'> & { content: OpinionContent };
const signedOnly = (all: PartRow[]) => all.filter((p) => p.status === 'signed') as unknown as SignedPart[];

/** Flesch-Kincaid grade of the patient summary (the target is 8 or below, DOMAIN.md §6); none when it has no words to grade ("…", "1."). */
function summaryGrade(summary: string | undefined): number | null {
  const grade = summary?.trim() ? readingGrade([summary]) : Number.NaN;
  return Number.isFinite(grade) ? Math.round(grade * 10) / 10 : null;
}

/** INFLESZ of a Spanish patient summary (aim for 55 or more); none for a summary in English, or without words. */
function summaryInflesz(content: OpinionContent | OpinionDraft): number | null {
  if (content.patientSummaryLanguage !== 'es' || !/\p{L}/u.test(content.patientSummary ?? '')) return null;
  return Math.round(inflesz([content.patientSummary!]));
}

const partView = (p: PartRow, missing: string[] = []) => ({
  // The grade scale of the summary's language: US grade for English, INFLESZ for Spanish.
  summaryGrade: p.content.patientSummaryLanguage === 'es' ? null : summaryGrade(p.content.patientSummary),
  summaryInflesz: summaryInflesz(p.content),
  id: p.id, authorId: p.author_id, authorName: p.author_name, status: p.status, content: p.content, missing: p.status === 'signed' ? [] : missing,
  contentSha256: p.content_sha256, signedAt: p.signed_at ? new Date(p.signed_at).toISOString() : null, updatedAt: new Date(p.updated_at).toISOString(),
});
const reportView = (r: ReportRow) => ({
  id: r.id, version: r.version, kind: r.kind, reason: r.reason, issuedAt: new Date(r.issued_at).toISOString(), document: r.content,
});

/** Where the patient lives, as the intake says: trial sites near them come first. */
/** Where the patient lives (for the nearest study sites) and the language the sites are named in for them. */
const patientHome = (row: CaseRow) => {
  const p = (row.intake as { patient?: { country?: string; state?: string; postalCode?: string; preferredLanguage?: string } }).patient;
  return { country: p?.country ?? null, state: p?.state ?? null, postalCode: p?.postalCode ?? null, locale: asLocale(p?.preferredLanguage) };
};
const sha256 = (v: unknown) => crypto.createHash('sha256').update(JSON.stringify(v)).digest('hex');

/** Disagreements between signed parts, shown in the report rather than hidden. */
export function disagreements(parts: { authorName: string; content: OpinionContent }[]): string[] {
  const out: string[] = [];
  const compare = <T>(label: string, pick: (c: OpinionContent) => T | undefined, show: (v: T) => string) => {
    const stated = parts.map((p) => ({ who: p.authorName, v: pick(p.content) })).filter((x) => x.v !== undefined);
    if (new Set(stated.map((x) => JSON.stringify(x.v))).size > 1) out.push(`${label}: ${stated.map((x) => `${x.who} — ${show(x.v as T)}`).join('; ')}.`);
  };
  compare('Diagnosis concordance', (c) => c.diagnosisReview?.concordance, (v) => v.replace('_', ' '));
  compare('Reviewed diagnosis', (c) => c.diagnosisReview?.reviewedDiagnosis, (v) => v);
  compare('Treatment', (c) => c.treatment?.stance, (v) => v);
  compare('Surgery necessary', (c) => c.surgery?.necessary, (v) => v);
  compare('Stage', (c) => (c.staging ? `${c.staging.basis === 'clinical' ? 'c' : 'p'}T${c.staging.t} N${c.staging.n} M${c.staging.m}` : undefined), (v) => v);
  return out;
}

export function opinionsService(deps: Deps & { blobs: BlobStore; cases: CasesService; letterhead: string; followupDays: number; secrets: SecretBox }) {
  const { db, blobs } = deps;
  const stepUp = { db, config: deps.config, now: deps.now, secrets: deps.secrets, publicUrl: () => deps.config.publicUrl };

  const isAssignedExpert = (relations: string[]) => relations.includes('expert');

  async function parts(tx: Queryable, caseId: string): Promise<PartRow[]> {
    return tx.query<PartRow>(`SELECT p.*, u.name AS author_name, u.locale AS author_locale FROM opinion_parts p JOIN users u ON u.id = p.author_id WHERE p.case_id = $1 ORDER BY p.created_at`, [caseId]);
  }
  async function assignedExperts(tx: Queryable, caseId: string) {
    return tx.query<{ user_id: string; name: string }>(`SELECT m.user_id, u.name FROM case_members m JOIN users u ON u.id = m.user_id WHERE m.case_id = $1 AND m.relation = 'expert' AND m.revoked_at IS NULL`, [caseId]);
  }
  /** What signing this reviewer's part is judged against: the patient's questions and the parts signed so far. */
  async function signingContext(tx: Queryable, row: CaseRow, authorId: string, all: PartRow[]): Promise<SigningContext> {
    const experts = await assignedExperts(tx, row.id);
    const others = signedOnly(all).filter((p) => p.author_id !== authorId);
    return {
      questions: (row.intake as { questions?: { questions?: string[] } }).questions?.questions ?? [],
      signedByOthers: others.map((p) => p.content),
      lastToSign: experts.filter((e) => e.user_id !== authorId).every((e) => others.some((p) => p.author_id === e.user_id)),
    };
  }
  async function myPartView(tx: Queryable, row: CaseRow, authorId: string) {
    const all = await parts(tx, row.id);
    const mine = all.find((p) => p.author_id === authorId);
    return mine ? partView(mine, signingGaps(mine.content, await signingContext(tx, row, authorId, all))) : null;
  }
  const reports = reportsOf;

  /**
   * Password and authenticator code again: signing is a deliberate act by the signed-in person.
   * The case is opened first (a stranger gets the same 404 as for any other route), then the
   * identity is confirmed under sign-in's limits and replay rule, outside the signing transaction.
   */
  async function confirmSigner(actor: Actor, meta: RequestMeta, caseId: string, creds: { password: string; code: string }, check?: (tx: Queryable, row: CaseRow) => unknown) {
    await withCaseTx(db, async (tx) => {
      const { row } = await openForReview(tx, actor, caseId, meta);
      await check?.(tx, row);
    });
    await confirmIdentity(stepUp, actor, meta, creds, { action: 'opinion.sign', caseId });
  }

  async function openForReview(tx: Queryable, actor: Actor, caseId: string, meta: RequestMeta) {
    const opened = await deps.cases.open(tx, actor, caseId, 'case.opinion.write', meta, { forUpdate: true });
    if (!isAssignedExpert(opened.relations)) throw new AppError('FORBIDDEN', 'Only an expert assigned to this case writes an opinion on it.');
    return opened;
  }

  async function reportDocument(tx: Queryable, row: CaseRow, signed: SignedPart[], version: number, kind: ReportRow['kind'], reason: string | null, issuer: string, previous?: ReportDocument, addendumText?: string, withBoard = true): Promise<ReportDocument> {
    const [pt] = await tx.query<{ given_name: string | null; family_name: string | null; birth_date: Date | string | null; preferred_language: string | null }>('SELECT given_name, family_name, birth_date, preferred_language FROM patients WHERE id = $1', [row.patient_id]);
    const intake = row.intake as { questions?: { questions?: string[] }; priorities?: { ranked?: string[]; inOwnWords?: string } ; condition?: { description?: string } };
    return {
      letterhead: deps.letterhead,
      caseReference: row.reference,
      patient: { name: `${pt?.given_name ?? ''} ${pt?.family_name ?? ''}`.trim() || 'Patient', birthDate: pt?.birth_date ? new Date(pt.birth_date).toISOString().slice(0, 10) : null },
      // The parts written for the patient are headed in their language (the reviewers' own words stay as written).
      language: asLocale(pt?.preferred_language),
      condition: intake.condition?.description ?? null,
      patientQuestions: intake.questions?.questions ?? [],
      version, kind, reason, issuedBy: issuer, issuedAt: deps.now().toISOString(),
      parts: previous?.parts ?? signed.map((p) => {
        const language = asLocale(p.author_locale);
        return {
          authorName: p.author_name, reviewerRole: p.content.reviewerRole ?? wordsIn(language)('report:expertReviewer'), content: p.content, language,
          signedAt: p.signed_at ? new Date(p.signed_at).toISOString() : '', contentSha256: p.content_sha256 ?? '',
          lungFunction: p.content.lungFunction ? evaluateLungResection(p.content.lungFunction.input, language) : null,
        };
      }),
      disagreements: previous?.disagreements ?? disagreements(signed.map((p) => ({ authorName: p.author_name, content: p.content }))),
      // The board's confirmed recommendation is a section of the report; later versions keep the one issued.
      board: previous?.board ?? (withBoard ? await boardRecommendations(tx, row.id) : []),
      addenda: [...(previous?.addenda ?? []), ...(addendumText ? [{ version, kind: kind as 'addendum' | 'amendment', reason: reason ?? '', text: addendumText, by: issuer, at: deps.now().toISOString() }] : [])],
    };
  }

  /** Only the lead reviewer issues the combined report and its later versions. */
  async function mustLead(tx: Queryable, row: CaseRow, actor: Actor) {
    if (row.lead_expert_id === actor.userId) return;
    const [lead] = row.lead_expert_id ? await tx.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [row.lead_expert_id]) : [];
    if (!lead) throw new AppError('GUARD_FAILED', 'Only the lead reviewer issues the report and its later versions.', { unmet: ['Ask the coordinator to name a lead reviewer.'] });
    throw new AppError('GUARD_FAILED', msg`Only the lead reviewer, ${lead.name}, issues the report and its later versions.`, { unmet: [`Ask the coordinator to make you the lead reviewer, or ask ${lead.name} to issue it.`] });
  }

  /** Writes the report version: PDF staged first, then blob, row and case state in one transaction. */
  async function issue(actor: Actor, meta: RequestMeta, caseId: string, creds: { password: string; code: string }, build: (tx: Queryable, row: CaseRow, version: number) => Promise<{ doc: ReportDocument; kind: ReportRow['kind']; reason: string | null; transition: boolean; reviewNote?: string }>) {
    // Refused before the password and code are asked for, so a code is not spent in vain.
    await confirmSigner(actor, meta, caseId, creds, (tx, row) => mustLead(tx, row, actor));
    // First pass: check everything and build the document (nothing is written).
    const prepared = await withCaseTx(db, async (tx) => {
      const { row } = await openForReview(tx, actor, caseId, meta);
      const version = (await reports(tx, caseId)).length + 1;
      return { ...(await build(tx, row, version)), version };
    });
    const pdf = await renderReportPdf(prepared.doc);
    const staged = await blobs.stage(Readable.from([pdf]));
    try {
      // The durability test's fault point (config refuses it in production): die between PDF and commit.
      if (deps.config.faultPoint === 'report.beforeCommit') process.kill(process.pid, 'SIGKILL');
      return await withCaseTx(db, async (tx) => {
        const opened = await openForReview(tx, actor, caseId, meta);
        await mustLead(tx, opened.row, actor);
        if ((await reports(tx, caseId)).length + 1 !== prepared.version) throw new AppError('CONFLICT', 'Another version was issued meanwhile; please reload.');
        const [blob] = await blobs.commit(tx, [staged]);
        const [report] = await tx.query<ReportRow>(
          'INSERT INTO opinion_reports (case_id, version, kind, reason, content, pdf_sha256, issued_by) VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING *',
          [caseId, prepared.version, prepared.kind, prepared.reason, JSON.stringify(prepared.doc), blob!.sha256, actor.userId]);
        if (prepared.reviewNote) await tx.query('INSERT INTO review_notes (case_id, author_id, body) VALUES ($1,$2,$3)', [caseId, actor.userId, prepared.reviewNote]);
        if (prepared.transition) await opened.transition('signOpinion');
        await opened.emit(`opinion.${prepared.kind}`, { version: prepared.version, reason: prepared.reason });
        await opened.audit(`opinion.issue.${prepared.kind}`, { entityType: 'DiagnosticReport', entityId: report!.id, detail: { version: prepared.version, ...(prepared.reviewNote ? { section: 'board-left-out' } : {}) } });
        return reportView(report!);
      });
    } catch (err) {
      await blobs.discard([staged], db);
      throw err;
    }
  }

  return {
    /** Everything an assigned reviewer needs on one screen; opening it is audited. */
    async workspace(actor: Actor, meta: RequestMeta, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const { row, relations } = await openCase(tx, actor, caseId, 'case.opinion.read', meta, { auditAction: 'opinion.workspace.read' });
        const all = await parts(tx, caseId);
        const reviewer = isAssignedExpert(relations);
        const checklist = await caseChecklist(tx, row);
        const notes = reviewer ? await tx.query<{ id: string; body: string; created_at: Date }>('SELECT id, body, created_at FROM review_notes WHERE case_id = $1 AND author_id = $2 ORDER BY created_at', [caseId, actor.userId]) : [];
        const experts = await assignedExperts(tx, caseId);
        const patientSide = isPatientSide(relations);
        const visibleReports = patientSide && !DELIVERED_STATES.includes(row.status) ? [] : await reports(tx, caseId);
        return {
          status: row.status,
          isReviewer: reviewer,
          intake: intakeForRole(row.intake as Intake, roleAllows(actor.role, 'case.billing.read')),
          biomarkers: checklist.assessment.biomarkers,
          reportedLungFunction: (row.assessment_answers as AssessmentAnswers | null)?.lungFunction ?? null,
          lungFunctionOnFile: checklist.lungValues,
          biomarkerFindings: findingsOfTests(checklist.testFindings, (checklist.assessment.biomarkers?.tests ?? []).map((t) => t.name)),
          checklist: { items: checklist.items, complete: checklist.complete },
          myPart: reviewer ? await myPartView(tx, row, actor.userId) : null,
          // Other reviewers' drafts stay theirs; signed parts are shared with the team.
          otherParts: patientSide ? [] : all.filter((p) => p.author_id !== actor.userId && p.status === 'signed').map((p) => partView(p)),
          reviewers: experts.map((e) => ({ id: e.user_id, name: e.name, signed: all.some((p) => p.author_id === e.user_id && p.status === 'signed'), lead: e.user_id === row.lead_expert_id })),
          isLead: reviewer && row.lead_expert_id === actor.userId,
          notes: notes.map((n) => ({ id: n.id, body: n.body, createdAt: new Date(n.created_at).toISOString() })),
          reports: visibleReports.map(reportView),
          summaryLanguage: await summaryLanguageView(tx, row, visibleReports),
        };
      });
    },

    /**
     * The coordinator attaches a translation of the latest report's patient summary, reviewed by
     * a person, into the patient's language (or another they read). The signed summary stays the
     * original; the translation is shown beside it, labelled, with who made and checked it.
     */
    async attachSummaryTranslation(actor: Actor, meta: RequestMeta, caseId: string, version: number, input: SummaryTranslationBody) {
      return withCaseTx(db, async (tx) => {
        const opened = await deps.cases.open(tx, actor, caseId, 'case.opinion.translate', meta, { forUpdate: true });
        const [report] = await tx.query<ReportRow>('SELECT * FROM opinion_reports WHERE case_id = $1 AND version = $2', [caseId, version]);
        if (!report) throw new AppError('NOT_FOUND', 'This case has no report of that version.');
        const written = summaryLanguageOf(report.content);
        if (input.language === written) throw new AppError('VALIDATION_FAILED', 'The summary is already written in this language.', { errors: [{ path: '/language', message: 'Choose the language the summary is translated into.' }] });
        if (!report.content.parts.some((p) => p.content.patientSummary?.trim())) throw new AppError('CONFLICT', 'This report has no summary for the patient to translate.');
        // A correction is a new row: the one a patient may have read stays on record.
        await tx.query(`INSERT INTO opinion_summary_translations (case_id, report_version, language, summary, translated_by, reviewed_by, attached_by) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
          [caseId, version, input.language, input.summary, input.translatedBy, input.reviewedBy, actor.userId]);
        await opened.emit('opinion.translate', { version, language: input.language });
        await opened.audit('case.opinion.translate', { entityType: 'DiagnosticReport', entityId: report.id, detail: { version, language: input.language } });
        return summaryLanguageView(tx, opened.row, await reports(tx, caseId));
      });
    },

    /**
     * Saves the reviewer's draft: the whole part (`replace`) or only the sections given
     * (`merge`, null clears one), so two devices writing different sections do not undo each
     * other. Half-filled sections are kept as they are; completeness is judged at signing.
     */
    async saveDraft(actor: Actor, meta: RequestMeta, caseId: string, changes: OpinionDraft | OpinionDraftChanges, mode: 'replace' | 'merge') {
      return withCaseTx(db, async (tx) => {
        const c = await openForReview(tx, actor, caseId, meta);
        if (!REVIEW_STATES.includes(c.row.status)) throw new AppError('CONFLICT', 'The opinion can be written while the case is assigned or in review.');
        const [existing] = await tx.query<{ status: string; content: OpinionDraft }>('SELECT status, content FROM opinion_parts WHERE case_id = $1 AND author_id = $2 FOR UPDATE', [caseId, actor.userId]);
        if (existing?.status === 'signed') throw new AppError('CONFLICT', 'Your part is signed; changes now go into an addendum or amendment.');
        const merged = mode === 'replace' ? changes : { ...(existing?.content ?? {}), ...changes };
        if (changes.slidesReviewed) merged.slidesReviewed = await resolveSlidesReviewed(tx, caseId, changes.slidesReviewed);
        if (changes.trials) merged.trials = await resolveCitedTrials(tx, patientHome(c.row), changes.trials, deps.now());
        const content = withoutBlankSections(Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null)) as OpinionDraft);
        await tx.query(
          `INSERT INTO opinion_parts (case_id, author_id, content) VALUES ($1,$2,$3) ON CONFLICT (case_id, author_id) DO UPDATE SET content = EXCLUDED.content, updated_at = now()`,
          [caseId, actor.userId, JSON.stringify(content)]);
        await c.audit('opinion.draft.save');
        return (await myPartView(tx, c.row, actor.userId))!;
      });
    },

    async addNote(actor: Actor, meta: RequestMeta, caseId: string, body: string) {
      return withCaseTx(db, async (tx) => {
        const c = await openForReview(tx, actor, caseId, meta);
        const [n] = await tx.query<{ id: string; created_at: Date }>('INSERT INTO review_notes (case_id, author_id, body) VALUES ($1,$2,$3) RETURNING id, created_at', [caseId, actor.userId, body]);
        await c.audit('opinion.note.create');
        return { id: n!.id, body, createdAt: new Date(n!.created_at).toISOString() };
      });
    },

    /** Signs the reviewer's own part: locked with its hash; later changes are addenda. */
    async signPart(actor: Actor, meta: RequestMeta, caseId: string, creds: { password: string; code: string }) {
      const inReview = (row: CaseRow) => {
        if (!REVIEW_STATES.includes(row.status)) throw new AppError('CONFLICT', 'The opinion can be signed while the case is in review.');
      };
      await confirmSigner(actor, meta, caseId, creds, (_tx, row) => inReview(row));
      return withCaseTx(db, async (tx) => {
        const c = await openForReview(tx, actor, caseId, meta);
        inReview(c.row);
        const [p] = await tx.query<PartRow>('SELECT * FROM opinion_parts WHERE case_id = $1 AND author_id = $2 FOR UPDATE', [caseId, actor.userId]);
        if (!p) throw new AppError('GUARD_FAILED', 'Write your part before signing it.', { unmet: ['Your part of the opinion is empty.'] });
        if (p.status === 'signed') throw new AppError('CONFLICT', 'Your part is already signed.');
        // The slides and measurements cited are read again from the case: one removed since the draft was saved cannot be signed.
        let draft = p.content;
        const stale: string[] = [];
        if (draft.slidesReviewed) {
          try {
            draft = { ...draft, slidesReviewed: await resolveSlidesReviewed(tx, caseId, draft.slidesReviewed) };
          } catch (err) {
            if (!(err instanceof AppError)) throw err;
            stale.push(`Slides reviewed: ${err.message}`);
          }
        }
        // Trials are read again from the registry copy: the signed part says what it says today,
        // and a study whose status changed since the reviewer saw it is theirs to confirm.
        if (draft.trials) {
          const before = new Map(draft.trials.map((x) => [x.identifier, x.registryStatus]));
          draft = { ...draft, trials: await resolveCitedTrials(tx, patientHome(c.row), draft.trials, deps.now()) };
          for (const x of draft.trials ?? []) {
            const was = before.get(x.identifier);
            if (was && was !== x.registryStatus) stale.push(`Clinical trials: ${x.identifier} is ${x.registryStatus ? `now listed as ${x.registryStatus.toLowerCase().replaceAll('_', ' ')}` : 'no longer in the registry copy'}; remove it, or add it again to confirm.`);
          }
        }
        const gaps = [...stale, ...signingGaps(draft, await signingContext(tx, c.row, actor.userId, await parts(tx, caseId)))];
        if (gaps.length) throw new AppError('GUARD_FAILED', 'Your part cannot be signed yet.', { unmet: gaps });
        const content = withoutBlankSections(draft);
        await tx.query(`UPDATE opinion_parts SET status = 'signed', signed_at = now(), content = $2, content_sha256 = $3, updated_at = now() WHERE id = $1`, [p.id, JSON.stringify(content), sha256(content)]);
        await c.emit('opinion.part.sign', {});
        await c.audit('opinion.sign', { detail: { part: p.id } });
        if (content.slidesReviewed?.digitalSufficed === 'yes') {
          const calledOff = await callOffGlassSlides(tx, actor, caseId);
          if (calledOff) await c.audit('specimen.step', { detail: { count: calledOff, to: 'not_needed' } });
        }
        const [after] = (await parts(tx, caseId)).filter((x) => x.author_id === actor.userId);
        return partView(after!);
      });
    },

    /**
     * The lead reviewer issues the combined report once every assigned reviewer has signed. A
     * tumor board's confirmed recommendation is a section of it unless the lead leaves it out,
     * with the reason kept among the lead's review notes.
     */
    async issueReport(actor: Actor, meta: RequestMeta, caseId: string, creds: { password: string; code: string; leaveOutBoard?: { reason: string } | undefined }) {
      return issue(actor, meta, caseId, creds, async (tx, row, version) => {
        if (!['in_review', 'board'].includes(row.status)) throw new AppError('ILLEGAL_TRANSITION', 'The report is issued while the case is in review.');
        if (version !== 1) throw new AppError('CONFLICT', 'The report was already issued; add an addendum or amendment instead.');
        const all = await parts(tx, row.id);
        const experts = await assignedExperts(tx, row.id);
        const unsigned = experts.filter((e) => !all.some((p) => p.author_id === e.user_id && p.status === 'signed'));
        if (unsigned.length) throw new AppError('GUARD_FAILED', msg`Waiting for signatures: ${unsigned.map((e) => e.name).join(', ')}.`, { unmet: unsigned.map((e) => `${e.name} has not signed their part.`) });
        const signed = signedOnly(all);
        // The patient's questions are answered one by one, by one reviewer or another.
        const questions = ((row.intake as { questions?: { questions?: string[] } }).questions?.questions ?? []);
        const answered = new Set(signed.flatMap((p) => (p.content.answers ?? []).filter((a) => a.answer.trim()).map((a) => a.question)));
        const unmet = questions.filter((q) => !answered.has(q)).map((q) => `The patient's question is not answered: “${q}”.`);
        if (!signed.some((p) => p.content.patientSummary?.trim())) unmet.push('No reviewer wrote the plain-language summary for the patient.');
        if (unmet.length) throw new AppError('GUARD_FAILED', 'The report cannot be issued yet.', { unmet });
        const [me] = await tx.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [actor.userId]);
        const leftOut = creds.leaveOutBoard && (await boardRecommendations(tx, row.id)).length > 0;
        return {
          doc: await reportDocument(tx, row, signed, version, 'original', null, me!.name, undefined, undefined, !leftOut), kind: 'original', reason: null, transition: true,
          ...(leftOut ? { reviewNote: `The tumor board’s recommendation was left out of the report. Reason: ${creds.leaveOutBoard!.reason}` } : {}),
        };
      });
    },

    /** A later change: an addendum adds, an amendment corrects; both keep every earlier version. */
    async amend(actor: Actor, meta: RequestMeta, caseId: string, input: { kind: 'addendum' | 'amendment'; reason: string; text: string; password: string; code: string }) {
      return issue(actor, meta, caseId, input, async (tx, row, version) => {
        if (!['opinion_signed', 'delivered', 'closed'].includes(row.status)) throw new AppError('CONFLICT', 'Addenda and amendments follow an issued report.');
        const previous = (await reports(tx, row.id)).at(-1);
        if (!previous) throw new AppError('CONFLICT', 'There is no issued report yet.');
        const [me] = await tx.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [actor.userId]);
        return { doc: await reportDocument(tx, row, [], version, input.kind, input.reason, me!.name, previous.content, input.text), kind: input.kind, reason: input.reason, transition: false };
      });
    },

    /** The report PDF of one version, for everyone on the case once delivered (staff once issued). */
    async reportPdf(actor: Actor, meta: RequestMeta, caseId: string, version: number) {
      const report = await withCaseTx(db, async (tx) => {
        const { row, relations } = await openCase(tx, actor, caseId, 'case.opinion.read', meta);
        const patientSide = isPatientSide(relations);
        if (patientSide && !DELIVERED_STATES.includes(row.status)) throw new AppError('NOT_FOUND', 'The report is not available yet.');
        const [r] = await tx.query<ReportRow>('SELECT * FROM opinion_reports WHERE case_id = $1 AND version = $2', [caseId, version]);
        if (!r) throw new AppError('NOT_FOUND', 'This version of the report does not exist.');
        await recordAudit(tx, { actor, meta, action: 'opinion.report.download', entityType: 'DiagnosticReport', entityId: r.id, caseId, detail: { version } });
        return r;
      });
      const { stream, size } = await blobs.open(db, report.pdf_sha256);
      return { stream, size, filename: `${report.content.caseReference}-opinion-v${report.version}.pdf` };
    },

    /**
     * The reviewed translation of a report's summary as a PDF (rendered when asked: it is not the
     * signed document). In the patient's language when there is one, else the newest translation.
     */
    async translationPdf(actor: Actor, meta: RequestMeta, caseId: string, version: number) {
      const found = await withCaseTx(db, async (tx) => {
        const { row, relations } = await openCase(tx, actor, caseId, 'case.opinion.read', meta);
        if (isPatientSide(relations) && !DELIVERED_STATES.includes(row.status)) throw new AppError('NOT_FOUND', 'The report is not available yet.');
        const all = await reports(tx, caseId);
        const report = all.find((r) => r.version === version);
        if (!report) throw new AppError('NOT_FOUND', 'This version of the report does not exist.');
        const view = await summaryLanguageView(tx, row, all.filter((r) => r.version <= version));
        const translation = view.current ?? view.translations.find((t) => summaryOf(all.find((r) => r.version === t.version)!.content) === summaryOf(report.content));
        if (!translation) throw new AppError('NOT_FOUND', 'This report’s summary has no translation.');
        await recordAudit(tx, { actor, meta, action: 'opinion.translation.download', entityType: 'DiagnosticReport', entityId: report.id, caseId, detail: { version, language: translation.language } });
        return { report, translation };
      });
      const { report, translation } = found;
      const pdf = await renderTranslationPdf(report.content, { ...translation, original: summaryOf(report.content), originalLanguage: summaryLanguageOf(report.content) });
      const filename = wordsIn(translation.language)('report:file.translation', { reference: report.content.caseReference, language: translation.language, version: report.version });
      return { pdf, filename };
    },

    /** Delivery: the case moves to delivered and the patient, proxies and referrer are told. */
    async deliver(actor: Actor, meta: RequestMeta, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const opened = await deps.cases.open(tx, actor, caseId, 'case.transition', meta, { forUpdate: true });
        if (actor.role !== 'coordinator') throw new AppError('FORBIDDEN', 'The case’s coordinator delivers the opinion.');
        if (!(await reports(tx, caseId)).length) throw new AppError('GUARD_FAILED', 'There is no issued report to deliver.', { unmet: ['No report has been issued.'] });
        await opened.transition('deliver');
        // The case closes by itself once the follow-up period is over.
        await enqueueJob(tx, 'opinion.closeAfterFollowup', { caseId }, new Date(deps.now().getTime() + deps.followupDays * 86_400_000));
        return { delivered: true as const };
      });
    },

    async followups(actor: Actor, meta: RequestMeta, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.opinion.read', meta, { auditAction: 'opinion.followup.read' });
        const thread = await followupThreadId(tx, caseId);
        const rows = thread ? await threadMessages(tx, thread) : [];
        if (thread) await markRead(tx, thread, actor.userId);
        const open = await followupOpenUntil(tx, row);
        return { openUntil: open?.toISOString() ?? null, open: open !== null && open > deps.now(), messages: rows.map((m) => ({ id: m.id, body: m.body, author: m.name, authorRole: m.role, createdAt: new Date(m.created_at).toISOString() })) };
      });
    },

    async postFollowup(actor: Actor, meta: RequestMeta, caseId: string, body: string) {
      return withCaseTx(db, async (tx) => {
        const c = await deps.cases.open(tx, actor, caseId, 'case.followup.write', meta);
        if (actor.role === 'expert' && !isAssignedExpert(c.relations)) throw new AppError('FORBIDDEN');
        const until = await followupOpenUntil(tx, c.row);
        if (!until || until <= deps.now()) throw new AppError('CONFLICT', 'Follow-up questions are open for a while after the opinion is delivered; that time has passed or not begun.');
        const m = await addMessage(tx, { threadId: (await followupThreadId(tx, caseId, actor.userId))!, caseId, authorId: actor.userId, body });
        await c.emit('opinion.followup', { messageId: m.id });
        await c.audit('opinion.followup.create');
        return { id: m.id, createdAt: new Date(m.created_at).toISOString() };
      });
    },

    async submitSurvey(actor: Actor, meta: RequestMeta, caseId: string, s: { clear: number; changed: 'diagnosis' | 'plan' | 'both' | 'neither'; wouldRecommend: boolean; comment?: string }) {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.survey.write', meta);
        if (!DELIVERED_STATES.includes(row.status)) throw new AppError('CONFLICT', 'The survey opens once the opinion is delivered.');
        const inserted = await tx.query('INSERT INTO opinion_surveys (case_id, author_id, clear, changed, would_recommend, comment) VALUES ($1,$2,$3,$4,$5,$6) ON CONFLICT (case_id) DO NOTHING RETURNING case_id',
          [caseId, actor.userId, s.clear, s.changed, s.wouldRecommend, s.comment ?? null]);
        if (!inserted.length) throw new AppError('CONFLICT', 'The survey for this case was already answered. Thank you.');
        await recordAudit(tx, { actor, meta, action: 'opinion.survey.create', entityType: 'Case', entityId: caseId, caseId });
        return { saved: true as const };
      });
    },

    /** Closes a delivered case whose follow-up period has ended (background job). */
    async closeAfterFollowup(caseId: string) {
      await db.transaction(async (tx) => {
        const [row] = await tx.query<CaseRow>('SELECT * FROM cases WHERE id = $1 FOR UPDATE', [caseId]);
        if (!row || row.status !== 'delivered') return;
        const until = await followupOpenUntil(tx, row);
        if (until && until > deps.now()) {
          await enqueueJob(tx, 'opinion.closeAfterFollowup', { caseId }, until);
          return;
        }
        // Closed by the service itself, through the lifecycle like any other change of state.
        await deps.cases.system(tx, row).transition('closeAfterFollowup', { followupEnded: true });
      });
    },

    /** Reports the actor may read (patient side: once delivered), newest first, for FHIR search. */
    async searchReports(actor: Actor, meta: RequestMeta, filter: { patientId?: string; caseId?: string }, count: number, offset: number) {
      if (!roleAllows(actor.role, 'case.opinion.read')) return { rows: [], total: 0 };
      return db.transaction(async (tx) => {
        const params: unknown[] = [actor.userId];
        const where = [caseGrantSql(actor, 1)];
        // The patient side sees a report once it was delivered.
        where.push(`(c.status IN ('delivered', 'closed') OR NOT EXISTS (SELECT 1 FROM case_members pm WHERE pm.case_id = c.id AND pm.user_id = $1 AND pm.revoked_at IS NULL AND pm.relation IN ('patient', 'proxy', 'referring')))`);
        if (filter.patientId) where.push(`c.patient_id::text = $${params.push(filter.patientId)}`);
        if (filter.caseId) where.push(`c.id::text = $${params.push(filter.caseId)}`);
        const [n] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM opinion_reports r JOIN cases c ON c.id = r.case_id WHERE ${where.join(' AND ')}`, params);
        const rows = await tx.query<ReportRow & { patient_id: string; latest: number }>(
          `SELECT r.*, c.patient_id, (SELECT max(version) FROM opinion_reports x WHERE x.case_id = r.case_id) AS latest FROM opinion_reports r JOIN cases c ON c.id = r.case_id
           WHERE ${where.join(' AND ')} ORDER BY r.issued_at DESC, r.id LIMIT ${count} OFFSET ${offset}`, params);
        await recordCaseReads(tx, { actor, meta, action: 'fhir.DiagnosticReport.search', entityType: 'Case' }, rows.map((r) => r.case_id));
        const withPdf = [];
        const translated = await translationsOf(tx, rows);
        for (const r of rows) withPdf.push({ report: r, patientId: r.patient_id, pdf: await blobs.read(tx, r.pdf_sha256), superseded: r.version < r.latest, translations: translated(r) });
        return { rows: withPdf, total: n?.n ?? 0 };
      });
    },

    /** The issued reports of the cases an actor may read, for FHIR DiagnosticReport. */
    async reportForFhir(actor: Actor, meta: RequestMeta, reportId: string) {
      const [r] = await db.query<ReportRow & { patient_id: string }>('SELECT r.*, c.patient_id FROM opinion_reports r JOIN cases c ON c.id = r.case_id WHERE r.id = $1', [reportId]);
      if (!r) return null;
      return withCaseTx(db, async (tx) => {
        const { row, relations } = await openCase(tx, actor, r.case_id, 'case.opinion.read', meta, { auditAction: 'fhir.DiagnosticReport.read' });
        if (isPatientSide(relations) && !DELIVERED_STATES.includes(row.status)) return null;
        const pdf = await blobs.read(tx, r.pdf_sha256);
        const translations = (await translationsOf(tx, [r]))(r);
        return { report: r, patientId: r.patient_id, pdf, superseded: (await reports(tx, r.case_id)).some((x) => x.version > r.version), translations };
      });
    },
  };

  /**
   * The reviewed translations of each report's summary, the newest per language (for FHIR's
   * translation extension). A translation made for an earlier version still holds when the later
   * one left the summary as it was (as the screens and the delivery check count it).
   */
  async function translationsOf(tx: Queryable, rows: readonly Pick<ReportRow, 'case_id' | 'version' | 'content'>[]) {
    const caseIds = [...new Set(rows.map((r) => r.case_id))];
    const found = caseIds.length ? await tx.query<{ case_id: string; report_version: number; language: string; summary: string }>(
      `SELECT case_id, report_version, language, summary FROM opinion_summary_translations WHERE case_id = ANY($1::uuid[]) ORDER BY attached_at DESC`, [caseIds]) : [];
    const translated = found.length ? await tx.query<{ case_id: string; version: number; content: ReportDocument }>(
      `SELECT case_id, version, content FROM opinion_reports WHERE case_id = ANY($1::uuid[]) AND version = ANY($2::int[])`, [caseIds, [...new Set(found.map((t) => t.report_version))]]) : [];
    const summaryAt = new Map(translated.map((r) => [`${r.case_id}/${r.version}`, summaryOf(r.content)]));
    return (r: Pick<ReportRow, 'case_id' | 'version' | 'content'>) => {
      const summary = summaryOf(r.content);
      const same = found.filter((t) => t.case_id === r.case_id && t.report_version <= r.version && summaryAt.get(`${t.case_id}/${t.report_version}`) === summary);
      // Newest first: the first of each language is the one that holds.
      return same.filter((t, i) => same.findIndex((x) => x.language === t.language) === i).map((t) => ({ language: t.language, summary: t.summary }));
    };
  }

  async function followupOpenUntil(tx: Queryable, row: CaseRow): Promise<Date | null> {
    // Counted from the delivery itself: coming back from a hold does not restart the period.
    const [d] = await tx.query<{ at: Date }>(`SELECT max(at) AS at FROM case_events WHERE case_id = $1 AND to_status = 'delivered' AND type <> 'case.resume'`, [row.id]);
    if (!d?.at || row.status !== 'delivered') return null;
    return new Date(new Date(d.at).getTime() + deps.followupDays * 86_400_000);
  }
}

export type OpinionsService = ReturnType<typeof opinionsService>;
