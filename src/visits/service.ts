import { DateTime } from 'luxon';
import { AccessDenied, withCaseTx, type CaseRow } from '../core/access.ts';
import { recordAudit, recordCaseReads } from '../core/audit.ts';
import { calendarInvite, mailAddress } from '../core/calendar.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, notFound } from '../core/errors.ts';
import { asLocale, entryIn, type Locale } from '../core/locale.ts';
import { enqueueMail } from '../core/mail.ts';
import { wordsIn } from '../core/i18n.ts';
import { isPatientSide, PATIENT_SIDE_RELATIONS, type CaseRelation } from '../cases/lifecycle.ts';
import { inCareTeamConversation } from '../cases/careTeam.ts';
import type { CasesService } from '../cases/service.ts';
import type { Intake } from '../cases/intake.ts';
import { enqueueJob } from '../jobs.ts';
import type { ExpertAvailability } from './fhir.ts';
import { removeFromRoom } from './room.ts';
import { bookingRefusal, cancelRefusal, freeSlots, VisitHours, visitTypeById, VISITS } from './rules.ts';

/**
 * Video visits with the expert who writes the opinion: the expert's weekly hours, free slots in
 * the patient's own time zone, booking under the visit rules (stage, licence where the patient
 * is, notice), cancelling under the policy, calendar mail without health data and a reminder the
 * day before, and who may enter the visit's room. The room itself (WebRTC signalling) is in
 * routes.ts over `room.ts`.
 */

export interface VisitRow {
  id: string; case_id: string; expert_id: string; expert_name: string; visit_type: string; starts_at: Date; ends_at: Date;
  status: 'booked' | 'cancelled' | 'ended'; booked_by: string; patient_time_zone: string; interpreter_language: string | null;
  started_at: Date | null; ended_at: Date | null; sequence: number; interpreter_id: string | null; interpreter_name?: string | null;
}

/** The room opens this long before the start and stays open this long after the planned end. */
export const ROOM_OPENS_MINUTES = 15;
export const ROOM_STAYS_MINUTES = 60;
const iso = (d: Date | string) => new Date(d).toISOString();


export function visitView(v: VisitRow, now: Date) {
  const opens = new Date(new Date(v.starts_at).getTime() - ROOM_OPENS_MINUTES * 60_000);
  const closes = new Date(new Date(v.ends_at).getTime() + ROOM_STAYS_MINUTES * 60_000);
  return {
    id: v.id, caseId: v.case_id, type: v.visit_type, typeLabel: visitTypeById(v.visit_type)?.label ?? 'Video visit', expertName: v.expert_name,
    startsAt: iso(v.starts_at), endsAt: iso(v.ends_at), status: v.status, timeZone: v.patient_time_zone, interpreterLanguage: v.interpreter_language,
    interpreterName: v.interpreter_name ?? null,
    roomOpen: v.status === 'booked' && now >= opens && now <= closes, past: now > closes, canCancel: v.status === 'booked' && !cancelRefusal(new Date(v.starts_at), now),
  };
}

/** Who may know a case's visits: its care-team conversation, and the visit's own expert. */
const mayKnowVisits = (actor: Actor, opened: { row: CaseRow; relations: CaseRelation[] }, expertId?: string) => inCareTeamConversation(actor, opened) || actor.userId === expertId;
const refuse = (actor: Actor, meta: RequestMeta, action: string, caseId: string) =>
  new AccessDenied({ actor, meta, action, entityType: 'Appointment', caseId, outcome: 'denied' });

