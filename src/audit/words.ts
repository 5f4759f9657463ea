import { CASE_COMMANDS, type CaseCommand } from '../cases/lifecycle.ts';
import type { Locale } from '../core/locale.ts';
import { ACCOUNT_ES, COMMANDS_DONE_ES, EXACT_ES, FHIR_ES, FHIR_FALLBACK_ES, fhirReadEs, LOOKED_ES, WORKED_ES } from './words.es.ts';

/**
 * The audit trail in words, for the patient's "who opened it" page and staff screens: every
 * action recorded is said as what the person did, never as the code the trail stores.
 */
const EXACT: Record<string, string> = {
  'case.read': 'Opened the request', 'case.list': 'Saw the request in a list', 'case.create': 'Started the request',
  'case.timeline.read': 'Looked at the timeline', 'case.accessLog.read': 'Looked at who opened the request', 'case.assessment.read': 'Looked at the assessment', 'case.estimate.read': 'Looked at the cost estimate', 'fees.change': 'Changed the fees', 'coverage.check.list': 'Looked at what the insurer said', 'coverage.check.add': 'Recorded what the insurer said', 'coverage.card.list': 'Looked at the insurance card', 'coverage.card.read': 'Opened a photo of the insurance card', 'coverage.card.upload': 'Added a photo of the insurance card', 'coverage.card.remove': 'Removed a photo of the insurance card', 'coverage.card.apply': 'Put the insurance card’s numbers on the request',
  'invoice.list': 'Looked at the bills', 'invoice.draft': 'Drafted a bill', 'invoice.update': 'Changed a draft bill', 'invoice.discard': 'Discarded a draft bill', 'invoice.issue': 'Issued a bill', 'invoice.payment': 'Recorded a payment', 'invoice.void': 'Voided a bill', 'invoice.writeOff': 'Waived what was owed on a bill', 'invoice.hardship': 'Asked for help paying a bill', 'invoice.pdf': 'Downloaded a bill', 'invoice.superbill': 'Downloaded a statement for the health plan', 'invoice.assistance': 'Decided a request for help with a bill', 'invoice.checkout': 'Went to pay a bill online', 'invoice.payment.online': 'A payment online was confirmed',
  'case.matches.read': 'Looked at matching experts', 'case.intake.write': 'Filled in the request', 'case.consent.sign': 'Signed a consent form',
  'case.lead.set': 'Named the lead reviewer', 'case.urgency.set': 'Changed the urgency',
  'case.proxy.invite': 'Invited a caregiver', 'case.proxy.accept': 'Joined as a caregiver', 'case.proxy.revoke': 'Removed a caregiver',
  'case.proxy.invitation.withdraw': 'Withdrew a caregiver invitation', 'case.proxy.invitations.read': 'Looked at caregiver invitations',
  'checklist.read': 'Looked at the records checklist', 'checklist.waive': 'Marked a checklist item as not needed', 'checklist.unwaive': 'Asked again for a checklist item',
  'clinical.read': 'Looked at the medical history', 'document.create': 'Added a record', 'document.duplicate': 'Tried to add a record already on file',
  'document.list': 'Looked at the records', 'document.read': 'Opened a record', 'document.classify': 'Sorted a record', 'document.text.read': 'Read a record', 'document.download': 'Downloaded a record',
  'imaging.store': 'Added images', 'imaging.list': 'Looked at the images', 'imaging.search': 'Looked for images', 'imaging.retrieve': 'Viewed images', 'imaging.export': 'Exported images without names',
  'pathology.slides.list': 'Looked at the list of digital slides', 'pathology.slide.open': 'Viewed a digital slide', 'pathology.slide.picture': 'Viewed the label or overview photo of a slide', 'pathology.slide.describe': 'Named the block and stain of a slide',
  'trials.candidates.read': 'Looked at clinical trials for the request', 'trials.sync.run': 'Asked for a refresh of the list of clinical trials',
  'pathology.annotations.read': 'Looked at slide measurements', 'pathology.annotation.create': 'Measured on a slide', 'pathology.annotation.delete': 'Removed a slide measurement', 'pathology.annotations.export': 'Exported slide measurements',
  'imaging.measurement.create': 'Measured on an image', 'imaging.measurement.delete': 'Removed a measurement', 'imaging.measurements.read': 'Looked at image measurements',
  'offer.create': 'Offered the case to an expert', 'offer.accept': 'Accepted the case', 'offer.decline': 'Declined the case', 'offer.list': 'Looked at offers to experts',
  'opinion.workspace.read': 'Opened the opinion', 'opinion.draft.save': 'Worked on the opinion', 'opinion.note.create': 'Wrote a private review note',
  'opinion.sign': 'Signed their part of the opinion', 'opinion.report.download': 'Downloaded the opinion', 'opinion.translation.download': 'Downloaded the translated summary', 'opinion.followup.read': 'Read the follow-up messages',
  'opinion.followup.create': 'Wrote a follow-up message', 'opinion.survey.create': 'Answered the survey',
  'opinion.issue.original': 'Issued the opinion', 'case.opinion.translate': 'Attached a translation of the opinion summary', 'opinion.issue.addendum': 'Added an addendum to the opinion', 'opinion.issue.amendment': 'Corrected the opinion',
  'roi.create': 'Asked a hospital for records', 'roi.letter': 'Printed a records request letter', 'roi.list': 'Looked at records requests', 'roi.status': 'Updated a records request',
  'specimen.create': 'Asked for slides or samples', 'specimen.label': 'Printed a label for slides or samples', 'specimen.list': 'Looked at slides and samples', 'specimen.step': 'Updated slides or samples',
  'board.case.read': 'Looked at the tumor board proposal', 'board.request': 'Asked for a tumor board discussion', 'board.confirm': 'Confirmed the case for a tumor board',
  'board.decline': 'Decided a tumor board was not needed', 'board.proposals.list': 'Saw the case among those waiting for a tumor board', 'board.session.read': 'Saw the case on a tumor board agenda',
  'board.agenda.add': 'Put the case on a tumor board agenda', 'board.agenda.remove': 'Took the case off a tumor board agenda', 'board.agenda.order': 'Ordered a tumor board agenda',
  'board.agenda.read': 'Looked at a tumor board agenda', 'board.agenda.time': 'Set the time for the case at a tumor board', 'board.present': 'Presented the case at a tumor board',
  'board.presentation.read': 'Read the case’s tumor board presentation', 'board.minutes.read': 'Looked at the tumor board minutes', 'board.minutes.save': 'Wrote the tumor board minutes',
  'board.minutes.confirm': 'Confirmed the tumor board minutes',
  'message.threads.read': 'Looked at the messages', 'message.read': 'Read a conversation', 'message.create': 'Wrote a message',
  'visit.list': 'Looked at the video visits', 'visit.read': 'Opened a video visit', 'visit.slots.read': 'Looked for a time for a video visit', 'visit.book': 'Booked a video visit', 'visit.cancel': 'Cancelled a video visit', 'visit.move': 'Moved a video visit', 'visit.interpreters.list': 'Looked for an interpreter for a video visit', 'visit.interpreter.set': 'Booked an interpreter for a video visit', 'visit.room.enter': 'Entered a video visit',
  'visit.room.leave': 'Left a video visit', 'visit.room.admit': 'Let someone into a video visit', 'visit.end': 'Ended a video visit',
  'expert.inbox.read': 'Saw the case in their inbox', 'notification.send': 'Sent a notice', 'notification.list': 'Saw a notice', 'notification.read': 'Read a notice',
};
/** What people do outside any one case: on the administrator's audit trail. */
const ACCOUNT: Record<string, string> = {
  'user.register': 'Created their account', 'user.verify_email': 'Confirmed their email address', 'user.login': 'Signed in', 'user.logout': 'Signed out', 'user.locale': 'Chose the language of their pages',
  'user.create': 'Created a staff account', 'user.list': 'Looked at the accounts', 'user.set_password': 'Chose a password with an emailed link',
  'user.password_change': 'Changed their password', 'user.password_reset': 'Reset a password', 'user.password_reset_request': 'Asked for a password reset',
  'user.mfa_setup': 'Started setting up an authenticator app', 'user.mfa_enable': 'Turned on two-step sign-in', 'user.mfa_verify': 'Entered an authenticator code',
  'user.mfa_disable': 'Turned off two-step sign-in', 'user.mfa_reset': 'Reset someone’s two-step sign-in', 'user.sessions.read': 'Looked at their signed-in devices',
  'user.sessions.end': 'Signed out other devices', 'audit.read': 'Looked at the audit trail', 'audit.verify': 'Checked the audit trail’s chain',
  'mail.read': 'Looked at the mail outbox', 'outcomes.read': 'Looked at the outcome figures', 'billing.report.read': 'Looked at the billing report', 'expert.directory.export': 'Exported the expert directory',
  'expert.profile.save': 'Updated an expert profile', 'expert.visitHours.save': 'Set their hours for video visits',
  'board.session.create': 'Scheduled a tumor board session', 'board.session.cancel': 'Cancelled a tumor board session', 'board.session.change': 'Moved a tumor board session', 'board.session.join': 'Joined a tumor board session',
  'board.member.invite': 'Invited a member to a tumor board session', 'board.member.remove': 'Removed a member from a tumor board session',
  'board.attendance': 'Recorded attendance at a tumor board session', 'board.presenter': 'Handed over the tumor board presentation',
};

