import type { CaseRow } from '../core/access.ts';
import type { Actor } from '../core/context.ts';
import { isPatientSide, type CaseRelation } from './lifecycle.ts';

/**
 * Who takes part in a case's conversations and appointments: the patient's side, the case's
 * experts and its coordinator. A board member reads the case for the meeting, nothing more.
 */
export function inCareTeamConversation(actor: Actor, opened: { row: CaseRow; relations: CaseRelation[] }): boolean {
  return isPatientSide(opened.relations) || opened.relations.includes('expert') || opened.row.coordinator_id === actor.userId;
}
