import { wordsIn } from '../core/i18n.ts';

/**
 * The mail inviting a caregiver, in the language of the page the patient invited from (the
 * invitee has no account language yet). It names the inviter and the request's reference only.
 */
export function caregiverInvitationMail(locale: string | null | undefined, inviter: string, reference: string, url: string) {
  const t = wordsIn(locale);
  return { subject: t('mails:caregiverInvitation.subject', { inviter }), text: t('mails:caregiverInvitation.text', { inviter, reference, url }) };
}
