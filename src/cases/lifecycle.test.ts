import { wordsIn } from '../core/i18n.ts';
import { describe, expect, it } from 'vitest';
import { availableCommands, CASE_COMMAND_NAMES, CASE_COMMANDS, CASE_STATUSES, decide, type GuardFacts } from './lifecycle.ts';

const facts = (over: Partial<GuardFacts> = {}): GuardFacts => ({
  status: 'draft', statusBeforeHold: null, actorRole: 'patient', actorRelations: ['patient'], actorIsCoordinator: false,
  missingIntakeSections: [], unsignedConsents: [], checklistOutstanding: [], ...over,
});
const coord = (status: GuardFacts['status'], over: Partial<GuardFacts> = {}) => facts({ status, actorRole: 'coordinator', actorRelations: [], actorIsCoordinator: true, ...over });

describe('case lifecycle', () => {
  it('lets an expert accept only with an open offer', () => {
    const expert = (over: Partial<GuardFacts>) => facts({ status: 'ready_for_review', actorRole: 'expert', actorRelations: [], ...over });
    expect(decide('acceptAssignment', expert({ offerPending: true }))).toEqual({ ok: true, to: 'assigned' });
    expect(decide('acceptAssignment', expert({ offerPending: false }))).toMatchObject({ ok: false, code: 'GUARD_FAILED' });
  });

  it('will not mark a case ready for review while checklist items are missing and not waived', () => {
    const d = decide('markReadyForReview', coord('collecting_records', { checklistOutstanding: ['Pathology reports'] }));
    expect(d).toMatchObject({ ok: false, code: 'GUARD_FAILED' });
    expect(JSON.stringify(d)).toContain('Pathology reports');
  });

  it('submits a complete, consented draft', () => {
    expect(decide('submit', facts())).toEqual({ ok: true, to: 'submitted' });
  });

  it('names every unmet condition of a submission', () => {
    const d = decide('submit', facts({ missingIntakeSections: ['plan'], unsignedConsents: ['hipaa_authorization'] }));
    expect(d).toEqual({ ok: false, code: 'GUARD_FAILED', unmet: ['Complete the “proposed plan” step of the intake.', 'Sign the HIPAA authorization.'] });
  });

  it('names them in the words of whoever asks', () => {
    const d = decide('submit', facts({ missingIntakeSections: ['plan'], unsignedConsents: ['hipaa_authorization'], words: wordsIn('es'), locale: 'es' }));
    expect(d).toEqual({ ok: false, code: 'GUARD_FAILED', unmet: ['Complete el paso “plan propuesto” de la solicitud.', 'Firme la autorización HIPAA.'] });
    expect(decide('deliver', facts({ status: 'draft', actorRole: 'coordinator', words: wordsIn('es') }))).toMatchObject({ unmet: ['“Entregar la opinión” no es posible mientras la solicitud está “Borrador”.'] });
    expect(decide('deliver', facts({ status: 'draft', actorRole: 'coordinator' }))).toMatchObject({ unmet: ['“Deliver the opinion” is not possible while the case is draft.'] });
  });

  it('refuses a command from a state it does not start from', () => {
    expect(decide('deliver', coord('submitted'))).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
    expect(decide('submit', facts({ status: 'submitted' }))).toMatchObject({ ok: false, code: 'ILLEGAL_TRANSITION' });
  });

  it('refuses a role the command is not for', () => {
    expect(decide('startRecordCollection', facts({ status: 'submitted' }))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(decide('signOpinion', coord('in_review'))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('walks the happy path from submitted to closed', () => {
    const path: [string, GuardFacts, string][] = [
      ['startRecordCollection', coord('submitted', { actorIsCoordinator: false }), 'collecting_records'],
      ['markReadyForReview', coord('collecting_records'), 'ready_for_review'],
      ['assignExpert', coord('ready_for_review', { expertCandidate: { exists: true, isExpert: true, active: true, isPatientSide: false } }), 'assigned'],
      ['startReview', facts({ status: 'assigned', actorRole: 'expert', actorRelations: ['expert'] }), 'in_review'],
      ['referToBoard', facts({ status: 'in_review', actorRole: 'expert', actorRelations: ['expert'] }), 'board'],
      ['returnFromBoard', facts({ status: 'board', actorRole: 'board_chair', actorRelations: ['board_chair'] }), 'in_review'],
      ['signOpinion', facts({ status: 'in_review', actorRole: 'expert', actorRelations: ['expert'], reportIssued: true }), 'opinion_signed'],
      ['deliver', { ...coord('opinion_signed'), reportIssued: true }, 'delivered'],
      ['close', coord('delivered'), 'closed'],
    ];
    for (const [cmd, f, to] of path) expect(decide(cmd as never, f), cmd).toEqual({ ok: true, to });
  });

  it('lets only the chair of the case’s board bring it back, not a chair who merely sits on a session', () => {
    expect(decide('returnFromBoard', facts({ status: 'board', actorRole: 'board_chair', actorRelations: ['board_member'] }))).toMatchObject({ code: 'GUARD_FAILED' });
  });

  it('guards expert assignment: must be an active expert with no patient-side role', () => {
    const base = { exists: true, isExpert: true, active: true, isPatientSide: false };
    expect(decide('assignExpert', coord('ready_for_review'))).toMatchObject({ unmet: ['Choose an expert.'] });
    expect(decide('assignExpert', coord('ready_for_review', { expertCandidate: { ...base, isExpert: false } }))).toMatchObject({ code: 'GUARD_FAILED' });
    expect(decide('assignExpert', coord('ready_for_review', { expertCandidate: { ...base, active: false } }))).toMatchObject({ code: 'GUARD_FAILED' });
    expect(decide('assignExpert', coord('ready_for_review', { expertCandidate: { ...base, isPatientSide: true } }))).toMatchObject({ code: 'GUARD_FAILED' });
  });

  it('only the assigned expert reviews and signs', () => {
    expect(decide('startReview', facts({ status: 'assigned', actorRole: 'expert', actorRelations: [] }))).toMatchObject({ code: 'GUARD_FAILED' });
  });

  it('holds from any open non-draft state with a reason and resumes to where it was', () => {
    for (const s of CASE_STATUSES.filter((x) => !['draft', 'on_hold', 'closed', 'cancelled'].includes(x))) {
      expect(decide('hold', coord(s, { reason: 'waiting' })), s).toEqual({ ok: true, to: 'on_hold' });
    }
    expect(decide('hold', coord('submitted'))).toMatchObject({ code: 'GUARD_FAILED', unmet: ['Give a reason.'] });
    expect(decide('resume', coord('on_hold', { statusBeforeHold: 'assigned' }))).toEqual({ ok: true, to: 'assigned' });
    expect(decide('resume', coord('on_hold'))).toMatchObject({ ok: false });
  });

  it('patients delete a draft, cancel only before records collection; coordinators any open state but delivered; never a final one', () => {
    expect(decide('discard', facts({}))).toEqual({ ok: true, to: 'cancelled' });
    expect(decide('discard', facts({ status: 'submitted' }))).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(decide('cancel', facts({ reason: 'changed mind' }))).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(decide('cancel', facts({ status: 'submitted', reason: 'changed mind' }))).toEqual({ ok: true, to: 'cancelled' });
    expect(decide('cancel', coord('delivered', { reason: 'duplicate request' }))).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
    expect(decide('cancel', facts({ status: 'collecting_records', reason: 'x y z' }))).toMatchObject({ code: 'GUARD_FAILED' });
    expect(decide('cancel', coord('in_review', { reason: 'duplicate request' }))).toEqual({ ok: true, to: 'cancelled' });
    expect(decide('cancel', coord('closed', { reason: 'duplicate' }))).toMatchObject({ code: 'ILLEGAL_TRANSITION' });
  });

  it('closes a delivered case after the follow-up period only as the service itself, never for a person', () => {
    const system = (over: Partial<GuardFacts>) => facts({ status: 'delivered', actorRole: 'system', actorRelations: [], ...over });
    expect(decide('closeAfterFollowup', system({ followupEnded: true }))).toEqual({ ok: true, to: 'closed' });
    expect(decide('closeAfterFollowup', system({ followupEnded: false }))).toMatchObject({ ok: false, code: 'GUARD_FAILED' });
    expect(decide('closeAfterFollowup', coord('delivered', { followupEnded: true }))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
    expect(availableCommands('delivered', 'coordinator')).not.toContain('closeAfterFollowup');
  });

  it('lists the commands a role could issue from a state', () => {
    expect(availableCommands('submitted', 'coordinator')).toEqual(['startRecordCollection', 'hold', 'cancel']);
    expect(availableCommands('draft', 'patient')).toEqual(['submit', 'discard']);
    expect(availableCommands('closed', 'coordinator')).toEqual([]);
  });

  it('every command leads to a known state', () => {
    for (const c of CASE_COMMAND_NAMES) {
      const def = CASE_COMMANDS[c];
      expect(def.to === null || CASE_STATUSES.includes(def.to)).toBe(true);
    }
  });
});
