import { asLocale, type Locale } from '../core/locale.ts';

/**
 * The mail inviting a caregiver, in the language of the page the patient invited from (the
 * invitee has no account language yet). It names the inviter and the request's reference only.
 */
const WORDS: Record<Locale, (inviter: string, reference: string, url: string) => { subject: string; text: string }> = {
  en: (inviter, reference, url) => ({
    subject: `${inviter} invites you to help with a second-opinion request`,
    text: `${inviter} invites you to act as their caregiver on a second-opinion request (${reference}) at Consilium.\n\nOpen this link within 7 days, then sign in or register with this email address to accept:\n\n${url}\n`,
  }),
  es: (inviter, reference, url) => ({
    subject: `${inviter} le invita a ayudar con una solicitud de segunda opinión`,
    text: `${inviter} le invita a acompañarle como cuidador o cuidadora en una solicitud de segunda opinión (${reference}) en Consilium.\n\nAbra este enlace en los próximos 7 días. Después, inicie sesión o cree una cuenta con esta dirección de correo para aceptar:\n\n${url}\n`,
  }),
};

export const caregiverInvitationMail = (locale: string | null | undefined, inviter: string, reference: string, url: string) => WORDS[asLocale(locale)](inviter, reference, url);
