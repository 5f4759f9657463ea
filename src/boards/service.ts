import { DateTime } from 'luxon';
import { KNOWLEDGE } from '../assessment/knowledge.ts';
import { matchCondition } from '../assessment/conditionMatch.ts';
import { caseAccessChanged, withCaseTx, type CaseRow } from '../core/access.ts';
import { recordAudit, recordCaseReads } from '../core/audit.ts';
import type { Actor, RequestMeta } from '../core/context.ts';
import type { Queryable } from '../core/db.ts';
import type { Deps } from '../core/deps.ts';
import { AppError, notFound } from '../core/errors.ts';
import { enqueueMail } from '../core/mail.ts';
import { wordsIn } from '../core/i18n.ts';
import { asLocale, type Locale } from '../core/locale.ts';
import { enqueueJob } from '../jobs.ts';
import { addMember } from '../cases/repository.ts';
import type { CaseGateway } from '../cases/gateway.ts';
import { DELIVERED_STATES, isPatientSide } from '../cases/lifecycle.ts';
import type { CasesService } from '../cases/service.ts';
import { PRIORITIES, type Intake } from '../cases/intake.ts';
import { disagreements } from '../opinions/service.ts';
import type { OpinionContent, OpinionDraft } from '../opinions/schemas.ts';
import { calendarInvite, mailAddress } from '../core/calendar.ts';
import { boardRecommendations, boardLabel as labelOf } from './recommendations.ts';
import { announceBoard } from './live.ts';
import { boardLabelIn, boardTypeById, firedIn, proposeBoard, quorum, seatIn, seatsFor, type FiredRule } from './rules.ts';
import { knowledgeIn } from '../assessment/localized.ts';
import { minutesGaps, type MinutesDraft, type PresentationState, type SessionChange, type SessionInput } from './schemas.ts';

/**
 * Multidisciplinary boards: which cases are proposed (rules as data, confirmed by the case's
 * coordinator), sessions a chair schedules with an agenda and invited members, the shared
 * presentation, and minutes that become a section of the opinion. A member sees a case only
 * while it is on the agenda of a session they are invited to, and only until that session ends:
 * their grant on the case expires by itself (see `core/access.ts`).
 */

interface SessionRow {
  id: string; board_type: string; title: string; starts_at: Date; ends_at: Date; time_zone: string; chair_id: string; chair_name: string;
  series_id: string | null; sequence: number; agenda_changed_at: Date | null;
  status: 'scheduled' | 'cancelled'; presentation: PresentationState | null; presentation_seq: string | number; presenter_id: string | null;
}
interface ProposalRow {
  case_id: string; board_type: string; reasons: FiredRule[]; status: 'requested' | 'confirmed' | 'declined' | 'discussed';
  request_note: string | null; decline_reason: string | null; confirmed_at: Date | null; requested_by: string | null;
}
interface MinutesRow { session_id: string; case_id: string; content: MinutesDraft; attendees: { userId: string; name: string; seat: string | null }[] | null; confirmed_at: Date | null; updated_at: Date }

const iso = (d: Date | string) => new Date(d).toISOString();
const STEP: Record<NonNullable<SessionInput['repeat']>['every'], { weeks: number }> = { week: { weeks: 1 }, two_weeks: { weeks: 2 }, four_weeks: { weeks: 4 } };
/** A chair gets to see a case once the coordinator confirmed it for a board. */
const CHAIR_POOL = ['confirmed'];