/** A lifecycle command said as done (the command's own label is what a button says). */
const COMMANDS_DONE: Record<CaseCommand, string> = {
  submit: 'Sent the request', discard: 'Deleted the draft', startRecordCollection: 'Started gathering records', markReadyForReview: 'Marked the request ready for review',
  acceptAssignment: 'Took the case', assignExpert: 'Assigned an expert', startReview: 'Started the review', referToBoard: 'Sent the case to the tumor board',
  returnFromBoard: 'Brought the case back from the tumor board', signOpinion: 'Signed the opinion', deliver: 'Sent the opinion', close: 'Closed the case',
  closeAfterFollowup: 'Closed the case after the follow-up period', hold: 'Put the request on hold', resume: 'Took the request off hold', cancel: 'Cancelled the request',
};
const FHIR: Record<string, string> = {
  Patient: 'personal details', ServiceRequest: 'the request', Consent: 'consent forms', Coverage: 'the health insurance details', Invoice: 'the bills', Claim: 'the statements for the health plan', DiagnosticReport: 'the opinion', Appointment: 'video visits', AuditEvent: 'the access history', Observation: 'results',
};

export function describeAction(action: string, locale: Locale = 'en'): string {
  const es = locale === 'es';
  const exact = es ? EXACT_ES[action] ?? ACCOUNT_ES[action] : EXACT[action] ?? ACCOUNT[action];
  if (exact) return exact;
  const command = /^case\.(\w+)$/.exec(action)?.[1];
  if (command && command in CASE_COMMANDS) return (es ? COMMANDS_DONE_ES : COMMANDS_DONE)[command as CaseCommand];
  const fhir = /^fhir\.(\w+)\.(read|search)$/.exec(action);
  if (fhir) return es ? fhirReadEs(FHIR_ES[fhir[1]!] ?? FHIR_FALLBACK_ES) : `Read ${FHIR[fhir[1]!] ?? 'records'} through a connected system`;
  if (action.endsWith('.read') || action.endsWith('.list')) return es ? LOOKED_ES : 'Looked at the request';
  return es ? WORKED_ES : 'Worked on the request';
}

/** The keys of each English table, for the test that the Spanish has every one. */
export const ENGLISH_TABLES = { EXACT, ACCOUNT, COMMANDS_DONE, FHIR };
