import type { AssessmentAnswers } from '../assessment/answers.ts';
import { assess } from '../assessment/engine.ts';
import { intakeFromAssessment } from '../assessment/fromIntake.ts';
import { caseChecklist } from '../records/checklist.ts';
import { recordAudit, recordCaseReads } from '../core/audit.ts';
import { openCase, withCaseTx, type CaseRow, type OpenedCase } from '../core/access.ts';
import { roleAllows } from '../core/auth/roles.ts';
import { hashToken, newToken } from '../core/auth/tokens.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Db, Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, msg } from '../core/errors.ts';
import { enqueueJob } from '../jobs.ts';
import { enqueueMail } from '../core/mail.ts';
import type { Locale } from '../core/locale.ts';
import { currentDocument, documentHash, documentIn, type ConsentKind } from '../consent/documents.ts';
import { INTAKE_SECTIONS, intakeForRole, missingIntakeSections, type Intake, type IntakeSectionName } from './intake.ts';
import { availableCommands, CASE_COMMANDS, decide, isPatientSide, REVIEW_SETTLED_STATES, type CaseCommand, type GuardFacts, type CaseRelation, type CaseStatus } from './lifecycle.ts';
import { RecentEstimates } from '../core/counting.ts';
import { billAwaitingPayment, pinFees } from '../billing/repository.ts';
import { addMember, insertCase, listMembers, queryCases, setDueDate, stampClock, type CaseListFilter } from './repository.ts';
import { emit } from '../events/emit.ts';
import { describeEvent } from '../events/words.ts';
import { commandLabelIn } from './lifecycleWords.ts';
import { describeAction } from '../audit/words.ts';
import { caseCapabilities } from './capabilities.ts';
import { caseGateways, type TransitionInput } from './gateway.ts';
import { calendarKey, dueDate, onTrackFrom, serviceLevelsFor, slaClock, type ServiceLevels } from './sla.ts';
import { scheduleSlaReminders } from './slaNotify.ts';
import { wordsIn } from '../core/i18n.ts';
import { coordinatorUrgencyReason, decideUrgency, urgencyReasonIn } from './urgency.ts';
import { unreadByCase } from '../messages/unread.ts';
import { summaryTranslationNeeded } from '../opinions/summaryLanguage.ts';
import { caregiverInvitationMail } from './invitationMail.ts';

const iso = (d: Date | string | null) => (d == null ? null : new Date(d).toISOString());

async function signedConsents(tx: Queryable, caseId: string) {
  const rows = await tx.query<{ document: ConsentKind; version: string; typed_name: string; signed_at: Date; signer_relation: string; signer_name: string }>(
    `SELECT s.document, s.version, s.typed_name, s.signed_at, s.signer_relation, u.name AS signer_name
     FROM consent_signatures s JOIN users u ON u.id = s.signer_id WHERE s.case_id = $1 ORDER BY s.signed_at`, [caseId]);
  return rows.map((r) => ({ document: r.document, version: r.version, typedName: r.typed_name, signedAt: iso(r.signed_at)!, signerRelation: r.signer_relation, signerName: r.signer_name }));
}

function unsignedConsents(signed: { document: ConsentKind; version: string }[]): ConsentKind[] {
  return (['service_consent', 'hipaa_authorization'] as const).filter((k) => !signed.some((s) => s.document === k && s.version === currentDocument(k).version));
}

/**
 * Cases: creation, the intake wizard, consent, proxies, the coordinator queue and the lifecycle
 * commands. Every method opens the case through the access check and leaves audit events.
 */
const timelineLine = (r: { id: number; at: Date; type: string; from_status: CaseStatus | null; to_status: CaseStatus | null; detail: Record<string, unknown>; actor_name: string | null; actor_role: string | null }) => ({
  id: Number(r.id), at: iso(r.at)!, type: r.type, fromStatus: r.from_status, toStatus: r.to_status, detail: r.detail, actorName: r.actor_name, actorRole: r.actor_role,
});

/**
 * Gives every running clock its due date on the calendar in force: after migration 016 (clocks
 * that started before due dates were stored) and whenever the service-level file changes.
 * Returns how many cases it updated; a no-op when all are current.
 */
export async function refreshSlaDueDates(db: Db, levels: ServiceLevels, batch = 1000): Promise<number> {
  const calendar = calendarKey(levels);
  let updated = 0;
  for (;;) {
    const rows = await db.query<{ id: string; ready_at: Date; urgency: 'standard' | 'expedited' }>(
      'SELECT id, ready_at, urgency FROM cases WHERE ready_at IS NOT NULL AND sla_calendar IS DISTINCT FROM $1 LIMIT $2', [calendar, batch]);
    if (rows.length === 0) return updated;
    await db.transaction(async (tx) => {
      for (const r of rows) await setDueDate(tx, r.id, dueDate(levels, new Date(r.ready_at), r.urgency));
    });
    updated += rows.length;
  }
}

