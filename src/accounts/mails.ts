import { asLocale, type Locale } from '../core/locale.ts';

/**
 * The words of the mails an account receives, per language: the person's saved language picks
 * them (staff accounts are created in English and can change it). Links are passed in whole.
 */
export type SecurityChange = 'passwordChosenByLink' | 'passwordChanged' | 'mfaOn' | 'mfaReplaced' | 'mfaOff';

interface AccountMails {
  accountExists: (login: string, forgot: string) => { subject: string; text: string };
  verifyEmail: (url: string) => { subject: string; text: string };
  passwordReset: (url: string, minutes: number) => { subject: string; text: string };
  security: Record<SecurityChange, { subject: string; what: string }>;
  securityFooter: (account: string) => string;
}

const MAILS: Record<Locale, AccountMails> = {
  en: {
    accountExists: (login, forgot) => ({
      subject: 'You already have a Consilium account',
      text: `Someone (perhaps you) tried to register with this address. You can sign in at ${login}. If you forgot your password, choose a new one at ${forgot}.`,
    }),
    verifyEmail: (url) => ({ subject: 'Confirm your email address', text: `Welcome to Consilium. Confirm your email address by opening this link within 48 hours:\n\n${url}\n` }),
    passwordReset: (url, minutes) => ({
      subject: 'Choose a new Consilium password',
      text: `Someone (we hope you) asked to choose a new password for your Consilium account. Open this link within ${minutes} minutes to choose one; it works once:\n\n${url}\n\nChoosing a new password signs you out everywhere else. If you did not ask for this, ignore this email: your password stays as it is.`,
    }),
    security: {
      passwordChosenByLink: { subject: 'Your password was changed', what: 'A new password was chosen for your Consilium account with a link sent to this address, and every signed-in session was ended.' },
      passwordChanged: { subject: 'Your password was changed', what: 'The password of your Consilium account was changed, and every other signed-in session was ended.' },
      mfaOn: { subject: 'Two-step sign-in is on', what: 'Two-step sign-in with an authenticator app was turned on for your Consilium account.' },
      mfaReplaced: { subject: 'Your authenticator app was changed', what: 'A new authenticator app was set up for your Consilium account; codes from the old one no longer work.' },
      mfaOff: { subject: 'Two-step sign-in is off', what: 'Two-step sign-in was turned off for your Consilium account: a password alone now signs you in.' },
    },
    securityFooter: (account) => `If this was you, there is nothing to do. If it was not, change your password at ${account} and end the sessions you do not recognise there, or contact the service.`,
  },
  es: {
    accountExists: (login, forgot) => ({
      subject: 'Usted ya tiene una cuenta en Consilium',
      text: `Alguien (quizás usted) trató de crear una cuenta con esta dirección. Puede iniciar sesión en ${login}. Si olvidó su contraseña, elija una nueva en ${forgot}.`,
    }),
    verifyEmail: (url) => ({ subject: 'Confirme su correo electrónico', text: `Bienvenido a Consilium. Para confirmar su correo electrónico, abra este enlace en las próximas 48 horas:\n\n${url}\n` }),
    passwordReset: (url, minutes) => ({
      subject: 'Elija una nueva contraseña de Consilium',
      text: `Alguien (esperamos que usted) pidió elegir una nueva contraseña para su cuenta de Consilium. Abra este enlace en los próximos ${minutes} minutos para elegirla. Solo sirve una vez:\n\n${url}\n\nAl elegir una nueva contraseña, se cerrarán sus otras sesiones. Si usted no lo pidió, no haga caso a este correo: su contraseña no cambia.`,
    }),
    security: {
      passwordChosenByLink: { subject: 'Su contraseña cambió', what: 'Se eligió una nueva contraseña para su cuenta de Consilium con un enlace enviado a esta dirección. Se cerraron todas las sesiones abiertas.' },
      passwordChanged: { subject: 'Su contraseña cambió', what: 'La contraseña de su cuenta de Consilium cambió. Se cerraron todas sus otras sesiones.' },
      mfaOn: { subject: 'El inicio de sesión en dos pasos está activado', what: 'Se activó el inicio de sesión en dos pasos con una aplicación de códigos para su cuenta de Consilium.' },
      mfaReplaced: { subject: 'Su aplicación de códigos cambió', what: 'Se configuró una nueva aplicación de códigos para su cuenta de Consilium. Los códigos de la anterior ya no sirven.' },
      mfaOff: { subject: 'El inicio de sesión en dos pasos está desactivado', what: 'Se desactivó el inicio de sesión en dos pasos de su cuenta de Consilium. Ahora basta con la contraseña para entrar.' },
    },
    securityFooter: (account) => `Si fue usted, no tiene que hacer nada. Si no fue usted, cambie su contraseña en ${account} y cierre allí las sesiones que no reconozca, o comuníquese con el servicio.`,
  },
};

/** The account mails in a person's saved language (English when it is not one we write in). */
export function accountMails(locale: string | null | undefined): AccountMails {
  return MAILS[asLocale(locale)];
}