export function boardsService(deps: Deps & { cases: CasesService }) {
  const { db, cases } = deps;
  const publicUrl = () => deps.config.publicUrl;

  async function loadSession(tx: Queryable, id: string, forUpdate = false): Promise<SessionRow> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw notFound('This board session');
    const [row] = await tx.query<SessionRow>(
      `SELECT s.*, u.name AS chair_name FROM board_sessions s JOIN users u ON u.id = s.chair_id WHERE s.id = $1${forUpdate ? ' FOR UPDATE OF s' : ''}`, [id]);
    if (!row) throw notFound('This board session');
    return row;
  }
  async function isMember(tx: Queryable, sessionId: string, userId: string) {
    return (await tx.query('SELECT 1 FROM board_members WHERE session_id = $1 AND user_id = $2 AND removed_at IS NULL', [sessionId, userId])).length > 0;
  }
  /** The chair of the session, or an invited member: anyone else is told it does not exist. */
  async function openSession(tx: Queryable, actor: Actor, id: string, opts: { chair?: boolean; forUpdate?: boolean } = {}) {
    const s = await loadSession(tx, id, opts.forUpdate);
    const chair = s.chair_id === actor.userId;
    const member = chair || await isMember(tx, id, actor.userId);
    if (!member) throw notFound('This board session');
    // A member's seat, like their grant on its cases, ends with the session; the chair keeps the record.
    if (!chair && (s.status !== 'scheduled' || new Date(s.ends_at) <= deps.now())) throw new AppError('NOT_FOUND', 'This session has ended: its cases are no longer open to its members.');
    if (opts.chair && !chair) throw new AppError('FORBIDDEN', 'Only the chair of this session can do this.');
    return { s, chair, member };
  }
  const mustBeScheduled = (s: SessionRow) => {
    if (s.status !== 'scheduled') throw new AppError('CONFLICT', 'This session was cancelled.');
    if (new Date(s.ends_at) <= deps.now()) throw new AppError('CONFLICT', 'This session has ended.');
  };

  /** The facts the proposal rules look at, from the intake, the signed reviewer parts and any request. */
  async function proposalFacts(tx: Queryable, row: CaseRow, proposal: ProposalRow | undefined) {
    const intake = row.intake as Intake;
    const m = matchCondition(KNOWLEDGE, { code: intake.condition?.icd10Code, text: intake.condition?.description } as never);
    const signed = await tx.query<{ name: string; content: OpinionContent }>(
      `SELECT u.name, p.content FROM opinion_parts p JOIN users u ON u.id = p.author_id WHERE p.case_id = $1 AND p.status = 'signed' ORDER BY p.signed_at`, [row.id]);
    const requester = proposal?.requested_by ? (await tx.query<{ name: string }>('SELECT name FROM users WHERE id = $1', [proposal.requested_by]))[0]?.name : null;
    return proposeBoard({
      condition: m.condition ? { label: m.condition.label, kind: m.condition.kind, rareOrComplex: m.condition.rareOrComplex, tags: m.condition.tags } : null,
      disagreements: disagreements(signed.map((p) => ({ authorName: p.name, content: p.content }))),
      treatmentTexts: [intake.plan?.proposedPlan ?? '', intake.plan?.surgeryDescription ?? '', ...(intake.treatment?.treatments ?? []).map((t) => t.description),
        ...signed.flatMap((p) => p.content.treatment?.options?.map((o) => o.option) ?? [])],
      surgeryProposed: intake.plan?.surgeryProposed ?? false,
      request: proposal?.request_note ? { by: requester ?? 'a member of the care team', note: proposal.request_note } : null,
    });
  }

  async function proposalOf(tx: Queryable, caseId: string) {
    return (await tx.query<ProposalRow>('SELECT * FROM board_proposals WHERE case_id = $1', [caseId]))[0];
  }

  /** The case's coordinator deciding on a board, until the board has discussed the case. */
  async function openToDecide(tx: Queryable, actor: Actor, meta: RequestMeta, caseId: string) {
    const gate = await cases.open(tx, actor, caseId, 'case.board.confirm', meta, { forUpdate: true });
    if (gate.row.coordinator_id !== actor.userId) throw new AppError('GUARD_FAILED', 'Take the case as its coordinator first.', { unmet: ['Take the case as its coordinator first.'] });
    const proposal = await proposalOf(tx, caseId);
    if (proposal?.status === 'discussed') throw new AppError('CONFLICT', 'The board has discussed this case already.');
    return { gate, proposal };
  }

  /** Grants every current member of the session on every case of its agenda, until the session ends. */
  async function grantMembers(tx: Queryable, s: SessionRow, by: string, only?: { caseId?: string; userId?: string }) {
    await tx.query(
      `INSERT INTO case_members (case_id, user_id, relation, added_by, expires_at)
       SELECT a.case_id, m.user_id, 'board_member', $2, $3 FROM board_agenda a JOIN board_members m ON m.session_id = a.session_id AND m.removed_at IS NULL
       WHERE a.session_id = $1 AND ($4::uuid IS NULL OR a.case_id = $4) AND ($5::uuid IS NULL OR m.user_id = $5)
       ON CONFLICT (case_id, user_id, relation) DO UPDATE
         SET revoked_at = NULL, added_by = $2, expires_at = CASE WHEN case_members.revoked_at IS NULL AND case_members.expires_at > EXCLUDED.expires_at THEN case_members.expires_at ELSE EXCLUDED.expires_at END`,
      [s.id, by, s.ends_at, only?.caseId ?? null, only?.userId ?? null]);
  }
  /** Ends the grants that no other scheduled session (with that case and member) still gives. */
  async function revokeMembers(tx: Queryable, sessionId: string, pairs: { caseId?: string; userId?: string }) {
    caseAccessChanged(tx, pairs.caseId);
    await tx.query(
      `UPDATE case_members cm SET revoked_at = now() WHERE cm.relation = 'board_member' AND cm.revoked_at IS NULL
         AND ($2::uuid IS NULL OR cm.case_id = $2) AND ($3::uuid IS NULL OR cm.user_id = $3)
         AND cm.case_id IN (SELECT case_id FROM board_agenda WHERE session_id = $1)
         AND cm.user_id IN (SELECT user_id FROM board_members WHERE session_id = $1)
         AND NOT EXISTS (SELECT 1 FROM board_agenda a JOIN board_members m ON m.session_id = a.session_id AND m.removed_at IS NULL
                         JOIN board_sessions s ON s.id = a.session_id AND s.status = 'scheduled' AND s.ends_at > now()
                         WHERE a.session_id <> $1 AND a.case_id = cm.case_id AND m.user_id = cm.user_id)`,
      [sessionId, pairs.caseId ?? null, pairs.userId ?? null]);
    // Grants another session still gives now end with the last of those sessions, not this one.
    await tx.query(
      `UPDATE case_members cm SET expires_at = g.ends_at
       FROM (SELECT a.case_id, m.user_id, max(s.ends_at) AS ends_at FROM board_agenda a
             JOIN board_members m ON m.session_id = a.session_id AND m.removed_at IS NULL
             JOIN board_sessions s ON s.id = a.session_id AND s.status = 'scheduled' AND s.ends_at > now()
             WHERE a.session_id <> $1 GROUP BY a.case_id, m.user_id) g
       WHERE cm.relation = 'board_member' AND cm.revoked_at IS NULL AND cm.case_id = g.case_id AND cm.user_id = g.user_id
         AND ($2::uuid IS NULL OR cm.case_id = $2) AND ($3::uuid IS NULL OR cm.user_id = $3)
         AND cm.case_id IN (SELECT case_id FROM board_agenda WHERE session_id = $1)
         AND cm.user_id IN (SELECT user_id FROM board_members WHERE session_id = $1)`,
      [sessionId, pairs.caseId ?? null, pairs.userId ?? null]);
  }

  /**
   * After a session moved: the members' grants on its cases end with the last scheduled session
   * that gives them, earlier or later than before (grantMembers only ever lengthens them).
   */
  async function regrantAfterMove(tx: Queryable, sessionId: string) {
    caseAccessChanged(tx);
    await tx.query(
      `UPDATE case_members cm SET expires_at = g.ends_at
       FROM (SELECT a.case_id, m.user_id, max(s.ends_at) AS ends_at FROM board_agenda a
             JOIN board_members m ON m.session_id = a.session_id AND m.removed_at IS NULL
             JOIN board_sessions s ON s.id = a.session_id AND s.status = 'scheduled'
             GROUP BY a.case_id, m.user_id) g
       WHERE cm.relation = 'board_member' AND cm.revoked_at IS NULL AND cm.case_id = g.case_id AND cm.user_id = g.user_id
         AND cm.case_id IN (SELECT case_id FROM board_agenda WHERE session_id = $1)
         AND cm.user_id IN (SELECT user_id FROM board_members WHERE session_id = $1 AND removed_at IS NULL)`, [sessionId]);
  }

  /** A change of who may see the agenda cases is recorded on each of them (the patient's access log shows it). */
  async function auditOnAgenda(tx: Queryable, actor: Actor, meta: RequestMeta, sessionId: string, action: string, userId?: string) {
    const cases = (await tx.query<{ case_id: string }>('SELECT case_id FROM board_agenda WHERE session_id = $1', [sessionId])).map((r) => r.case_id);
    await recordCaseReads(tx, { actor, meta, action, entityType: 'BoardSession', entityId: sessionId, ...(userId ? { detail: { userId } } : {}) }, cases);
  }

  async function membersOf(tx: Queryable, sessionId: string) {
    return tx.query<{ user_id: string; name: string; email: string; seat: string | null; attended: boolean; taxonomy_codes: string[] | null }>(
      `SELECT m.user_id, u.name, u.email, m.specialty AS seat, m.attended, p.taxonomy_codes FROM board_members m JOIN users u ON u.id = m.user_id
       LEFT JOIN expert_profiles p ON p.user_id = m.user_id WHERE m.session_id = $1 AND m.removed_at IS NULL ORDER BY u.name`, [sessionId]);
  }

  async function sessionView(tx: Queryable, actor: Actor, meta: RequestMeta, s: SessionRow, chair: boolean) {
    const agenda = await tx.query<{ case_id: string; reference: string; intake: Intake; minutes: number; position: number; reasons: FiredRule[] | null; minutes_confirmed: Date | null; has_minutes: boolean }>(
      `SELECT a.case_id, c.reference, c.intake, a.minutes, a.position, p.reasons, bm.confirmed_at AS minutes_confirmed, bm.case_id IS NOT NULL AS has_minutes
       FROM board_agenda a JOIN cases c ON c.id = a.case_id LEFT JOIN board_proposals p ON p.case_id = a.case_id
       LEFT JOIN board_minutes bm ON bm.session_id = a.session_id AND bm.case_id = a.case_id
       WHERE a.session_id = $1 ORDER BY a.position, a.added_at`, [s.id]);
    await recordCaseReads(tx, { actor, meta, action: 'board.session.read', entityType: 'BoardSession', entityId: s.id }, agenda.map((a) => a.case_id));
    const members = await membersOf(tx, s.id);
    const type = boardTypeById(s.board_type)!;
    const attending = members.filter((m) => m.attended);
    const basis = attending.length ? 'attending' as const : 'invited' as const;
    const q = quorum(type, (basis === 'attending' ? attending : members).map((m) => ({ userId: m.user_id, name: m.name, taxonomyCodes: m.taxonomy_codes ?? [] })));
    const presenter = s.presenter_id ?? s.chair_id;
    return {
      ...summaryOf(s, agenda.length, members.length, meta.locale),
      chairId: s.chair_id, presenterId: s.presenter_id,
      you: { chair, presenter: presenter === actor.userId, member: true },
      agenda: agenda.map((a) => ({
        caseId: a.case_id, reference: a.reference, condition: a.intake.condition?.description ?? null, minutes: a.minutes, position: a.position,
        reasons: reasonsIn(a.reasons ?? [], meta.locale ?? 'en'), minutesStatus: a.minutes_confirmed ? 'confirmed' as const : a.has_minutes ? 'draft' as const : 'none' as const,
      })),
      members: members.map((m) => ({ userId: m.user_id, name: m.name, seat: m.seat, specialties: seatsFor(type, m.taxonomy_codes ?? []), attended: m.attended })),
      quorum: { ...q, basis },
      seatLabels: Object.fromEntries(type.roster.map((r) => [r.seat, seatIn(r.seat, meta.locale ?? 'en')])),
      presentation: s.presentation, presentationSeq: Number(s.presentation_seq),
    };
  }
  /** A condition's name in the reader's language, from its English name (as reasons store it). */
  const conditionNameIn = (locale: Locale) => {
    const { knowledge } = knowledgeIn(locale);
    return (english: string) => knowledge.conditions[KNOWLEDGE.conditions.findIndex((c) => c.label === english)]?.label ?? english;
  };
  /** Why cases went to a board, in the reader's words (condition names looked up once per list). */
  const reasonsIn = (reasons: FiredRule[], locale: Locale) => {
    const conditionName = conditionNameIn(locale);
    return reasons.map((r) => firedIn(r, locale, conditionName).reason);
  };
  const summaryOf = (s: SessionRow, cases: number, members: number, locale: Locale = 'en') => ({
    id: s.id, boardType: s.board_type, boardLabel: labelOf(s.board_type, locale), title: s.title, startsAt: iso(s.starts_at), endsAt: iso(s.ends_at),
    timeZone: s.time_zone, status: s.status, chairName: s.chair_name, cases, members, seriesId: s.series_id,
  });

  /** The case's agenda entry in a session the actor sits on: the only way a member reaches a case here. */
  async function agendaCase(tx: Queryable, actor: Actor, meta: RequestMeta, sessionId: string, caseId: string, auditAction: string | undefined, forUpdate = false): Promise<{ s: SessionRow; chair: boolean; gate: CaseGateway }> {
    const { s, chair } = await openSession(tx, actor, sessionId, { forUpdate });
    const onAgenda = await tx.query('SELECT 1 FROM board_agenda WHERE session_id = $1 AND case_id = $2', [sessionId, caseId]);
    if (!onAgenda.length) throw notFound('This case');
    // The case grant (role and relation, and its end with the session) is checked like any other access.
    const gate = await cases.open(tx, actor, caseId, 'case.read', meta, { auditAction, forUpdate });
    return { s, chair, gate };
  }

  /**
   * The calendar mail of a session to one member: the invitation, or its withdrawal when the
   * session is cancelled or the member removed (the same uid, so calendars drop the event).
   */
  async function mailMember(tx: Queryable, s: SessionRow, user: { email: string; name: string; locale: string | null }, method: 'REQUEST' | 'CANCEL', moved = false) {
    const link = `${publicUrl()}/boards/${s.id}`;
    const t = wordsIn(user.locale);
    const { when, board, boardName } = sessionWords(s, user.locale);
    const change = method === 'CANCEL' ? 'cancelled' : moved ? 'moved' : 'invite';
    const invite = method === 'REQUEST';
    await enqueueMail(tx, {
      kind: !invite ? 'board.cancel' : moved ? 'board.update' : 'board.invite', to: user.email,
      subject: t(`mails:board.${change}.subject`, { board, when }),
      // Which cases are on the agenda is health data: the mail says where to look, not what is there.
      text: `${t('mails:hello', { name: user.name })}\n\n${t(`mails:board.${change}.text`, { boardName, when, link })}`,
      attachments: [{ filename: 'board-session.ics', contentType: `text/calendar; method=${method}`, content: calendarInvite({
        // A cancellation outranks every version sent before it.
        uid: `board-session-${s.id}@consilium`, method, sequence: invite ? s.sequence : s.sequence + 1, startsAt: s.starts_at, endsAt: s.ends_at, title: s.title || board, url: link,
        description: t('mails:board.calendar', { board, link }),
        organizer: { name: s.chair_name, email: mailAddress(deps.config.mailFrom) }, attendee: user,
      }) }],
    });
  }
  /** The first start, as the chair typed it in the session's zone; it must be valid and ahead. */
  function wallClockStart(input: { startsAtLocal: string; timeZone: string }) {
    const start = DateTime.fromISO(input.startsAtLocal, { zone: input.timeZone });
    if (!start.isValid) throw new AppError('VALIDATION_FAILED', start.invalidReason === 'unsupported zone' ? `Unknown time zone “${input.timeZone}”.` : 'The date or time is not valid.', { errors: [{ path: start.invalidReason === 'unsupported zone' ? '/timeZone' : '/startsAtLocal', message: 'is not valid' }] });
    if (start.toJSDate() < deps.now()) throw new AppError('VALIDATION_FAILED', 'Choose a time in the future.', { errors: [{ path: '/startsAtLocal', message: 'is in the past' }] });
    return start;
  }

  /** This session, or it and the later sessions of its series still to come (locked, in order). */
  async function inScope(tx: Queryable, s: SessionRow, scope: 'this' | 'following'): Promise<SessionRow[]> {
    if (scope === 'this' || !s.series_id) return [s];
    return tx.query<SessionRow>(
      `SELECT s.*, u.name AS chair_name FROM board_sessions s JOIN users u ON u.id = s.chair_id
       WHERE s.series_id = $1 AND s.starts_at >= $2 AND s.status = 'scheduled' ORDER BY s.starts_at FOR UPDATE OF s`, [s.series_id, s.starts_at]);
  }

  /** A session as a member's mail names it, in their language: when, and the board's name (as a title and within a sentence). */
  const sessionWords = (s: SessionRow, locale: string | null) => {
    const t = wordsIn(locale);
    const board = labelOf(s.board_type, asLocale(locale));
    return { board, boardName: board.toLowerCase(), when: DateTime.fromJSDate(new Date(s.starts_at), { zone: s.time_zone }).setLocale(t('mails:visit.locale')).toFormat(t('mails:board.dateFormat')) };
  };

  /**
   * Members hear that the agenda changed once the chair has left it alone for a while, so a
   * morning of editing is one mail. It says how many cases there are and where to look, no more.
   */
  async function agendaChanged(tx: Queryable, sessionId: string) {
    const [row] = await tx.query<{ agenda_changed_at: Date }>('UPDATE board_sessions SET agenda_changed_at = clock_timestamp() WHERE id = $1 RETURNING agenda_changed_at', [sessionId]);
    await enqueueJob(tx, 'board.agendaMail', { sessionId, changedAt: iso(row!.agenda_changed_at) }, new Date(deps.now().getTime() + deps.config.boardAgendaMailDelayMs));
  }

  async function mailAgendaChange(payload: { sessionId: string; changedAt: string }) {
    await db.transaction(async (tx) => {
      const s = await loadSession(tx, payload.sessionId, true);
      // A later change has its own job; a session that is over or cancelled needs no news.
      if (!s.agenda_changed_at || iso(s.agenda_changed_at) !== payload.changedAt || s.status !== 'scheduled' || new Date(s.starts_at) <= deps.now()) return;
      const [count] = await tx.query<{ n: number }>('SELECT count(*)::int AS n FROM board_agenda WHERE session_id = $1', [s.id]);
      const n = count?.n ?? 0;
      const link = `${publicUrl()}/boards/${s.id}`;
      for (const m of await memberMail(tx, s.id)) {
        if (m.user_id === s.chair_id) continue;
        const t = wordsIn(m.locale);
        const { when, board, boardName } = sessionWords(s, m.locale);
        await enqueueMail(tx, {
          kind: 'board.agenda', to: m.email, subject: t('mails:board.agenda.subject', { board, when }),
          text: `${t('mails:hello', { name: m.name })}\n\n${t('mails:board.agenda.text', { boardName, when, link, count: n })}`,
        });
      }
    });
  }

  const memberMail = (tx: Queryable, sessionId: string, userId?: string) => tx.query<{ user_id: string; email: string; name: string; locale: string | null }>(
    `SELECT m.user_id, u.email, u.name, u.locale FROM board_members m JOIN users u ON u.id = m.user_id WHERE m.session_id = $1 AND m.removed_at IS NULL AND ($2::uuid IS NULL OR m.user_id = $2)`, [sessionId, userId ?? null]);

  return {
    /** The board panel of a case: what the rules suggest and why, the proposal, sessions and confirmed recommendations. */
    async caseBoard(actor: Actor, meta: RequestMeta, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const { row, relations } = await cases.open(tx, actor, caseId, 'case.read', meta, { auditAction: 'board.case.read' });
        const proposal = await proposalOf(tx, caseId);
        const suggestion = await proposalFacts(tx, row, proposal);
        const sessions = await tx.query<{ id: string; title: string; starts_at: Date; time_zone: string }>(
          `SELECT s.id, s.title, s.starts_at, s.time_zone FROM board_agenda a JOIN board_sessions s ON s.id = a.session_id WHERE a.case_id = $1 AND s.status = 'scheduled' ORDER BY s.starts_at`, [caseId]);
        const patientSide = isPatientSide(relations);
        // The patient side learns the reviewers' findings with the opinion, not before: no reviewer's
        // disagreement or note, no staff reason, and the board's recommendation once it is delivered.
        const askedByPatientSide = proposal?.requested_by
          ? (await tx.query(`SELECT 1 FROM case_members WHERE case_id = $1 AND user_id = $2 AND relation IN ('patient', 'proxy', 'referring')`, [caseId, proposal.requested_by])).length > 0
          : false;
        const locale = meta.locale ?? 'en';
        const conditionName = conditionNameIn(locale);
        const shown = (reasons: FiredRule[]) => (patientSide ? reasons.filter((r) => r.id !== 'reviewers_disagree' && (r.id !== 'requested' || askedByPatientSide)) : reasons).map((r) => firedIn(r, locale, conditionName));
        const fired = shown(suggestion.fired);
        return {
          suggestion: { propose: patientSide ? fired.length > 0 : suggestion.propose, boardType: suggestion.boardType.id, boardLabel: boardLabelIn(suggestion.boardType, locale), fired },
          proposal: proposal ? {
            status: proposal.status, boardType: proposal.board_type, boardLabel: labelOf(proposal.board_type, locale), reasons: shown(proposal.reasons),
            requestNote: patientSide && !askedByPatientSide ? null : proposal.request_note, declineReason: patientSide ? null : proposal.decline_reason,
            confirmedAt: proposal.confirmed_at ? iso(proposal.confirmed_at) : null,
          } : null,
          sessions: sessions.map((s) => ({ sessionId: s.id, title: s.title, startsAt: iso(s.starts_at), timeZone: s.time_zone })),
          recommendations: patientSide && !DELIVERED_STATES.includes(row.status) ? [] : await boardRecommendations(tx, caseId, locale),
          can: {
            confirm: actor.role === 'coordinator' && row.coordinator_id === actor.userId && proposal?.status !== 'discussed',
            request: (patientSide || relations.includes('expert')) && !proposal,
          },
        };
      });
    },

    /** The patient side or an assigned reviewer asks for a board discussion. */
    async request(actor: Actor, meta: RequestMeta, caseId: string, note: string) {
      return withCaseTx(db, async (tx) => {
        const gate = await cases.open(tx, actor, caseId, 'case.read', meta, { forUpdate: true });
        if (!isPatientSide(gate.relations) && !gate.relations.includes('expert')) throw new AppError('FORBIDDEN', 'Only the patient’s side or an assigned reviewer can ask for a board.');
        if (await proposalOf(tx, caseId)) throw new AppError('CONFLICT', 'A board discussion was already asked for or proposed.');
        const suggestion = await proposalFacts(tx, gate.row, { request_note: note, requested_by: actor.userId } as ProposalRow);
        await tx.query(`INSERT INTO board_proposals (case_id, board_type, reasons, status, requested_by, request_note) VALUES ($1,$2,$3,'requested',$4,$5)`,
          [caseId, suggestion.boardType.id, JSON.stringify(suggestion.fired), actor.userId, note]);
        await gate.emit('board.request', {});
        await gate.audit('board.request', { entityType: 'BoardProposal' });
      });
    },

    /** The case's coordinator confirms the proposal (with the board type): the case joins the chairs' pool. */
    async confirm(actor: Actor, meta: RequestMeta, caseId: string, boardType: string) {
      return withCaseTx(db, async (tx) => {
        const { gate, proposal } = await openToDecide(tx, actor, meta, caseId);
        const suggestion = await proposalFacts(tx, gate.row, proposal);
        if (!suggestion.propose) throw new AppError('GUARD_FAILED', 'No rule proposes a board for this case, and nobody asked for one.', { unmet: ['Ask for a board discussion with a reason first.'] });
        await tx.query(
          `INSERT INTO board_proposals (case_id, board_type, reasons, status, confirmed_by, confirmed_at) VALUES ($1,$2,$3,'confirmed',$4,now())
           ON CONFLICT (case_id) DO UPDATE SET board_type = $2, reasons = $3, status = 'confirmed', confirmed_by = $4, confirmed_at = now(), decline_reason = NULL, updated_at = now()`,
          [caseId, boardType, JSON.stringify(suggestion.fired), actor.userId]);
        if (gate.row.status === 'in_review') await gate.transition('referToBoard');
        await gate.emit('board.confirm', { boardType });
        await gate.audit('board.confirm', { entityType: 'BoardProposal' });
      });
    },

    async decline(actor: Actor, meta: RequestMeta, caseId: string, reason: string) {
      return withCaseTx(db, async (tx) => {
        const { gate, proposal } = await openToDecide(tx, actor, meta, caseId);
        const scheduled = await tx.query(`SELECT 1 FROM board_agenda a JOIN board_sessions s ON s.id = a.session_id WHERE a.case_id = $1 AND s.status = 'scheduled' AND s.ends_at > now()`, [caseId]);
        if (scheduled.length) throw new AppError('GUARD_FAILED', 'The case is on a board’s agenda.', { unmet: ['Ask the chair to take the case off the agenda first.'] });
        const suggestion = await proposalFacts(tx, gate.row, proposal);
        await tx.query(
          `INSERT INTO board_proposals (case_id, board_type, reasons, status, decline_reason, confirmed_by) VALUES ($1,$2,$3,'declined',$4,$5)
           ON CONFLICT (case_id) DO UPDATE SET status = 'declined', decline_reason = $4, confirmed_by = $5, updated_at = now()`,
          [caseId, suggestion.boardType.id, JSON.stringify(suggestion.fired), reason, actor.userId]);
        await gate.emit('board.decline', {});
        await gate.audit('board.decline', { entityType: 'BoardProposal' });
      });
    },

    /** Confirmed cases waiting for a board, for a chair building an agenda; each case listed is an audited read. */
    async proposals(actor: Actor, meta: RequestMeta, boardType?: string) {
      return db.transaction(async (tx) => {
        const rows = await tx.query<{ case_id: string; reference: string; board_type: string; reasons: FiredRule[]; confirmed_at: Date; intake: Intake; scheduled: string | null }>(
          `SELECT p.case_id, c.reference, p.board_type, p.reasons, p.confirmed_at, c.intake,
             (SELECT s.starts_at::text FROM board_agenda a JOIN board_sessions s ON s.id = a.session_id WHERE a.case_id = p.case_id AND s.status = 'scheduled' AND s.ends_at > now() ORDER BY s.starts_at LIMIT 1) AS scheduled
           FROM board_proposals p JOIN cases c ON c.id = p.case_id
           WHERE p.status = ANY($1::text[]) AND ($2::text IS NULL OR p.board_type = $2) AND c.status NOT IN ('closed', 'cancelled')
           ORDER BY p.confirmed_at LIMIT 200`, [CHAIR_POOL, boardType ?? null]);
        await recordCaseReads(tx, { actor, meta, action: 'board.proposals.list', entityType: 'BoardProposal' }, rows.map((r) => r.case_id));
        return rows.map((r) => ({
          caseId: r.case_id, reference: r.reference, boardType: r.board_type, boardLabel: labelOf(r.board_type, meta.locale), condition: r.intake.condition?.description ?? null,
          reasons: reasonsIn(r.reasons, meta.locale ?? 'en'), confirmedAt: iso(r.confirmed_at), scheduledFor: r.scheduled ? iso(r.scheduled) : null,
        }));
      });
    },

    /** Schedules a session, or a series of them, at a wall-clock time in a time zone (summer time kept). */
    async createSessions(actor: Actor, meta: RequestMeta, input: SessionInput) {
      const start = wallClockStart(input);
      const count = input.repeat?.count ?? 1;
      const step = input.repeat ? STEP[input.repeat.every] : { weeks: 0 };
      const title = input.title ?? labelOf(input.boardType);
      return db.transaction(async (tx) => {
        const series = count > 1 ? crypto.randomUUID() : null;
        const out = [];
        for (let i = 0; i < count; i++) {
          const at = start.plus({ weeks: step.weeks * i });
          const [s] = await tx.query<SessionRow>(
            `INSERT INTO board_sessions (board_type, title, starts_at, ends_at, time_zone, series_id, chair_id) VALUES ($1,$2,$3,$4,$5,$6,$7)
             RETURNING *, (SELECT name FROM users WHERE id = $7) AS chair_name`,
            [input.boardType, title, at.toJSDate(), at.plus({ minutes: input.durationMinutes }).toJSDate(), input.timeZone, series, actor.userId]);
          await recordAudit(tx, { actor, meta, action: 'board.session.create', entityType: 'BoardSession', entityId: s!.id });
          out.push(summaryOf(s!, 0, 0, meta.locale));
        }
        return out;
      });
    },

    /** Sessions the person chairs or sits on (a chair sees every session, to find a slot). */
    async sessions(actor: Actor, range: { from?: string; past?: boolean }, locale: Locale = 'en') {
      const rows = await db.query<SessionRow & { cases: number; members: number }>(
        `SELECT s.*, u.name AS chair_name, (SELECT count(*)::int FROM board_agenda a WHERE a.session_id = s.id) AS cases,
           (SELECT count(*)::int FROM board_members m WHERE m.session_id = s.id AND m.removed_at IS NULL) AS members
         FROM board_sessions s JOIN users u ON u.id = s.chair_id
         WHERE (s.chair_id = $1 OR EXISTS (SELECT 1 FROM board_members m WHERE m.session_id = s.id AND m.user_id = $1 AND m.removed_at IS NULL))
           AND (CASE WHEN $2::boolean THEN s.ends_at <= now() ELSE s.ends_at > now() END)
         ORDER BY CASE WHEN $2::boolean THEN -extract(epoch FROM s.starts_at) ELSE extract(epoch FROM s.starts_at) END LIMIT 100`,
        [actor.userId, range.past ?? false]);
      return rows.map((s) => summaryOf(s, s.cases, s.members, locale));
    },

    async session(actor: Actor, meta: RequestMeta, id: string) {
      return db.transaction(async (tx) => {
        const { s, chair } = await openSession(tx, actor, id);
        return sessionView(tx, actor, meta, s, chair);
      });
    },

    /**
     * Moves or renames a session, or in a series this one and the following ones: each keeps its
     * own day, shifted as this one is, at the new wall-clock time in the new zone (summer time
     * handled). Members get the calendar update; the agenda and members stay.
     */
    async changeSessions(actor: Actor, meta: RequestMeta, id: string, change: SessionChange) {
      const start = wallClockStart(change);
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, id, { chair: true, forUpdate: true });
        mustBeScheduled(s);
        const from = DateTime.fromJSDate(new Date(s.starts_at), { zone: s.time_zone }).startOf('day');
        const out = [];
        for (const t of await inScope(tx, s, change.scope)) {
          const days = Math.round(DateTime.fromJSDate(new Date(t.starts_at), { zone: t.time_zone }).startOf('day').diff(from, 'days').days);
          const at = start.plus({ days });
          const [moved] = await tx.query<SessionRow>(
            `UPDATE board_sessions SET starts_at = $2, ends_at = $3, time_zone = $4, title = coalesce($5, title), sequence = sequence + 1 WHERE id = $1
             RETURNING *, (SELECT name FROM users WHERE id = chair_id) AS chair_name`,
            [t.id, at.toJSDate(), at.plus({ minutes: change.durationMinutes }).toJSDate(), change.timeZone, change.title ?? null]);
          await regrantAfterMove(tx, t.id);
          for (const m of await memberMail(tx, t.id)) await mailMember(tx, moved!, m, 'REQUEST', true);
          await auditOnAgenda(tx, actor, meta, t.id, 'board.session.change');
          await recordAudit(tx, { actor, meta, action: 'board.session.change', entityType: 'BoardSession', entityId: t.id });
          await announceBoard(tx, t.id, { kind: 'session' });
          out.push(summaryOf(moved!, 0, 0, meta.locale));
        }
        return out;
      });
    },

    async cancelSession(actor: Actor, meta: RequestMeta, id: string, scope: 'this' | 'following' = 'this') {
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, id, { chair: true, forUpdate: true });
        mustBeScheduled(s);
        for (const t of await inScope(tx, s, scope)) {
          await revokeMembers(tx, t.id, {});
          for (const m of await memberMail(tx, t.id)) await mailMember(tx, t, m, 'CANCEL');
          await tx.query(`UPDATE board_sessions SET status = 'cancelled' WHERE id = $1`, [t.id]);
          await auditOnAgenda(tx, actor, meta, t.id, 'board.session.cancel');
          await announceBoard(tx, t.id, { kind: 'session' });
        }
      });
    },

    mailAgendaChange,

    async addToAgenda(actor: Actor, meta: RequestMeta, sessionId: string, caseId: string, minutes: number) {
      return withCaseTx(db, async (tx) => {
        const { s } = await openSession(tx, actor, sessionId, { chair: true, forUpdate: true });
        mustBeScheduled(s);
        const [p] = await tx.query<ProposalRow>('SELECT * FROM board_proposals WHERE case_id = $1 FOR UPDATE', [caseId]);
        if (!p || !CHAIR_POOL.includes(p.status)) throw notFound('This case');
        const clash = await conflicts(tx, sessionId, { caseId });
        if (clash.length) throw new AppError('GUARD_FAILED', `Conflict of interest: ${clash.join(' ')}`, { unmet: ['Remove that member from this session, or put the case on another session.'] });
        // The chair joins the case the way an expert does when assigned; the grant is theirs from now on.
        await addMember(tx, caseId, actor.userId, 'board_chair', actor.userId);
        const gate = await cases.open(tx, actor, caseId, 'case.read', meta, { forUpdate: true });
        const added = await tx.query(
          `INSERT INTO board_agenda (session_id, case_id, position, minutes, added_by)
           VALUES ($1,$2,(SELECT coalesce(max(position), 0) + 1 FROM board_agenda WHERE session_id = $1),$3,$4) ON CONFLICT DO NOTHING RETURNING case_id`,
          [sessionId, caseId, minutes, actor.userId]);
        if (!added.length) throw new AppError('CONFLICT', 'The case is on this agenda already.');
        await grantMembers(tx, s, actor.userId, { caseId });
        await gate.emit('board.schedule', { sessionId, startsAt: iso(s.starts_at) });
        await gate.audit('board.agenda.add', { entityType: 'BoardSession', entityId: sessionId });
        await agendaChanged(tx, sessionId);
        await announceBoard(tx, sessionId, { kind: 'agenda' });
      });
    },

    async removeFromAgenda(actor: Actor, meta: RequestMeta, sessionId: string, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const { gate } = await agendaCase(tx, actor, meta, sessionId, caseId, undefined, true);
        const { s } = await openSession(tx, actor, sessionId, { chair: true });
        mustBeScheduled(s);
        await revokeMembers(tx, sessionId, { caseId });
        await tx.query('DELETE FROM board_minutes WHERE session_id = $1 AND case_id = $2 AND confirmed_at IS NULL', [sessionId, caseId]);
        await tx.query('DELETE FROM board_agenda WHERE session_id = $1 AND case_id = $2', [sessionId, caseId]);
        await gate.audit('board.agenda.remove', { entityType: 'BoardSession', entityId: sessionId });
        await agendaChanged(tx, sessionId);
        await announceBoard(tx, sessionId, { kind: 'agenda' });
      });
    },

    async orderAgenda(actor: Actor, meta: RequestMeta, sessionId: string, caseIds: string[]) {
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, sessionId, { chair: true, forUpdate: true });
        mustBeScheduled(s);
        const current = (await tx.query<{ case_id: string }>('SELECT case_id FROM board_agenda WHERE session_id = $1', [sessionId])).map((r) => r.case_id);
        if (current.length !== caseIds.length || !current.every((c) => caseIds.includes(c))) throw new AppError('CONFLICT', 'The agenda changed meanwhile; reload and order it again.');
        await tx.query('UPDATE board_agenda a SET position = o.n FROM unnest($2::uuid[]) WITH ORDINALITY AS o(case_id, n) WHERE a.session_id = $1 AND a.case_id = o.case_id', [sessionId, caseIds]);
        await recordCaseReads(tx, { actor, meta, action: 'board.agenda.order', entityType: 'BoardSession', entityId: sessionId }, caseIds);
        await agendaChanged(tx, sessionId);
        await announceBoard(tx, sessionId, { kind: 'agenda' });
      });
    },

    async setAgendaMinutes(actor: Actor, meta: RequestMeta, sessionId: string, caseId: string, minutes: number) {
      return withCaseTx(db, async (tx) => {
        const { gate } = await agendaCase(tx, actor, meta, sessionId, caseId, undefined, true);
        await openSession(tx, actor, sessionId, { chair: true });
        await tx.query('UPDATE board_agenda SET minutes = $3 WHERE session_id = $1 AND case_id = $2', [sessionId, caseId, minutes]);
        await gate.audit('board.agenda.time', { entityType: 'BoardSession', entityId: sessionId });
        await agendaChanged(tx, sessionId);
        await announceBoard(tx, sessionId, { kind: 'agenda' });
      });
    },

    /**
     * Invites a reviewer from the directory. Matching's conflict rule applies: nobody on the
     * patient's side of an agenda case sits on the board that discusses it.
     */
    async invite(actor: Actor, meta: RequestMeta, sessionId: string, userId: string, seat?: string) {
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, sessionId, { chair: true, forUpdate: true });
        await inviteOne(tx, actor, meta, s, userId, seat);
      });
    },

    /** Invites, all or none, the assigned reviewers of every agenda case who are not invited yet. */
    async inviteReviewers(actor: Actor, meta: RequestMeta, sessionId: string) {
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, sessionId, { chair: true, forUpdate: true });
        const reviewers = await tx.query<{ user_id: string }>(
          `SELECT DISTINCT m.user_id FROM board_agenda a JOIN case_members m ON m.case_id = a.case_id AND m.relation = 'expert' AND m.revoked_at IS NULL
           WHERE a.session_id = $1 AND NOT EXISTS (SELECT 1 FROM board_members b WHERE b.session_id = $1 AND b.user_id = m.user_id AND b.removed_at IS NULL)`, [sessionId]);
        for (const r of reviewers) await inviteOne(tx, actor, meta, s, r.user_id, 'Case reviewer');
        return { invited: reviewers.length };
      });
    },

    async removeMember(actor: Actor, meta: RequestMeta, sessionId: string, userId: string) {
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, sessionId, { chair: true, forUpdate: true });
        await revokeMembers(tx, sessionId, { userId });
        // Only a session still to come is withdrawn from the member's calendar.
        if (s.status === 'scheduled' && new Date(s.ends_at) > deps.now()) {
          // The cancellation goes out one above the sequence and the sequence moves past it, so an invitation sent later outranks it.
          for (const m of await memberMail(tx, sessionId, userId)) await mailMember(tx, s, m, 'CANCEL');
          await tx.query('UPDATE board_sessions SET sequence = sequence + 2 WHERE id = $1', [sessionId]);
        }
        const rows = await tx.query('UPDATE board_members SET removed_at = now() WHERE session_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING user_id', [sessionId, userId]);
        if (!rows.length) throw notFound('This member');
        // A member who leaves while presenting hands the presentation back to the chair.
        await tx.query('UPDATE board_sessions SET presenter_id = NULL WHERE id = $1 AND presenter_id = $2', [sessionId, userId]);
        await auditOnAgenda(tx, actor, meta, sessionId, 'board.member.remove', userId);
        await announceBoard(tx, sessionId, { kind: 'members' });
      });
    },

    /** The chair records who attended (joining the shared view records it too). */
    async setAttendance(actor: Actor, meta: RequestMeta, sessionId: string, userId: string, attended: boolean) {
      return db.transaction(async (tx) => {
        await openSession(tx, actor, sessionId, { chair: true });
        const rows = await tx.query(`UPDATE board_members SET attended = $3, joined_at = CASE WHEN $3 THEN coalesce(joined_at, now()) ELSE joined_at END
          WHERE session_id = $1 AND user_id = $2 AND removed_at IS NULL RETURNING user_id`, [sessionId, userId, attended]);
        if (!rows.length) throw notFound('This member');
        await recordAudit(tx, { actor, meta, action: 'board.attendance', entityType: 'BoardSession', entityId: sessionId, detail: { userId, status: attended ? 'attended' : 'absent' } });
        await announceBoard(tx, sessionId, { kind: 'members' });
      });
    },

    /** A member opened the shared view during the session: their attendance is recorded. */
    async joined(actor: Actor, meta: RequestMeta, sessionId: string) {
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, sessionId);
        const live = deps.now() >= new Date(new Date(s.starts_at).getTime() - 30 * 60_000) && deps.now() <= new Date(s.ends_at);
        if (live) {
          const rows = await tx.query(`UPDATE board_members SET attended = true, joined_at = coalesce(joined_at, now()) WHERE session_id = $1 AND user_id = $2 AND removed_at IS NULL AND NOT attended RETURNING user_id`, [sessionId, actor.userId]);
          if (rows.length) await announceBoard(tx, sessionId, { kind: 'members' });
        }
        await recordAudit(tx, { actor, meta, action: 'board.session.join', entityType: 'BoardSession', entityId: sessionId });
        return { state: s.presentation, seq: Number(s.presentation_seq), presenterId: s.presenter_id ?? s.chair_id };
      });
    },

    /** The chair hands the presentation to a member (or takes it back). */
    async setPresenter(actor: Actor, meta: RequestMeta, sessionId: string, userId: string) {
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, sessionId, { chair: true, forUpdate: true });
        if (userId !== s.chair_id && !(await isMember(tx, sessionId, userId))) throw new AppError('VALIDATION_FAILED', 'Only the chair or an invited member can present.', { errors: [{ path: '/userId', message: 'is not a member' }] });
        await tx.query('UPDATE board_sessions SET presenter_id = $2 WHERE id = $1', [sessionId, userId === s.chair_id ? null : userId]);
        await recordAudit(tx, { actor, meta, action: 'board.presenter', entityType: 'BoardSession', entityId: sessionId, detail: { userId } });
        await announceBoard(tx, sessionId, { kind: 'presenter', presenterId: userId });
      });
    },

    /**
     * The presenter moves the shared view. Only ids and positions travel: each follower's page
     * then reads what is shown through the usual checked and audited routes.
     */
    async present(actor: Actor, meta: RequestMeta, sessionId: string, state: PresentationState) {
      return db.transaction(async (tx) => {
        const { s } = await openSession(tx, actor, sessionId, { forUpdate: true });
        mustBeScheduled(s);
        if ((s.presenter_id ?? s.chair_id) !== actor.userId) throw new AppError('FORBIDDEN', 'Someone else is presenting; ask the chair to hand you the presentation.');
        if (state.caseId) {
          if (!(await tx.query('SELECT 1 FROM board_agenda WHERE session_id = $1 AND case_id = $2', [sessionId, state.caseId])).length) throw new AppError('VALIDATION_FAILED', 'That case is not on this agenda.', { errors: [{ path: '/caseId', message: 'is not on the agenda' }] });
          if (state.documentId && !(await tx.query(`SELECT 1 FROM documents WHERE id = $1 AND case_id = $2 AND category = 'document' AND status IN ('ready', 'needs_review')`, [state.documentId, state.caseId])).length) throw new AppError('VALIDATION_FAILED', 'That record is not part of the case.', { errors: [{ path: '/documentId', message: 'is not in the case' }] });
          if (state.viewer && !(await tx.query('SELECT 1 FROM dicom_series se JOIN dicom_studies st ON st.id = se.study_id WHERE st.case_id = $1 AND st.study_uid = $2 AND se.series_uid = $3', [state.caseId, state.viewer.studyUid, state.viewer.seriesUid])).length) throw new AppError('VALIDATION_FAILED', 'That study is not part of the case.', { errors: [{ path: '/viewer/studyUid', message: 'is not in the case' }] });
        } else if (state.documentId || state.viewer) throw new AppError('VALIDATION_FAILED', 'Choose a case first.', { errors: [{ path: '/caseId', message: 'is required' }] });
        const [row] = await tx.query<{ presentation_seq: string }>('UPDATE board_sessions SET presentation = $2, presentation_seq = presentation_seq + 1 WHERE id = $1 RETURNING presentation_seq', [sessionId, JSON.stringify(state)]);
        const seq = Number(row!.presentation_seq);
        // Moving between cases is what the record needs; every slice and page turn would drown it.
        if (state.caseId !== s.presentation?.caseId) await recordAudit(tx, { actor, meta, action: 'board.present', entityType: 'BoardSession', entityId: sessionId, caseId: state.caseId });
        await announceBoard(tx, sessionId, { kind: 'state', seq, state, presenterId: actor.userId });
        return { seq };
      });
    },

    /** The one-page presentation of an agenda case, every fact linked to where it comes from. */
    async presentation(actor: Actor, meta: RequestMeta, sessionId: string, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const { gate } = await agendaCase(tx, actor, meta, sessionId, caseId, 'board.presentation.read');
        const row = gate.row;
        const intake = row.intake as Intake;
        const proposal = await proposalOf(tx, caseId);
        const docs = await tx.query<{ id: string; filename: string; document_type: string | null; content_type: string; tests_reported: { name?: string; status?: string }[] }>(
          `SELECT id, filename, document_type, content_type, tests_reported FROM documents WHERE case_id = $1 AND status IN ('ready', 'needs_review') AND category = 'document' ORDER BY created_at`, [caseId]);
        const linkTo = (type: string) => docs.find((d) => d.document_type === type);
        const link = (text: string, doc?: { id: string; filename: string }) => ({ text, documentId: doc?.id ?? null, documentName: doc?.filename ?? null });
        const parts = await tx.query<{ name: string; status: string; content: OpinionDraft }>(
          `SELECT u.name, p.status, p.content FROM opinion_parts p JOIN users u ON u.id = p.author_id WHERE p.case_id = $1 ORDER BY p.created_at`, [caseId]);
        const studies = await tx.query<{ study_uid: string; study_description: string | null; study_date: string | null; series_uid: string | null }>(
          `SELECT s.study_uid, s.study_description, s.study_date, (SELECT se.series_uid FROM dicom_series se WHERE se.study_id = s.id ORDER BY se.series_uid LIMIT 1) AS series_uid
           FROM dicom_studies s WHERE s.case_id = $1 ORDER BY s.study_date NULLS LAST`, [caseId]);
        const measurements = await tx.query<{ id: string; study_uid: string; series_uid: string; sop_instance_uid: string; kind: 'length' | 'angle'; points: number[][]; value: number; unit: string; name: string }>(
          `SELECT m.id, m.points, m.study_uid, m.series_uid, m.sop_instance_uid, m.kind, m.value, m.unit, u.name FROM imaging_measurements m JOIN users u ON u.id = m.created_by
           WHERE m.case_id = $1 AND m.deleted_at IS NULL ORDER BY m.created_at`, [caseId]);
        const [minutes] = await tx.query<MinutesRow>('SELECT * FROM board_minutes WHERE session_id = $1 AND case_id = $2', [sessionId, caseId]);
        // Drafts stay their authors' until signed.
        const signed = parts.filter((p) => p.status === 'signed');
        const pathology = docs.filter((d) => d.document_type === 'pathology_report' || d.document_type === 'molecular_report');
        const biomarkers = [
          ...signed.flatMap((p) => (p.content.biomarkers ?? []).map((b) => ({ name: b.name ?? '', status: b.status ?? 'missing', by: p.name }))),
          ...docs.flatMap((d) => (d.tests_reported ?? []).filter((t) => t.name).map((t) => ({ name: t.name!, status: 'done', by: null }))),
        ].filter((b) => b.name);
        return {
          caseId, reference: row.reference,
          question: [...(proposal?.reasons ?? []).map((r) => r.reason), ...(intake.questions?.questions ?? []).map((q) => `Patient’s question: ${q}`)],
          history: [
            ...(intake.condition?.description ? [link(`Diagnosis: ${intake.condition.description}${intake.condition.icd10Code ? ` (${intake.condition.icd10Code})` : ''}`, linkTo('pathology_report'))] : []),
            ...(intake.plan?.proposedPlan ? [link(`Proposed plan: ${intake.plan.proposedPlan}`, linkTo('consultation_note') ?? linkTo('treatment_summary'))] : []),
            ...(intake.plan?.surgeryProposed && intake.plan.surgeryDescription ? [link(`Operation proposed: ${intake.plan.surgeryDescription}`, linkTo('operative_note'))] : []),
          ],
          pathology: pathology.map((d) => link(d.document_type === 'molecular_report' ? 'Molecular report' : 'Pathology report', d)),
          staging: signed.filter((p) => p.content.staging?.t).map((p) => ({ text: `${p.content.staging!.basis === 'pathological' ? 'p' : 'c'}T${p.content.staging!.t} N${p.content.staging!.n ?? '?'} M${p.content.staging!.m ?? '?'}${p.content.staging!.edition ? ` (${p.content.staging!.edition})` : ''}`, by: p.name })),
          biomarkers,
          missing: biomarkers.filter((b) => b.status !== 'done').map((b) => `${b.name}: ${b.status === 'recommended' ? 'recommended' : 'not done'}`),
          imaging: studies.map((st) => ({
            studyUid: st.study_uid, seriesUid: st.series_uid,
            description: `${st.study_description ?? 'Imaging study'}${st.study_date ? `, ${st.study_date.slice(0, 4)}-${st.study_date.slice(4, 6)}-${st.study_date.slice(6, 8)}` : ''}`,
            measurements: measurements.filter((m) => m.study_uid === st.study_uid).map((m) => ({ id: m.id, kind: m.kind, points: m.points, text: `${m.kind === 'length' ? 'Length' : 'Angle'} ${m.value.toFixed(1)} ${m.unit === 'deg' ? '°' : m.unit} (${m.name})`, sopInstanceUid: m.sop_instance_uid, seriesUid: m.series_uid })),
          })),
          treatments: (intake.treatment?.treatments ?? []).map((t) => link(`${t.description}${t.startedOn ? `, from ${t.startedOn}` : ''}${t.endedOn ? ` to ${t.endedOn}` : ''} — ${t.response.replace('_', ' ')}`, linkTo('treatment_summary'))),
          priorities: [...(intake.priorities?.ranked ?? []).map((p, i) => `${i + 1}. ${KNOWLEDGE_PRIORITY(p)}`), ...(intake.priorities?.inOwnWords ? [`In their words: ${intake.priorities.inOwnWords}`] : [])],
          reviewerParts: parts.map((p) => ({ author: p.name, role: p.content.reviewerRole ?? 'Expert reviewer', status: p.status, summary: p.status === 'signed' ? partSummary(p.content) : [] })),
          documents: docs.map((d) => ({ id: d.id, name: d.filename, type: d.document_type, pdf: d.content_type === 'pdf' })),
          minutes: minutes?.content ?? null,
          minutesConfirmed: !!minutes?.confirmed_at,
          minutesMissing: minutesGaps(minutes?.content ?? {}),
        };
      });
    },

    /** The minutes as they are written during the discussion (chair or presenter). */
    async saveMinutes(actor: Actor, meta: RequestMeta, sessionId: string, caseId: string, content: MinutesDraft) {
      return withCaseTx(db, async (tx) => {
        const { s, gate } = await agendaCase(tx, actor, meta, sessionId, caseId, undefined, true);
        if (s.chair_id !== actor.userId && s.presenter_id !== actor.userId) throw new AppError('FORBIDDEN', 'The chair or the presenter writes the minutes.');
        await checkPeople(tx, sessionId, s, content);
        const [existing] = await tx.query<MinutesRow>('SELECT * FROM board_minutes WHERE session_id = $1 AND case_id = $2 FOR UPDATE', [sessionId, caseId]);
        if (existing?.confirmed_at) throw new AppError('CONFLICT', 'The chair confirmed these minutes; they can no longer change.');
        await tx.query(
          `INSERT INTO board_minutes (session_id, case_id, content, updated_by) VALUES ($1,$2,$3,$4)
           ON CONFLICT (session_id, case_id) DO UPDATE SET content = $3, updated_by = $4, updated_at = now()`, [sessionId, caseId, JSON.stringify(content), actor.userId]);
        await gate.audit('board.minutes.save', { entityType: 'BoardSession', entityId: sessionId });
        await announceBoard(tx, sessionId, { kind: 'minutes', caseId });
        return { missing: minutesGaps(content) };
      });
    },

    /**
     * The chair confirms the minutes: they are final, the attendance is part of the record, and
     * a case waiting at the board goes back to its reviewers with the recommendation.
     */
    async confirmMinutes(actor: Actor, meta: RequestMeta, sessionId: string, caseId: string) {
      return withCaseTx(db, async (tx) => {
        const { s, gate } = await agendaCase(tx, actor, meta, sessionId, caseId, undefined, true);
        if (s.chair_id !== actor.userId) throw new AppError('FORBIDDEN', 'Only the chair confirms the minutes.');
        const [m] = await tx.query<MinutesRow>('SELECT * FROM board_minutes WHERE session_id = $1 AND case_id = $2 FOR UPDATE', [sessionId, caseId]);
        if (m?.confirmed_at) throw new AppError('CONFLICT', 'These minutes are confirmed already.');
        const gaps = minutesGaps(m?.content ?? {});
        if (gaps.length) throw new AppError('GUARD_FAILED', 'The minutes are not complete.', { unmet: gaps });
        const members = await membersOf(tx, sessionId);
        const type = boardTypeById(s.board_type)!;
        const attendees = [{ userId: s.chair_id, name: s.chair_name, seat: 'Chair' }, ...members.filter((x) => x.attended).map((x) => ({ userId: x.user_id, name: x.name, seat: x.seat ?? seatsFor(type, x.taxonomy_codes ?? [])[0] ?? null }))];
        await tx.query('UPDATE board_minutes SET confirmed_by = $3, confirmed_at = now(), attendees = $4 WHERE session_id = $1 AND case_id = $2', [sessionId, caseId, actor.userId, JSON.stringify(attendees)]);
        await tx.query(`UPDATE board_proposals SET status = 'discussed', updated_at = now() WHERE case_id = $1`, [caseId]);
        if (gate.row.status === 'board') await gate.transition('returnFromBoard');
        await gate.emit('board.discuss', { sessionId });
        await gate.audit('board.minutes.confirm', { entityType: 'BoardSession', entityId: sessionId });
        await announceBoard(tx, sessionId, { kind: 'minutes', caseId });
      });
    },


  };

  /**
   * Matching's conflict rule, for a board: nobody on the patient's side of a case, and nobody who
   * works at (or declared a conflict with) the place where the patient is treated, sits on the
   * board that discusses it. Checked for one new member against the agenda, or one new case
   * against the members.
   */
  async function conflicts(tx: Queryable, sessionId: string, only: { userId?: string; caseId?: string }): Promise<string[]> {
    const rows = await tx.query<{ name: string; reference: string; patient_side: boolean; institution: string | null; declared: string[] | null; treating: (string | null)[] }>(
      `SELECT u.name, c.reference,
         EXISTS (SELECT 1 FROM case_members pm WHERE pm.case_id = c.id AND pm.user_id = u.id AND pm.revoked_at IS NULL AND pm.relation IN ('patient', 'proxy', 'referring')) AS patient_side,
         p.institution->>'name' AS institution, p.conflicts AS declared,
         ARRAY[c.intake->'plan'->>'treatingInstitution', c.intake->'plan'->>'treatingPhysician'] AS treating
       FROM users u CROSS JOIN cases c LEFT JOIN expert_profiles p ON p.user_id = u.id
       WHERE u.id IN (SELECT user_id FROM board_members WHERE session_id = $1 AND removed_at IS NULL UNION SELECT $2::uuid WHERE $2::uuid IS NOT NULL)
         AND c.id IN (SELECT case_id FROM board_agenda WHERE session_id = $1 UNION SELECT $3::uuid WHERE $3::uuid IS NOT NULL)
         AND ($2::uuid IS NULL OR u.id = $2) AND ($3::uuid IS NULL OR c.id = $3)`,
      [sessionId, only.userId ?? null, only.caseId ?? null]);
    const norm = (x: string) => x.trim().toLowerCase();
    const out: string[] = [];
    for (const r of rows) {
      const treating = new Set(r.treating.filter((x): x is string => !!x?.trim()).map(norm));
      const clash = [r.institution ?? '', ...(r.declared ?? [])].filter((x) => x.trim()).find((x) => treating.has(norm(x)));
      if (r.patient_side) out.push(`${r.name} is on the patient’s side of ${r.reference}.`);
      else if (clash) out.push(`${r.name} works with or declared “${clash}”, where the patient of ${r.reference} is treated.`);
    }
    return out;
  }

  /**
   * Invites a reviewer from the directory. Matching's conflict rule applies (see `conflicts`).
   * The member is mailed a calendar invitation and reaches the agenda cases until the session ends.
   */
  async function inviteOne(tx: Queryable, actor: Actor, meta: RequestMeta, s: SessionRow, userId: string, seat?: string) {
    mustBeScheduled(s);
    const [u] = await tx.query<{ id: string; name: string; email: string; locale: string | null; role: string; disabled_at: Date | null }>('SELECT id, name, email, locale, role, disabled_at FROM users WHERE id = $1', [userId]);
    if (!u || !['expert', 'board_chair'].includes(u.role)) throw new AppError('VALIDATION_FAILED', 'Invite an expert reviewer from the directory.', { errors: [{ path: '/userId', message: 'is not an expert' }] });
    if (u.disabled_at) throw new AppError('GUARD_FAILED', 'This person’s account is disabled.', { unmet: ['Choose someone whose account is active.'] });
    const clash = await conflicts(tx, s.id, { userId });
    if (clash.length) throw new AppError('GUARD_FAILED', `Conflict of interest: ${clash.join(' ')}`, { unmet: ['Choose another member, or take the case off this agenda.'] });
    const added = await tx.query(
      `INSERT INTO board_members (session_id, user_id, specialty, invited_by) VALUES ($1,$2,$3,$4)
       ON CONFLICT (session_id, user_id) DO UPDATE SET removed_at = NULL, specialty = $3, invited_at = now() WHERE board_members.removed_at IS NOT NULL RETURNING user_id`,
      [s.id, userId, seat ?? null, actor.userId]);
    if (!added.length) throw new AppError('CONFLICT', `${u.name} is invited already.`);
    await grantMembers(tx, s, actor.userId, { userId });
    await mailMember(tx, s, u, 'REQUEST');
    await auditOnAgenda(tx, actor, meta, s.id, 'board.member.invite', userId);
    await announceBoard(tx, s.id, { kind: 'members' });
  }

  /** Dissent holders and action owners must sit on the board. */
  async function checkPeople(tx: Queryable, sessionId: string, s: SessionRow, content: MinutesDraft) {
    const people = new Set([s.chair_id, ...(await membersOf(tx, sessionId)).map((m) => m.user_id)]);
    const strangers = [...(content.dissent ?? []).map((d) => d.memberId), ...(content.actions ?? []).map((a) => a.ownerId)].filter((id) => !people.has(id));
    if (strangers.length) throw new AppError('VALIDATION_FAILED', 'Dissent and actions belong to members of this session.', { errors: [{ path: '/dissent', message: 'names someone who is not a member' }] });
  }
}

export type BoardsService = ReturnType<typeof boardsService>;

const KNOWLEDGE_PRIORITY = (id: string) => (PRIORITIES as readonly { id: string; label: string }[]).find((p) => p.id === id)?.label ?? id.replaceAll('_', ' ');

function partSummary(c: OpinionDraft): string[] {
  const out: string[] = [];
  if (c.diagnosisReview?.reviewedDiagnosis) out.push(`Diagnosis: ${c.diagnosisReview.reviewedDiagnosis}${c.diagnosisReview.concordance ? ` (${c.diagnosisReview.concordance.replace('_', ' ')})` : ''}`);
  if (c.treatment?.stance) out.push(`Treatment: ${c.treatment.stance}${c.treatment.options?.length ? ` — ${c.treatment.options.map((o) => o.option).filter(Boolean).join('; ')}` : ''}`);
  if (c.surgery?.necessary) out.push(`Surgery necessary: ${c.surgery.necessary}`);
  if (c.trials?.length) out.push(`Trials: ${c.trials.map((t) => t.identifier).filter(Boolean).join(', ')}`);
  return out;
}