export function visitsService(deps: Deps & { cases: CasesService }) {
  const { db, cases } = deps;
  const SELECT = `SELECT v.*, u.name AS expert_name, i.name AS interpreter_name FROM visits v JOIN users u ON u.id = v.expert_id LEFT JOIN users i ON i.id = v.interpreter_id`;
  /**
   * Whether the interpreter works in the visit's language and has no other visit then. Their row
   * is locked first, so two coordinators cannot book one interpreter for the same hour.
   */
  async function interpreterFree(tx: Queryable, userId: string, v: { id: string; interpreter_language: string | null; starts_at: Date; ends_at: Date }) {
    await tx.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
    return (await tx.query(
      `SELECT 1 FROM users u WHERE u.id = $1 AND u.role = 'interpreter' AND u.disabled_at IS NULL AND $2 = ANY(u.interprets)
         AND NOT EXISTS (SELECT 1 FROM visits o WHERE o.interpreter_id = u.id AND o.id <> $3 AND o.status = 'booked' AND o.starts_at < $5 AND o.ends_at > $4)`,
      [userId, v.interpreter_language, v.id, v.starts_at, v.ends_at])).length > 0;
  }
  /** An interpreter as a mail recipient; they keep no time zone of their own, so the visit's (the patient's) is used. */
  const interpreterOf = async (tx: Queryable, id: string, v: Pick<VisitRow, 'patient_time_zone'>) =>
    (await tx.query<{ name: string; email: string; locale: string | null }>('SELECT name, email, locale FROM users WHERE id = $1', [id])).map((u) => ({ ...u, timeZone: v.patient_time_zone, interpreter: true }))[0] ?? null;

  async function expertOf(tx: Queryable, leadId: string | null) {
    if (!leadId) throw new AppError('GUARD_FAILED', 'No expert leads this review yet.', { unmet: ['A visit can be booked once an expert leads the review.'] });
    const [e] = await tx.query<{ id: string; name: string; email: string; visit_hours: VisitHours | null; licensure: string[] | null }>(
      `SELECT u.id, u.name, u.email, p.visit_hours, p.licensure FROM users u LEFT JOIN expert_profiles p ON p.user_id = u.id WHERE u.id = $1`, [leadId]);
    return e!;
  }
  const patientLocation = (intake: Intake) => {
    const p = intake.patient;
    return p ? (p.country === 'US' && p.state ? `US-${p.state}` : p.country ?? null) : null;
  };
  /** The expert's booked times still to come (but the visit being moved, whose time frees up). */
  async function busy(tx: Queryable, expertId: string, except?: string) {
    return (await tx.query<{ starts_at: Date; ends_at: Date }>(`SELECT starts_at, ends_at FROM visits WHERE expert_id = $1 AND status = 'booked' AND ends_at > now() AND id IS DISTINCT FROM $2::uuid`, [expertId, except ?? null]))
      .map((b) => ({ startsAt: new Date(b.starts_at), endsAt: new Date(b.ends_at) }));
  }

  /**
   * Opens a booked visit to cancel or move it: the patient's side up to the policy's notice, the
   * expert and the case's coordinator at any time. The visit is read again under the case's lock
   * (a cancel, a move or the end may have come first), and that reading is the one to use.
   */
  async function openToChange(tx: Queryable, actor: Actor, meta: RequestMeta, v: VisitRow, action: 'visit.cancel' | 'visit.move') {
    const gate = await cases.open(tx, actor, v.case_id, 'case.read', meta, { forUpdate: true });
    const staff = actor.userId === v.expert_id || gate.row.coordinator_id === actor.userId;
    if (!staff && !isPatientSide(gate.relations)) throw refuse(actor, meta, action, v.case_id);
    const [visit] = await tx.query<VisitRow>(`${SELECT} WHERE v.id = $1 FOR UPDATE OF v`, [v.id]);
    if (visit?.status !== 'booked') throw new AppError('CONFLICT', 'This visit is not booked any more.');
    const late = cancelRefusal(new Date(visit.starts_at), deps.now());
    if (late && !staff) throw new AppError('GUARD_FAILED', late, { unmet: [late] });
    return { gate, visit };
  }

  /** The calendar mail of a visit to one person: when, with whom, where to join; no health data. */
  async function mailVisit(tx: Queryable, v: VisitRow, to: { name: string; email: string; timeZone: string; expert?: boolean; interpreter?: boolean; locale?: string | null }, method: 'REQUEST' | 'CANCEL', moved = false) {
    const link = `${deps.config.publicUrl}/visits/${v.id}`;
    const change = method === 'CANCEL' ? 'cancelled' : moved ? 'moved' : 'booked';
    // Each person reads it in their account's language (an invited caregiver's page language).
    const t = wordsIn(to.locale);
    const when = DateTime.fromJSDate(new Date(v.starts_at), { zone: to.timeZone }).setLocale(t('mails:visit.locale')).toFormat(t('mails:visit.dateFormat'));
    const reference = to.expert ? await referenceOf(tx, v.case_id) : '';
    const who = to.interpreter ? 'interpreter' : to.expert ? 'expert' : 'patient';
    const values = { when, expert: v.expert_name, reference };
    await enqueueMail(tx, {
      kind: change === 'cancelled' ? 'visit.cancel' : change === 'moved' ? 'visit.move' : 'visit.book', to: to.email,
      subject: t(`mails:visit.subject.${change}`, values),
      text: [t('mails:hello', { name: to.name }), '', t(`mails:visit.${who}.${change}`, values),
        ...(change === 'cancelled' ? [] : ['', t('mails:visit.join', { minutes: ROOM_OPENS_MINUTES }), link, '', t('mails:visit.noApp')]),
        '', t('mails:privacy')].join('\n'),
      attachments: [{
        filename: 'video-visit.ics', contentType: `text/calendar; method=${method}`,
        content: calendarInvite({
          // Each move raises the sequence; a cancellation outranks every version before it.
          uid: `visit-${v.id}@consilium`, method, sequence: change === 'cancelled' ? v.sequence + 1 : v.sequence, startsAt: v.starts_at, endsAt: v.ends_at,
          title: t(`mails:visit.calendar.${who}`, values), description: t('mails:visit.calendar.join', { link }), url: link,
          organizer: { name: 'Consilium', email: mailAddress(deps.config.mailFrom) }, attendee: to,
        }),
      }],
    });
  }
  const referenceOf = async (tx: Queryable, caseId: string) => (await tx.query<{ reference: string }>('SELECT reference FROM cases WHERE id = $1', [caseId]))[0]?.reference ?? '';
  async function people(tx: Queryable, v: VisitRow) {
    const patientSide = await tx.query<{ name: string; email: string; locale: string | null }>(
      `SELECT DISTINCT u.name, u.email, u.locale FROM case_members m JOIN users u ON u.id = m.user_id WHERE m.case_id = $1 AND m.revoked_at IS NULL AND m.relation = ANY($2::text[]) AND u.disabled_at IS NULL`,
      [v.case_id, PATIENT_SIDE_RELATIONS]);
    const [expert] = await tx.query<{ name: string; email: string; locale: string | null; visit_hours: VisitHours | null }>(
      'SELECT u.name, u.email, u.locale, p.visit_hours FROM users u LEFT JOIN expert_profiles p ON p.user_id = u.id WHERE u.id = $1', [v.expert_id]);
    const interpreter = v.interpreter_id ? await interpreterOf(tx, v.interpreter_id, v) : null;
    return [
      ...patientSide.map((p) => ({ ...p, timeZone: v.patient_time_zone })),
      { name: expert!.name, email: expert!.email, locale: expert!.locale, timeZone: expert!.visit_hours?.timeZone ?? v.patient_time_zone, expert: true },
      ...(interpreter ? [interpreter] : []),
    ];
  }

  return {
    /** The expert's own weekly hours for video visits. */
    async hours(actor: Actor) {
      const [r] = await db.query<{ visit_hours: VisitHours | null }>('SELECT visit_hours FROM expert_profiles WHERE user_id = $1', [actor.userId]);
      return r?.visit_hours ?? { timeZone: 'UTC', weekly: [], daysOff: [] };
    },
    async saveHours(actor: Actor, meta: RequestMeta, hours: VisitHours) {
      return db.transaction(async (tx) => {
        const rows = await tx.query('UPDATE expert_profiles SET visit_hours = $2, updated_at = now() WHERE user_id = $1 RETURNING user_id', [actor.userId, JSON.stringify(hours)]);
        if (!rows.length) throw new AppError('GUARD_FAILED', 'Fill in your directory profile first.', { unmet: ['Save your directory profile, then your visit hours.'] });
        await recordAudit(tx, { actor, meta, action: 'expert.visitHours.save', entityType: 'ExpertProfile', entityId: actor.userId });
        return hours;
      });
    },

    /** The visits of a case, and what the caller may book on it now (each type with why not). */
    async list(actor: Actor, meta: RequestMeta, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const opened = await cases.open(tx, actor, caseId, 'case.read', meta);
        if (!mayKnowVisits(actor, opened)) throw refuse(actor, meta, 'visit.list', caseId);
        await opened.audit('visit.list', { entityType: 'Appointment' });
        const { row, relations } = opened;
        const visits = await tx.query<VisitRow>(`${SELECT} WHERE v.case_id = $1 ORDER BY v.starts_at DESC`, [caseId]);
        const patientSide = isPatientSide(relations);
        const expert = row.lead_expert_id ? await expertOf(tx, row.lead_expert_id) : null;
        const discussed = (await tx.query(`SELECT 1 FROM board_minutes WHERE case_id = $1 AND confirmed_at IS NOT NULL`, [caseId])).length > 0;
        const types = VISITS.types.map((t) => {
          const locale = meta.locale ?? 'en';
          const w = wordsIn(locale);
          const why = expert ? bookingRefusal({ type: t, caseStatus: row.status, boardDiscussed: discussed, patientLocation: patientLocation(row.intake as Intake), expertLicensure: expert.licensure ?? [], expertName: expert.name }, locale) : [w('visits:booking.noLead')];
          if (expert && !expert.visit_hours?.weekly.length) why.push(w('visits:booking.noHours', { expert: expert.name }));
          if (visits.some((v) => v.visit_type === t.id && v.status === 'booked' && new Date(v.ends_at) > deps.now())) why.push(w('visits:booking.alreadyBooked'));
          return { id: t.id, label: entryIn(t, meta.locale ?? 'en').label, minutes: t.minutes, bookable: patientSide && why.length === 0, why };
        });
        return { visits: visits.map((v) => visitView(v, deps.now())), types: patientSide ? types : [], expertName: expert?.name ?? null, cancellationHours: VISITS.cancellation.minHoursBefore };
      });
    },

    /** Free slots of the lead expert for a visit type, from now for `days` days. */
    async slots(actor: Actor, meta: RequestMeta, caseId: string, typeId: string, days: number) {
      return withCaseTx(db, async (tx) => {
        const opened = await cases.open(tx, actor, caseId, 'case.read', meta);
        if (!mayKnowVisits(actor, opened)) throw refuse(actor, meta, 'visit.slots.read', caseId);
        await opened.audit('visit.slots.read', { entityType: 'Appointment' });
        const { row } = opened;
        const type = visitTypeById(typeId);
        if (!type) throw new AppError('VALIDATION_FAILED', 'Unknown visit type.', { errors: [{ path: '/type', message: 'is not a visit type' }] });
        const expert = await expertOf(tx, row.lead_expert_id);
        if (!expert.visit_hours) return { expertName: expert.name, slots: [] };
        const now = deps.now();
        const slots = freeSlots(expert.visit_hours, type.minutes, await busy(tx, expert.id), { from: now, to: new Date(now.getTime() + days * 86_400_000) }, now);
        return { expertName: expert.name, slots: slots.map(iso) };
      });
    },

    /** The patient's side books a free slot: checked against the rules again, and against a visit booked meanwhile. */
    async book(actor: Actor, meta: RequestMeta, caseId: string, input: { type: string; startsAt: string; timeZone: string; interpreterLanguage?: string }) {
      return withCaseTx(db, async (tx) => {
        const gate = await cases.open(tx, actor, caseId, 'case.read', meta, { forUpdate: true });
        if (!isPatientSide(gate.relations)) throw new AppError('FORBIDDEN', 'The patient, a caregiver or the referring physician books visits.');
        if (!DateTime.local().setZone(input.timeZone).isValid) throw new AppError('VALIDATION_FAILED', `Unknown time zone “${input.timeZone}”.`, { errors: [{ path: '/timeZone', message: 'is not valid' }] });
        const type = visitTypeById(input.type)!;
        const expert = await expertOf(tx, gate.row.lead_expert_id);
        // One booking at a time per expert: the row lock keeps two patients from taking one slot.
        await tx.query('SELECT 1 FROM expert_profiles WHERE user_id = $1 FOR UPDATE', [expert.id]);
        const discussed = (await tx.query(`SELECT 1 FROM board_minutes WHERE case_id = $1 AND confirmed_at IS NOT NULL`, [caseId])).length > 0;
        const refused = bookingRefusal({ type, caseStatus: gate.row.status, boardDiscussed: discussed, patientLocation: patientLocation(gate.row.intake as Intake), expertLicensure: expert.licensure ?? [], expertName: expert.name }, meta.locale ?? 'en');
        if (refused.length) throw new AppError('GUARD_FAILED', refused[0]!, { unmet: refused });
        const open = await tx.query(`SELECT 1 FROM visits WHERE case_id = $1 AND visit_type = $2 AND status = 'booked' AND ends_at > now()`, [caseId, type.id]);
        if (open.length) throw new AppError('GUARD_FAILED', 'A visit of this kind is already booked. Move it or cancel it to choose another time.', { unmet: ['A visit of this kind is already booked. Move it or cancel it to choose another time.'] });
        const startsAt = new Date(input.startsAt);
        const free = expert.visit_hours ? freeSlots(expert.visit_hours, type.minutes, await busy(tx, expert.id), { from: startsAt, to: new Date(startsAt.getTime() + 60_000) }, deps.now()) : [];
        if (!free.some((s) => s.getTime() === startsAt.getTime())) throw new AppError('CONFLICT', 'This time is no longer free. Please choose another.');
        const [v] = await tx.query<VisitRow>(
          `INSERT INTO visits (case_id, expert_id, visit_type, starts_at, ends_at, booked_by, patient_time_zone, interpreter_language)
           VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING *, (SELECT name FROM users WHERE id = $2) AS expert_name`,
          [caseId, expert.id, type.id, startsAt, new Date(startsAt.getTime() + type.minutes * 60_000), actor.userId, input.timeZone, input.interpreterLanguage ?? null]);
        for (const person of await people(tx, v!)) await mailVisit(tx, v!, person, 'REQUEST');
        const remindAt = new Date(startsAt.getTime() - 24 * 3_600_000);
        if (remindAt > deps.now()) await enqueueJob(tx, 'visit.remind', { visitId: v!.id, startsAt: iso(startsAt) }, remindAt);
        await gate.emit('visit.book', { visitId: v!.id, startsAt: iso(startsAt), visitType: type.id });
        await gate.audit('visit.book', { entityType: 'Appointment', entityId: v!.id });
        return visitView(v!, deps.now());
      });
    },

    /** The patient's side cancels under the policy's notice; the expert and the case's coordinator at any time. */
    async cancel(actor: Actor, meta: RequestMeta, visitId: string, reason: string | undefined) {
      const v = await this.find(visitId);
      return withCaseTx(db, async (tx) => {
        const { gate, visit } = await openToChange(tx, actor, meta, v, 'visit.cancel');
        await tx.query(`UPDATE visits SET status = 'cancelled', cancelled_by = $2, cancelled_at = now(), cancel_reason = $3 WHERE id = $1 AND status = 'booked'`, [visitId, actor.userId, reason ?? null]);
        await removeFromRoom(tx, visitId, null);
        for (const person of await people(tx, visit)) await mailVisit(tx, visit, person, 'CANCEL');
        await gate.emit('visit.cancel', { visitId });
        await gate.audit('visit.cancel', { entityType: 'Appointment', entityId: visitId });
      });
    },

    /**
     * Moves a booked visit to another free time of the same expert, in one step: the same rules
     * of notice as cancelling (the patient's side not within the policy's hours; the expert and
     * coordinator at any time), the calendar entry updated in place, the reminder with it.
     */
    async move(actor: Actor, meta: RequestMeta, visitId: string, startsAtText: string) {
      const v = await this.find(visitId);
      return withCaseTx(db, async (tx) => {
        const { gate } = await openToChange(tx, actor, meta, v, 'visit.move');
        const type = visitTypeById(v.visit_type)!;
        const expert = await expertOf(tx, v.expert_id);
        await tx.query('SELECT 1 FROM expert_profiles WHERE user_id = $1 FOR UPDATE', [expert.id]);
        const startsAt = new Date(startsAtText);
        const free = expert.visit_hours ? freeSlots(expert.visit_hours, type.minutes, await busy(tx, expert.id, visitId), { from: startsAt, to: new Date(startsAt.getTime() + 60_000) }, deps.now()) : [];
        if (!free.some((s) => s.getTime() === startsAt.getTime())) throw new AppError('CONFLICT', 'This time is no longer free. Please choose another.');
        const RETURNING = `RETURNING *, (SELECT name FROM users WHERE id = expert_id) AS expert_name, (SELECT name FROM users WHERE id = interpreter_id) AS interpreter_name`;
        let [moved] = await tx.query<VisitRow>(`UPDATE visits SET starts_at = $2, ends_at = $3, sequence = sequence + 1 WHERE id = $1 ${RETURNING}`,
          [visitId, startsAt, new Date(startsAt.getTime() + type.minutes * 60_000)]);
        // An interpreter busy at the new time comes off the visit (told by a cancellation); the coordinator books another.
        if (moved!.interpreter_id && !(await interpreterFree(tx, moved!.interpreter_id, moved!))) {
          const gone = await interpreterOf(tx, moved!.interpreter_id, moved!);
          if (gone) await mailVisit(tx, moved!, gone, 'CANCEL');
          await removeFromRoom(tx, visitId, moved!.interpreter_id);
          [moved] = await tx.query<VisitRow>(`UPDATE visits SET interpreter_id = NULL, sequence = sequence + 2 WHERE id = $1 ${RETURNING}`, [visitId]);
          await gate.emit('visit.interpreter', { visitId, booked: false });
        }
        for (const person of await people(tx, moved!)) await mailVisit(tx, moved!, person, 'REQUEST', true);
        const remindAt = new Date(startsAt.getTime() - 24 * 3_600_000);
        if (remindAt > deps.now()) await enqueueJob(tx, 'visit.remind', { visitId, startsAt: iso(startsAt) }, remindAt);
        await gate.emit('visit.move', { visitId, startsAt: iso(startsAt) });
        await gate.audit('visit.move', { entityType: 'Appointment', entityId: visitId });
        return visitView(moved!, deps.now());
      });
    },

    /**
     * Interpreters who work in the visit's language and are free at its time, for the case's
     * coordinator to book one (directory data only: names and languages).
     */
    async interpreters(actor: Actor, meta: RequestMeta, visitId: string) {
      const v = await this.find(visitId);
      return withCaseTx(db, async (tx) => {
        const gate = await cases.open(tx, actor, v.case_id, 'case.read', meta);
        if (gate.row.coordinator_id !== actor.userId) throw refuse(actor, meta, 'visit.interpreters.list', v.case_id);
        await gate.audit('visit.interpreters.list', { entityType: 'Appointment', entityId: visitId });
        if (!v.interpreter_language) return [];
        const rows = await tx.query<{ id: string; name: string; interprets: string[] }>(
          `SELECT u.id, u.name, u.interprets FROM users u WHERE u.role = 'interpreter' AND u.disabled_at IS NULL AND $1 = ANY(u.interprets)
             AND NOT EXISTS (SELECT 1 FROM visits o WHERE o.interpreter_id = u.id AND o.id <> $2 AND o.status = 'booked' AND o.starts_at < $4 AND o.ends_at > $3)
           ORDER BY u.name LIMIT 50`, [v.interpreter_language, v.id, v.starts_at, v.ends_at]);
        return rows.map((r) => ({ id: r.id, name: r.name, interprets: r.interprets }));
      });
    },

    /**
     * The case's coordinator books an interpreter into a visit (or takes them off it): the
     * interpreter gets the calendar invitation, and may enter that visit's room, nothing more.
     */
    async setInterpreter(actor: Actor, meta: RequestMeta, visitId: string, userId: string | null) {
      const v = await this.find(visitId);
      return withCaseTx(db, async (tx) => {
        const gate = await cases.open(tx, actor, v.case_id, 'case.read', meta, { forUpdate: true });
        if (gate.row.coordinator_id !== actor.userId) throw refuse(actor, meta, 'visit.interpreter.set', v.case_id);
        const [now] = await tx.query<VisitRow>(`${SELECT} WHERE v.id = $1 FOR UPDATE OF v`, [visitId]);
        if (now!.status !== 'booked' || new Date(now!.ends_at) <= deps.now()) throw new AppError('CONFLICT', 'This visit is not booked any more.');
        if (userId && !(await interpreterFree(tx, userId, now!))) throw new AppError('GUARD_FAILED', 'This interpreter cannot take this visit.', { unmet: ['Choose an interpreter who works in the language asked for and is free at that time.'] });
        if (now!.interpreter_id === userId) return visitView(now!, deps.now());
        const before = now!.interpreter_id ? await interpreterOf(tx, now!.interpreter_id, now!) : null;
        // A cancellation outranks the invitation before it; a later invitation (the same person again, perhaps) outranks it in turn.
        if (before) {
          await mailVisit(tx, now!, before, 'CANCEL');
          await removeFromRoom(tx, visitId, now!.interpreter_id);
        }
        const [after] = await tx.query<VisitRow>(
          `UPDATE visits SET interpreter_id = $2, sequence = sequence + $3 WHERE id = $1 RETURNING *, (SELECT name FROM users WHERE id = expert_id) AS expert_name, (SELECT name FROM users WHERE id = $2) AS interpreter_name`,
          [visitId, userId, before ? 2 : 0]);
        const interpreter = userId ? await interpreterOf(tx, userId, after!) : null;
        if (interpreter) await mailVisit(tx, after!, interpreter, 'REQUEST');
        await gate.emit('visit.interpreter', { visitId, booked: !!userId });
        await gate.audit('visit.interpreter.set', { entityType: 'Appointment', entityId: visitId, ...(userId ? { detail: { userId } } : {}) });
        return visitView(after!, deps.now());
      });
    },

    /**
     * The visits one takes part in as expert or interpreter, from today: for the interpreter's
     * home page (what, when, with whom; no case records).
     */
    async mine(actor: Actor, meta: RequestMeta) {
      const rows = await db.query<VisitRow>(
        `${SELECT} WHERE (v.interpreter_id = $1 OR v.expert_id = $1) AND v.status <> 'cancelled' AND v.ends_at > now() - interval '1 day' ORDER BY v.starts_at LIMIT 100`, [actor.userId]);
      await db.transaction((tx) => recordCaseReads(tx, { actor, meta, action: 'visit.list', entityType: 'Appointment' }, [...new Set(rows.map((r) => r.case_id))]));
      return rows.map((v) => visitView(v, deps.now()));
    },

    /** A day before: a reminder by mail (no health data), unless the visit was cancelled or moved. */
    async remind(visitId: string, startsAt: string) {
      await db.transaction(async (tx) => {
        const [v] = await tx.query<VisitRow>(`${SELECT} WHERE v.id = $1`, [visitId]);
        if (!v || v.status !== 'booked' || iso(v.starts_at) !== startsAt || new Date(v.starts_at) <= deps.now()) return;
        for (const person of await people(tx, v)) await mailVisit(tx, v, person, 'REQUEST');
      });
    },

    async find(visitId: string): Promise<VisitRow> {
      const [v] = /^[0-9a-f-]{36}$/i.test(visitId) ? await db.query<VisitRow>(`${SELECT} WHERE v.id = $1`, [visitId]) : [];
      if (!v) throw notFound('This visit');
      return v;
    },

    /**
     * Who may enter a visit's room: the visit's expert, and the patient's side of its case; a
     * stranger is told it does not exist (the check is the case's own, and audited).
     */
    async enter(actor: Actor, meta: RequestMeta, visitId: string, opts: { action: 'visit.read' | 'visit.room.enter' }) {
      const v = await this.find(visitId);
      // The interpreter booked into the visit comes in by the visit, not by the case, whose records stay closed to them.
      if (v.interpreter_id === actor.userId && actor.role === 'interpreter') {
        await db.transaction((tx) => recordAudit(tx, { actor, meta, action: opts.action, entityType: 'Appointment', entityId: visitId, caseId: v.case_id }));
        return { visit: visitView(v, deps.now()), expert: false, caseId: v.case_id };
      }
      return withCaseTx(db, async (tx) => {
        const expert = actor.userId === v.expert_id;
        const gate = await cases.open(tx, actor, v.case_id, 'case.read', meta);
        if (!expert && !isPatientSide(gate.relations)) throw refuse(actor, meta, opts.action, v.case_id);
        await gate.audit(opts.action, { entityType: 'Appointment', entityId: visitId });
        return { visit: visitView(v, deps.now()), expert, caseId: v.case_id };
      });
    },

    /** Whether someone in the room still may be (a caregiver removed meanwhile may not). */
    async stillAllowed(visitId: string, userId: string): Promise<boolean> {
      const [v] = await db.query<{ case_id: string; expert_id: string; interpreter_id: string | null; status: string }>('SELECT case_id, expert_id, interpreter_id, status FROM visits WHERE id = $1', [visitId]);
      if (!v || v.status !== 'booked') return false;
      if (v.expert_id === userId || v.interpreter_id === userId) return true;
      const rows = await db.query(`SELECT 1 FROM case_members WHERE case_id = $1 AND user_id = $2 AND revoked_at IS NULL AND relation = ANY($3::text[])`, [v.case_id, userId, PATIENT_SIDE_RELATIONS]);
      return rows.length > 0;
    },

    /** The expert ends the visit: it is done, on the timeline. */
    async end(actor: Actor, meta: RequestMeta, visitId: string) {
      const v = await this.find(visitId);
      if (actor.userId !== v.expert_id) throw new AppError('FORBIDDEN', 'The expert ends the visit.');
      return withCaseTx(db, async (tx) => {
        const gate = await cases.open(tx, actor, v.case_id, 'case.read', meta, { forUpdate: true });
        const rows = await tx.query(`UPDATE visits SET status = 'ended', ended_at = now() WHERE id = $1 AND status = 'booked' RETURNING id`, [visitId]);
        if (!rows.length) return;
        await gate.emit('visit.end', { visitId });
        await gate.audit('visit.end', { entityType: 'Appointment', entityId: visitId });
      });
    },

    /** An expert's hours and booked times, for the FHIR Schedule and Slot (directory readers only, by route). */
    async availability(expertIds: string[] | null): Promise<ExpertAvailability[]> {
      const rows = await db.query<{ id: string; name: string; visit_hours: VisitHours | null }>(
        `SELECT u.id, u.name, p.visit_hours FROM users u JOIN expert_profiles p ON p.user_id = u.id
         WHERE u.role = 'expert' AND u.disabled_at IS NULL AND ($1::uuid[] IS NULL AND p.visit_hours IS NOT NULL OR u.id = ANY($1::uuid[])) ORDER BY u.name LIMIT 100`,
        [expertIds?.filter((id) => /^[0-9a-f-]{36}$/i.test(id)) ?? null]);
      return Promise.all(rows.map(async (r) => ({ id: r.id, name: r.name, hours: r.visit_hours, busy: await busy(db, r.id) })));
    },

    /** FHIR: the visits of cases the caller holds, as Appointments (the case check applies to each). */
    async forFhir(actor: Actor, meta: RequestMeta, visitId: string) {
      const v = await this.find(visitId);
      return withCaseTx(db, async (tx) => {
        const opened = await cases.open(tx, actor, v.case_id, 'case.read', meta);
        if (!mayKnowVisits(actor, opened, v.expert_id)) throw refuse(actor, meta, 'fhir.Appointment.read', v.case_id);
        await opened.audit('fhir.Appointment.read', { entityType: 'Appointment', entityId: visitId });
        const { row } = opened;
        return { visit: v, patientId: row.patient_id };
      });
    },
  };
}

export type VisitsService = ReturnType<typeof visitsService>;