export function casesService(deps: Deps) {
  const { db, config } = deps;
  const serviceLevels = serviceLevelsFor(config);
  const recentTotals = new RecentEstimates();

  /** The case's service-level clock, from its last "ready for review" to its delivery (stamped on the row). */
  async function caseSla(tx: Queryable, row: CaseRow) {
    const [t] = await tx.query<{ ready_at: Date | null; delivered_at: Date | null; sla_due_at: Date | null }>('SELECT ready_at, delivered_at, sla_due_at FROM cases WHERE id = $1', [row.id]);
    return clockOf({ urgency: row.urgency, ready_at: t?.ready_at ?? null, delivered_at: t?.delivered_at ?? null, sla_due_at: t?.sla_due_at ?? null });
  }

  function clockOf(r: { urgency: 'standard' | 'expedited'; ready_at: Date | null; delivered_at: Date | null; sla_due_at: Date | null }) {
    const date = (d: Date | null) => (d ? new Date(d) : null);
    return slaClock(serviceLevels, r.urgency, date(r.ready_at), date(r.delivered_at), deps.now(), date(r.sla_due_at));
  }

  /** The actor's own draft with nothing in it yet (no intake, no files, no card photo), if there is one. */
  async function untouchedDraft(tx: Queryable, actor: Actor): Promise<CaseRow | null> {
    const [row] = await tx.query<CaseRow>(
      `SELECT c.* FROM cases c JOIN case_members m ON m.case_id = c.id AND m.user_id = $1 AND m.revoked_at IS NULL AND m.relation IN ('patient', 'referring')
       WHERE c.status = 'draft' AND c.intake = '{}'::jsonb AND c.assessment_answers IS NULL
         AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.case_id = c.id) AND NOT EXISTS (SELECT 1 FROM coverage_cards k WHERE k.case_id = c.id)
       ORDER BY c.created_at DESC LIMIT 1 FOR UPDATE OF c`, [actor.userId]);
    return row ?? null;
  }

  async function caseDetail(tx: Queryable, actor: Actor, opened: OpenedCase, locale: Locale = 'en') {
    const { row, relations } = opened;
    const [patient] = await tx.query<Record<string, unknown>>('SELECT * FROM patients WHERE id = $1', [row.patient_id]);
    const consents = await signedConsents(tx, row.id);
    const [coordinator] = row.coordinator_id ? await tx.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [row.coordinator_id]) : [];
    const intake = intakeForRole(row.intake as Intake, roleAllows(actor.role, 'case.billing.read'));
    const members = await listMembers(tx, row.id);
    const lead = members.find((m) => m.relation === 'expert' && m.userId === row.lead_expert_id);
    return {
      id: row.id,
      reference: row.reference,
      status: row.status,
      statusBeforeHold: row.status_before_hold,
      urgency: row.urgency,
      urgencyReason: urgencyReasonIn(row.urgency_reason, locale),
      sla: await caseSla(tx, row),
      opinionWithinBusinessDays: serviceLevels.businessDays[row.urgency],
      intake,
      missingIntakeSections: missingIntakeSections(intake),
      patientId: row.patient_id,
      patientName: patient?.given_name ? `${patient.given_name} ${patient.family_name}` : null,
      coordinator: row.coordinator_id ? { id: row.coordinator_id, name: coordinator?.name ?? '' } : null,
      members,
      leadExpert: lead ? { id: lead.userId, name: lead.name } : null,
      consents,
      unsignedConsents: unsignedConsents(consents),
      myRelations: relations,
      can: caseCapabilities(actor, row, { surveyAnswered: (await tx.query('SELECT 1 FROM opinion_surveys WHERE case_id = $1', [row.id])).length > 0 }),
      commands: await commandPreviews(tx, actor, opened, locale),
      submittedAt: iso(row.submitted_at),
      statusChangedAt: iso(row.status_changed_at)!,
      createdAt: iso(row.created_at)!,
      updatedAt: iso(row.updated_at)!,
    };
  }

  /** What the lifecycle's guards look at for one command, read from the case (and the command's input). */
  async function guardFacts(tx: Queryable, actor: Actor | null, opened: OpenedCase, command: CaseCommand, input: TransitionInput & { preview?: boolean }, locale: Locale = 'en'): Promise<GuardFacts> {
    const { row, relations } = opened;
    const intake = row.intake as Intake;
    let expertCandidate;
    if (command === 'assignExpert' && input.expertId) {
      const [u] = await tx.query<{ role: string; disabled_at: Date | null }>('SELECT role, disabled_at FROM users WHERE id = $1', [input.expertId]);
      const patientSide = await tx.query('SELECT 1 FROM case_members WHERE case_id = $1 AND user_id = $2 AND revoked_at IS NULL AND relation IN (\'patient\',\'proxy\',\'referring\')', [row.id, input.expertId]);
      expertCandidate = { exists: !!u, isExpert: u?.role === 'expert', active: !u?.disabled_at, isPatientSide: patientSide.length > 0 };
    }
    const claims = actor?.role === 'coordinator' && row.coordinator_id === null;
    return {
      status: row.status,
      statusBeforeHold: row.status_before_hold,
      actorRole: actor?.role ?? 'system',
      actorRelations: relations,
      actorIsCoordinator: (actor !== null && row.coordinator_id === actor.userId) || claims,
      missingIntakeSections: missingIntakeSections(intake),
      unsignedConsents: command === 'submit' ? unsignedConsents(await signedConsents(tx, row.id)) : [],
      checklistOutstanding: command === 'markReadyForReview' ? (await caseChecklist(tx, row, locale)).outstanding : [],
      unpaidBill: command === 'markReadyForReview' && deps.config.paymentTiming === 'before_review' ? await billAwaitingPayment(tx, row.id) : null,
      expertCandidate,
      reportIssued: command === 'signOpinion' || command === 'deliver' ? (await tx.query('SELECT 1 FROM opinion_reports WHERE case_id = $1 LIMIT 1', [row.id])).length > 0 : undefined,
      summaryTranslationMissing: command === 'deliver' ? await summaryTranslationNeeded(tx, row) : undefined,
      offerPending: command === 'acceptAssignment' ? (await tx.query(`SELECT 1 FROM expert_offers WHERE case_id = $1 AND expert_id = $2 AND status = 'offered'`, [row.id, actor?.userId])).length > 0 : undefined,
      reason: input.reason,
      followupEnded: input.followupEnded,
      preview: input.preview,
      // What is missing is said in the words of whoever asks.
      words: wordsIn(locale), locale,
    };
  }

  /**
   * The commands this person may give on the case now, each with what still blocks it in words,
   * so a button says why it cannot be pressed before anyone presses it. What a command asks for
   * when given (a reason, an expert) is not counted as a blocker here.
   */
  async function commandPreviews(tx: Queryable, actor: Actor, opened: OpenedCase, locale: Locale) {
    if (!roleAllows(actor.role, 'case.transition')) return [];
    // Signing and delivering happen in the opinion (report, notices), not as bare commands.
    const names = availableCommands(opened.row.status, actor.role).filter((c) => c !== 'signOpinion' && c !== 'deliver');
    const out = [];
    for (const name of names) {
      const decision = decide(name, await guardFacts(tx, actor, opened, name, { preview: true }, locale));
      out.push({ name, label: commandLabelIn(name, locale), blockedBy: decision.ok ? [] : decision.unmet });
    }
    return out;
  }

  /**
   * The one way a case changes state: the lifecycle decides, then the status, the timeline event
   * and the audit event are written together. `actor` null is the service itself (a background job).
   */
  async function applyTransition(tx: Queryable, actor: Actor | null, opened: OpenedCase, command: CaseCommand, input: TransitionInput, meta: RequestMeta) {
    const { row } = opened;
    // Taking a case from the intake pool makes the acting coordinator its coordinator.
    const claims = actor?.role === 'coordinator' && row.coordinator_id === null;
    const decision = decide(command, await guardFacts(tx, actor, opened, command, input, meta.locale));
    if (!decision.ok) {
      // The conditions are listed in `unmet`; the detail says so once instead of repeating them.
      const detail = decision.unmet.length === 1 ? decision.unmet[0]! : msg`“${CASE_COMMANDS[command].label}” is not possible yet: ${decision.unmet.length} conditions are not met.`;
      throw new AppError(decision.code, detail, {
        unmet: decision.unmet,
        auditFailure: { actor, meta, action: `case.${command}`, entityType: 'Case', entityId: row.id, caseId: row.id, outcome: 'failure', detail: { code: decision.code, status: row.status } },
      });
    }
    const to = decision.to;
    const sets = ['status = $2', 'status_changed_at = now()', 'updated_at = now()'];
    const params: unknown[] = [row.id, to];
    if (claims) {
      params.push(actor!.userId);
      sets.push(`coordinator_id = $${params.length}`);
    }
    if (command === 'hold') sets.push('status_before_hold = status');
    // A deleted draft keeps nothing of what was typed into it; the case row stays for the audit trail.
    if (command === 'discard') sets.push(`intake = '{}'::jsonb`, 'assessment_answers = NULL');
    if (command === 'resume') sets.push('status_before_hold = NULL');
    let businessDays: number | undefined;
    if (command === 'submit') {
      const u = decideUrgency(row.intake as Intake, row.assessment_answers as AssessmentAnswers | null);
      businessDays = serviceLevels.businessDays[u.urgency];
      params.push(u.urgency, u.reason);
      sets.push('submitted_at = now()', `urgency = $${params.length - 1}`, `urgency_reason = $${params.length}`);
    }
    await tx.query(`UPDATE cases SET ${sets.join(', ')} WHERE id = $1`, params);
    if (command === 'submit') await pinFees(tx, row.id);
    await stampClock(tx, row.id, to, (readyAt, urgency) => dueDate(serviceLevels, readyAt, urgency));
    if (command === 'assignExpert') await addMember(tx, row.id, input.expertId!, 'expert', actor!.userId);
    await emit(tx, {
      caseId: row.id, actorId: actor?.userId ?? null, type: `case.${command}`, from: row.status, to,
      detail: { ...(input.reason ? { reason: input.reason } : {}), ...(input.expertId ? { expertId: input.expertId } : {}), ...(claims ? { coordinatorId: actor!.userId } : {}), ...(businessDays ? { businessDays } : {}) },
    });
    await recordAudit(tx, { actor, meta, action: `case.${command}`, entityType: 'Case', entityId: row.id, caseId: row.id, detail: { from: row.status, to } });
    // Back from a hold after delivery: the closing job skipped the case while it was held, so the
    // follow-up clock is wound again (the job closes it, or waits for the end of the period).
    if (command === 'resume' && to === 'delivered') await enqueueJob(tx, 'opinion.closeAfterFollowup', { caseId: row.id });
    // Ready for review starts the clock: auto-assignment (for its service lines) and SLA reminders.
    if (command === 'markReadyForReview') {
      await enqueueJob(tx, 'case.autoAssign', { caseId: row.id });
      const [ready] = await tx.query<{ at: Date }>(`SELECT at FROM case_events WHERE case_id = $1 AND to_status = 'ready_for_review' ORDER BY id DESC LIMIT 1`, [row.id]);
      await scheduleSlaReminders(tx, serviceLevels, row.id, row.urgency, new Date(ready!.at));
    }
  }

  const gates = caseGateways(applyTransition);

  return {
    /** Opens a case for work in the caller's transaction; its state changes only through it. */
    ...gates,

    /** Opens a draft; when it starts from a public assessment, the answers are kept and prefill the intake. */
    async createCase(actor: Actor, meta: RequestMeta, fromAssessment?: AssessmentAnswers) {
      if (!roleAllows(actor.role, 'case.create')) throw new AppError('FORBIDDEN', 'Only patients, caregivers and referring physicians open requests.');
      return withCaseTx(db, async (tx) => {
        // Pressing "Start a new request" again reopens the untouched draft instead of piling up new ones.
        const untouched = await untouchedDraft(tx, actor);
        const row = untouched ?? await insertCase(tx, actor.userId);
        if (fromAssessment) {
          const intake = intakeFromAssessment(fromAssessment, assess(fromAssessment));
          await tx.query('UPDATE cases SET assessment_answers = $2, intake = $3 WHERE id = $1', [row.id, JSON.stringify(fromAssessment), JSON.stringify(intake)]);
        }
        if (!untouched) {
          await addMember(tx, row.id, actor.userId, actor.role === 'referring_physician' ? 'referring' : 'patient', actor.userId);
          await emit(tx, { caseId: row.id, actorId: actor.userId, type: 'case.create', to: 'draft', detail: {} });
          await recordAudit(tx, { actor, meta, action: 'case.create', entityType: 'Case', entityId: row.id, caseId: row.id });
        }
        const opened = await openCase(tx, actor, row.id, 'case.read', meta);
        return caseDetail(tx, actor, opened, meta.locale);
      });
    },

    async listCases(actor: Actor, filter: CaseListFilter, meta: RequestMeta) {
      if (!roleAllows(actor.role, 'case.list')) throw new AppError('FORBIDDEN');
      return db.reading(async (tx) => {
        const now = deps.now();
        const { rows, total, estimated, nextCursor } = await queryCases(tx, actor, filter, { now, onTrackFrom: onTrackFrom(serviceLevels, now) }, recentTotals);
        await recordCaseReads(tx, { actor, meta, action: 'case.list', entityType: 'Case' }, rows.map((r) => r.id));
        const unread = await unreadByCase(tx, actor.userId, rows.map((r) => r.id));
        // Only a patient account can be a request's patient; its lists are short.
        const own = actor.role === 'patient' && rows.length ? new Set((await tx.query<{ case_id: string }>(
          `SELECT case_id FROM case_members WHERE user_id = $1 AND relation = 'patient' AND revoked_at IS NULL AND case_id = ANY($2::uuid[])`, [actor.userId, rows.map((r) => r.id)])).map((m) => m.case_id)) : new Set<string>();
        return {
          items: rows.map((r) => ({
            id: r.id, reference: r.reference, status: r.status, urgency: r.urgency,
            patientName: r.given_name ? `${r.given_name} ${r.family_name ?? ''}`.trim() : null,
            condition: r.condition, icd10Code: r.icd10, coordinatorName: r.coordinator_name,
            submittedAt: iso(r.submitted_at), statusChangedAt: iso(r.status_changed_at)!, createdAt: iso(r.created_at)!,
            sla: clockOf(r), unreadMessages: unread.get(r.id) ?? 0, ownRequest: own.has(r.id),
          })),
          total, totalIsEstimate: estimated, nextCursor, page: filter.page, pageSize: filter.pageSize,
        };
      });
    },

    async getCase(actor: Actor, caseId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => caseDetail(tx, actor, await openCase(tx, actor, caseId, 'case.read', meta, { auditAction: 'case.read' }), meta.locale));
    },

    /**
     * The assessment rules run on the case: its intake, the answers carried from the public
     * assessment, and the records on file. Its checklist is what record completeness is judged by.
     */
    async caseAssessment(actor: Actor, caseId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { row } = await openCase(tx, actor, caseId, 'case.read', meta, { auditAction: 'case.assessment.read' });
        return (await caseChecklist(tx, row, meta.locale)).assessment;
      });
    },

    /** Saves one wizard step. Drafts only: once submitted, changes go through the coordinator. */
    async saveIntakeSection(actor: Actor, caseId: string, section: IntakeSectionName, data: unknown, meta: RequestMeta) {
      const parsed = INTAKE_SECTIONS[section].safeParse(data);
      if (!parsed.success) {
        throw new AppError('VALIDATION_FAILED', 'Some answers need attention.', { errors: parsed.error.issues.map((i) => ({ path: `/${[section, ...i.path].join('/')}`, message: i.message })) });
      }
      return withCaseTx(db, async (tx) => {
        const opened = await gates.open(tx, actor, caseId, 'case.intake.write', meta, { forUpdate: true });
        if (!opened.relations.some((r) => r === 'patient' || r === 'proxy' || r === 'referring')) throw new AppError('FORBIDDEN', 'Only the patient’s side can fill in the intake.');
        if (opened.row.status !== 'draft') throw new AppError('CONFLICT', 'The request was already submitted; ask the coordinator to correct the intake.');
        await tx.query(`UPDATE cases SET intake = jsonb_set(intake, $2::text[], $3::jsonb), updated_at = now() WHERE id = $1`, [caseId, [section], JSON.stringify(parsed.data)]);
        if (section === 'patient') {
          const p = parsed.data as import('zod').infer<typeof INTAKE_SECTIONS.patient>;
          await tx.query(`UPDATE patients SET given_name=$2, family_name=$3, birth_date=$4, sex=$5, state=$6, country=$7, preferred_language=$8, phone=$9, email=$10, updated_at=now() WHERE id=$1`,
            [opened.row.patient_id, p.givenName, p.familyName, p.birthDate, p.sex, p.state ?? null, p.country, p.preferredLanguage, p.phone ?? null, p.email ?? null]);
        }
        await opened.emit('intake.save', { section });
        await opened.audit('case.intake.write', { detail: { section } });
        return caseDetail(tx, actor, await openCase(tx, actor, caseId, 'case.read', meta), meta.locale);
      });
    },

    async signConsent(actor: Actor, caseId: string, input: { document: ConsentKind; version: string; typedName: string; language?: Locale }, meta: RequestMeta) {
      const doc = currentDocument(input.document);
      // The text signed is the one read: its hash and language are kept (a missing translation was shown in English).
      const shown = documentIn(doc, input.language ?? 'en');
      const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
      return withCaseTx(db, async (tx) => {
        // Access first: nothing about the request is judged for someone outside the case.
        const opened = await gates.open(tx, actor, caseId, 'case.consent.sign', meta, { forUpdate: true });
        if (input.version !== doc.version) throw new AppError('CONFLICT', 'A newer version of this document is in force. Read it and sign again.', { currentVersion: doc.version });
        if (norm(input.typedName) !== norm(actor.name)) throw new AppError('VALIDATION_FAILED', msg`Type your full name exactly as on your account: ${actor.name}.`, { errors: [{ path: '/typedName', message: 'Does not match the name on your account.' }] });
        const relation = opened.relations.includes('patient') ? 'patient' : opened.relations.includes('proxy') ? 'proxy' : null;
        if (!relation) throw new AppError('FORBIDDEN', 'Only the patient or their caregiver can sign.');
        if (opened.row.status !== 'draft') throw new AppError('CONFLICT', 'Consent is signed before the request is submitted.');
        await tx.query(`INSERT INTO consent_signatures (case_id, document, version, text_sha256, signer_id, signer_relation, typed_name, ip, user_agent, language)
          VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`, [caseId, doc.kind, doc.version, documentHash(shown), actor.userId, relation, input.typedName.trim(), meta.ip, meta.userAgent, shown.language]);
        await opened.emit('consent.sign', { document: doc.kind, version: doc.version, language: shown.language });
        await opened.audit('case.consent.sign', { entityType: 'Consent', detail: { document: doc.kind, version: doc.version, language: shown.language } });
        return caseDetail(tx, actor, await openCase(tx, actor, caseId, 'case.read', meta), meta.locale);
      });
    },

    async transition(actor: Actor, caseId: string, command: CaseCommand, input: { reason?: string; expertId?: string }, meta: RequestMeta) {
      if (!(command in CASE_COMMANDS)) throw new AppError('NOT_FOUND', 'No such command.');
      return withCaseTx(db, async (tx) => {
        const opened = await gates.open(tx, actor, caseId, 'case.transition', meta, { forUpdate: true });
        // Signing issues the report and delivering notifies the patient side: both go through the opinion.
        if ((command === 'signOpinion' || command === 'deliver') && (CASE_COMMANDS[command].from as readonly string[]).includes(opened.row.status)) {
          throw new AppError('GUARD_FAILED', command === 'signOpinion' ? 'Sign your part and issue the report in the Opinion tab.' : 'Deliver the report from the Opinion tab, so the patient side is told.', { unmet: ['Use the Opinion tab.'] });
        }
        await opened.transition(command, input);
        return caseDetail(tx, actor, await openCase(tx, actor, caseId, 'case.read', meta).catch(() => opened), meta.locale);
      });
    },

    async setUrgency(actor: Actor, caseId: string, urgency: 'standard' | 'expedited', reason: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const opened = await gates.open(tx, actor, caseId, 'case.urgency.set', meta, { forUpdate: true });
        if (opened.row.coordinator_id !== actor.userId) throw new AppError('GUARD_FAILED', 'Take the case as its coordinator first.');
        const [changed] = await tx.query<{ ready_at: Date | null }>('UPDATE cases SET urgency = $2, urgency_reason = $3, updated_at = now() WHERE id = $1 RETURNING ready_at', [caseId, urgency, coordinatorUrgencyReason(reason)]);
        // The promise depends on urgency: a running clock gets the new due date.
        if (changed?.ready_at) await setDueDate(tx, caseId, dueDate(serviceLevels, new Date(changed.ready_at), urgency));
        await opened.emit('case.urgency', { from: opened.row.urgency, to: urgency, reason });
        await opened.audit('case.urgency.set', { detail: { urgency } });
        return caseDetail(tx, actor, await openCase(tx, actor, caseId, 'case.read', meta), meta.locale);
      });
    },

    /** Names which assigned expert leads the review (and so issues the report); coordinator only. */
    async setLead(actor: Actor, caseId: string, expertId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const opened = await gates.open(tx, actor, caseId, 'case.experts.match', meta, { forUpdate: true });
        if (opened.row.coordinator_id !== actor.userId) throw new AppError('GUARD_FAILED', 'Take the case as its coordinator first.');
        if (REVIEW_SETTLED_STATES.includes(opened.row.status)) throw new AppError('CONFLICT', 'The report is issued; the lead reviewer can no longer change.');
        const assigned = (await listMembers(tx, caseId)).some((m) => m.relation === 'expert' && m.userId === expertId);
        if (!assigned) throw new AppError('VALIDATION_FAILED', 'Choose one of the experts assigned to this case.', { errors: [{ path: '/expertId', message: 'Not assigned to this case.' }] });
        if (opened.row.lead_expert_id !== expertId) {
          await tx.query('UPDATE cases SET lead_expert_id = $2, updated_at = now() WHERE id = $1', [caseId, expertId]);
          await opened.emit('case.lead', { expertId });
          await opened.audit('case.lead.set');
        }
        return caseDetail(tx, actor, await openCase(tx, actor, caseId, 'case.read', meta), meta.locale);
      });
    },

    async timeline(actor: Actor, caseId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const { relations } = await openCase(tx, actor, caseId, 'case.read', meta, { auditAction: 'case.timeline.read' });
        const rows = await tx.query<{ id: number; at: Date; type: string; from_status: CaseStatus | null; to_status: CaseStatus | null; detail: Record<string, unknown>; actor_id: string | null; actor_name: string | null; actor_role: string | null }>(
          `SELECT e.id, e.at, e.type, e.from_status, e.to_status, e.detail, e.actor_id, u.name AS actor_name, u.role AS actor_role
           FROM case_events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.case_id = $1 ${roleAllows(actor.role, 'case.billing.read') ? '' : `AND e.type NOT LIKE 'invoice.%' AND e.type NOT LIKE 'coverage.%'`} ORDER BY e.id`, [caseId]);
        // A run of one event by one person (an upload of many files, a form saved step by step) is one line.
        const lines: (ReturnType<typeof timelineLine> & { rows: typeof rows })[] = [];
        // A file someone else added reaches the patient's side without its name (a hospital's file
        // name may carry an accession number or a name), as on the Records tab.
        const patientSide = isPatientSide(relations);
        for (const row of rows) {
          const r = patientSide && row.type === 'document.add' && row.actor_id !== actor.userId ? { ...row, detail: { ...row.detail, filename: undefined } } : row;
          const last = lines.at(-1);
          const same = last && !r.to_status && last.type === r.type && last.actorName === r.actor_name && !last.toStatus;
          if (same) last.rows.push(r);
          else lines.push({ ...timelineLine(r), rows: [r] });
        }
        return lines.map(({ rows: run, ...line }) => ({ ...line, count: run.length, at: iso(run.at(-1)!.at)!, label: describeEvent(line, run.length, meta.locale) }));
      });
    },

    /** Who opened or changed the case: the patient's view of the audit trail for their case. */
    async accessLog(actor: Actor, caseId: string, page: { page: number; pageSize: number }, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        await openCase(tx, actor, caseId, 'case.accessLog.read', meta, { auditAction: 'case.accessLog.read' });
        const [count] = await tx.query<{ total: number }>('SELECT count(*)::int AS total FROM audit_events WHERE case_id = $1', [caseId]);
        const rows = await tx.query<{ at: Date; action: string; outcome: string; actor_role: string | null; actor_name: string | null }>(
          `SELECT a.at, a.action, a.outcome, a.actor_role, u.name AS actor_name FROM audit_events a LEFT JOIN users u ON u.id = a.actor_id
           WHERE a.case_id = $1 ORDER BY a.seq DESC LIMIT ${page.pageSize} OFFSET ${(page.page - 1) * page.pageSize}`, [caseId]);
        return { items: rows.map((r) => ({ at: iso(r.at)!, action: r.action, what: describeAction(r.action, meta.locale), outcome: r.outcome, actorRole: r.actor_role, actorName: r.actor_name })), total: count?.total ?? 0, ...page };
      });
    },

    async inviteProxy(actor: Actor, caseId: string, input: { email: string; relationship: string }, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const opened = await gates.open(tx, actor, caseId, 'case.proxy.manage', meta, { forUpdate: true });
        if (!opened.relations.includes('patient')) throw new AppError('FORBIDDEN', 'Only the patient can invite a caregiver.');
        if (input.email.toLowerCase() === actor.email.toLowerCase()) throw new AppError('VALIDATION_FAILED', 'Invite someone other than yourself.');
        const token = newToken();
        await tx.query(`INSERT INTO proxy_invitations (case_id, email, relationship, token_hash, invited_by, expires_at) VALUES ($1,$2,$3,$4,$5, now() + interval '7 days')`,
          [caseId, input.email, input.relationship, hashToken(token), actor.userId]);
        await enqueueMail(tx, { kind: 'proxy_invitation', to: input.email, ...caregiverInvitationMail(meta.locale, actor.name, opened.row.reference, `${config.publicUrl}/invitations/${token}`) });
        await opened.emit('proxy.invite', { relationship: input.relationship });
        await opened.audit('case.proxy.invite');
        return { ok: true as const };
      });
    },

    async revokeProxy(actor: Actor, caseId: string, userId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const opened = await gates.open(tx, actor, caseId, 'case.proxy.manage', meta, { forUpdate: true });
        if (!opened.relations.includes('patient')) throw new AppError('FORBIDDEN', 'Only the patient can remove a caregiver.');
        const rows = await tx.query(`UPDATE case_members SET revoked_at = now() WHERE case_id = $1 AND user_id = $2 AND relation = 'proxy' AND revoked_at IS NULL RETURNING user_id`, [caseId, userId]);
        if (rows.length === 0) throw new AppError('NOT_FOUND', 'This person is not a caregiver on the case.');
        // Removal also cancels any invitation still open for them: it must not bring them back.
        await tx.query(`UPDATE proxy_invitations SET revoked_at = now() WHERE case_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND lower(email) = (SELECT lower(email) FROM users WHERE id = $2)`, [caseId, userId]);
        await opened.emit('proxy.revoke', {});
        await opened.audit('case.proxy.revoke', { detail: { userId } });
        return caseDetail(tx, actor, await openCase(tx, actor, caseId, 'case.read', meta), meta.locale);
      });
    },

    /** The patient's open invitations on a case: to whom, as what, until when. */
    async listInvitations(actor: Actor, caseId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const opened = await openCase(tx, actor, caseId, 'case.proxy.manage', meta, { auditAction: 'case.proxy.invitations.read' });
        if (!opened.relations.includes('patient')) throw new AppError('FORBIDDEN', 'Only the patient sees the invitations.');
        const rows = await tx.query<{ id: string; email: string; relationship: string; created_at: Date; expires_at: Date }>(
          `SELECT id, email, relationship, created_at, expires_at FROM proxy_invitations WHERE case_id = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() ORDER BY created_at DESC`, [caseId]);
        return rows.map((r) => ({ id: r.id, email: r.email, relationship: r.relationship, sentAt: iso(r.created_at)!, expiresAt: iso(r.expires_at)! }));
      });
    },

    /** Withdraws an invitation before it is accepted: its link stops working. */
    async withdrawInvitation(actor: Actor, caseId: string, invitationId: string, meta: RequestMeta) {
      return withCaseTx(db, async (tx) => {
        const opened = await gates.open(tx, actor, caseId, 'case.proxy.manage', meta, { forUpdate: true });
        if (!opened.relations.includes('patient')) throw new AppError('FORBIDDEN', 'Only the patient can withdraw an invitation.');
        const rows = await tx.query(`UPDATE proxy_invitations SET revoked_at = now() WHERE id = $1 AND case_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL RETURNING id`, [invitationId, caseId]);
        if (rows.length === 0) throw new AppError('NOT_FOUND', 'This invitation was accepted or withdrawn already.');
        await opened.emit('proxy.invitation.withdraw', {});
        await opened.audit('case.proxy.invitation.withdraw');
        return { ok: true as const };
      });
    },

    /** What an invitation link shows before accepting: who invites, for which case reference. */
    async invitationInfo(token: string) {
      const [row] = await db.query<{ email: string; relationship: string; inviter: string; reference: string; expired: boolean; used: boolean }>(
        `SELECT i.email, i.relationship, u.name AS inviter, c.reference, (i.expires_at < now()) AS expired, (i.accepted_at IS NOT NULL OR i.revoked_at IS NOT NULL) AS used
         FROM proxy_invitations i JOIN users u ON u.id = i.invited_by JOIN cases c ON c.id = i.case_id WHERE i.token_hash = $1`, [hashToken(token)]);
      if (!row || row.expired || row.used) throw new AppError('NOT_FOUND', 'This invitation is not valid any more. Ask the patient to send a new one.');
      return { email: row.email, relationship: row.relationship, invitedBy: row.inviter, caseReference: row.reference };
    },

    async acceptInvitation(actor: Actor, token: string, meta: RequestMeta) {
      if (actor.role !== 'patient') throw new AppError('FORBIDDEN', 'Sign in with a patient or caregiver account to accept.');
      return withCaseTx(db, async (tx) => {
        const [inv] = await tx.query<{ id: string; case_id: string; email: string; relationship: string; invited_by: string; created_at: Date }>(
          `SELECT id, case_id, email, relationship, invited_by, created_at FROM proxy_invitations WHERE token_hash = $1 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now() FOR UPDATE`, [hashToken(token)]);
        if (!inv) throw new AppError('NOT_FOUND', 'This invitation is not valid any more. Ask the patient to send a new one.');
        // A grant the patient revoked after this invitation was sent stays revoked: only a newer invitation restores it.
        const [revoked] = await tx.query(`SELECT 1 FROM case_members WHERE case_id = $1 AND user_id = $2 AND relation = 'proxy' AND revoked_at IS NOT NULL AND revoked_at >= $3`, [inv.case_id, actor.userId, inv.created_at]);
        if (revoked) throw new AppError('NOT_FOUND', 'This invitation is not valid any more. Ask the patient to send a new one.');
        if (inv.email.toLowerCase() !== actor.email.toLowerCase()) throw new AppError('FORBIDDEN', msg`This invitation was sent to ${inv.email}. Sign in with that address to accept it.`);
        await tx.query('UPDATE proxy_invitations SET accepted_by = $2, accepted_at = now() WHERE id = $1', [inv.id, actor.userId]);
        await addMember(tx, inv.case_id, actor.userId, 'proxy', inv.invited_by, inv.relationship);
        await emit(tx, { caseId: inv.case_id, actorId: actor.userId, type: 'proxy.accept', detail: { relationship: inv.relationship } });
        await recordAudit(tx, { actor, meta, action: 'case.proxy.accept', entityType: 'Case', entityId: inv.case_id, caseId: inv.case_id });
        return { caseId: inv.case_id };
      });
    },
  };
}

export type CasesService = ReturnType<typeof casesService>;
export type { CaseRow, CaseRelation };
