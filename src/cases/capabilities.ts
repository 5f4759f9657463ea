import { z } from 'zod';
import type { CaseRow } from '../core/access.ts';
import { roleAllows, type Permission } from '../core/auth/roles.ts';
import type { Actor } from '../core/context.ts';
import { DELIVERED_STATES, OPEN_FOR_RECORDS, REVIEW_SETTLED_STATES } from './lifecycle.ts';

/**
 * What the caller may do on a case right now, decided here by the same permissions and state
 * rules the routes enforce, so the web app shows a panel or a button only when it will work,
 * and never keeps a copy of the rules.
 */
export const CaseCapabilities = z.object({
  uploadRecords: z.boolean(),
  curateRecords: z.boolean(),
  readOpinion: z.boolean(),
  writeOpinion: z.boolean(),
  askFollowup: z.boolean(),
  answerSurvey: z.boolean(),
  matchExperts: z.boolean(),
  setUrgency: z.boolean(),
  setLead: z.boolean(),
  manageCaregivers: z.boolean(),
  readAccessLog: z.boolean(),
  annotateImaging: z.boolean(),
  exportImaging: z.boolean(),
});
export type CaseCapabilities = z.infer<typeof CaseCapabilities>;

/** Assumes the caller already holds a grant on the case (the detail is only built for them). */
export function caseCapabilities(actor: Actor, row: Pick<CaseRow, 'status' | 'coordinator_id'>, facts: { surveyAnswered: boolean } = { surveyAnswered: false }): CaseCapabilities {
  const may = (p: Permission) => roleAllows(actor.role, p);
  const submitted = row.status !== 'draft';
  const coordinates = row.coordinator_id === actor.userId;
  return {
    uploadRecords: may('case.records.write') && OPEN_FOR_RECORDS.includes(row.status),
    curateRecords: may('case.records.curate'),
    readOpinion: may('case.opinion.read') && submitted,
    writeOpinion: may('case.opinion.write'),
    askFollowup: may('case.followup.write') && DELIVERED_STATES.includes(row.status),
    // One survey per case: once answered it is never asked again.
    answerSurvey: may('case.survey.write') && DELIVERED_STATES.includes(row.status) && !facts.surveyAnswered,
    matchExperts: may('case.experts.match') && submitted,
    setUrgency: may('case.urgency.set') && coordinates,
    setLead: may('case.experts.match') && coordinates && !REVIEW_SETTLED_STATES.includes(row.status),
    manageCaregivers: may('case.proxy.manage'),
    readAccessLog: may('case.accessLog.read'),
    annotateImaging: may('case.imaging.annotate'),
    exportImaging: may('case.imaging.export'),
  };
}
