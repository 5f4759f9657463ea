import { wordsIn } from '../core/i18n.ts';

/**
 * The mails an account receives (catalogue `mails`), in the person's saved language (English when
 * it is not one we write in). Links are passed in whole.
 */
export type SecurityChange = 'passwordChosenByLink' | 'passwordChanged' | 'mfaOn' | 'mfaReplaced' | 'mfaOff';
export interface Mail { subject: string; text: string }

export function accountMails(locale: string | null | undefined) {
  const t = wordsIn(locale);
  return {
    accountExists: (login: string, forgot: string): Mail => ({ subject: t('mails:account.exists.subject'), text: t('mails:account.exists.text', { login, forgot }) }),
    verifyEmail: (url: string): Mail => ({ subject: t('mails:account.verifyEmail.subject'), text: t('mails:account.verifyEmail.text', { url }) }),
    passwordReset: (url: string, minutes: number): Mail => ({ subject: t('mails:account.passwordReset.subject'), text: t('mails:account.passwordReset.text', { url, minutes }) }),
    /** A change to how the person signs in, with what to do if it was not them. */
    security: (change: SecurityChange, account: string): Mail => ({
      subject: t(`mails:account.security.${change}.subject`),
      text: `${t(`mails:account.security.${change}.what`)}\n\n${t('mails:account.security.footer', { account })}`,
    }),
    created: (url: string): Mail => ({ subject: t('mails:account.created.subject'), text: t('mails:account.created.text', { url }) }),
    passwordResetByAdmin: (url: string): Mail => ({ subject: t('mails:account.passwordResetByAdmin.subject'), text: t('mails:account.passwordResetByAdmin.text', { url }) }),
    /** An administrator removed the authenticator; staff must set up a new one, patients may. */
    mfaResetByAdmin: (staff: boolean): Mail => ({
      subject: t('mails:account.mfaResetByAdmin.subject'),
      text: `${staff ? t('mails:account.mfaResetByAdmin.staff') : t('mails:account.mfaResetByAdmin.patient')}\n\n${t('mails:account.byAdminFooter')}`,
    }),
  };
}
