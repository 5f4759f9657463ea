import { z } from 'zod';
import { LOCALES } from '../core/locale.ts';
import { ROLES, STAFF_ROLES } from '../core/auth/roles.ts';

/**
 * An e-mail address, normalised once here at the edge (trimmed, lower case) for every use: the
 * lookup, the sign-in limits and the audit trail all see the same address.
 */
export const Email = z.string().trim().toLowerCase().pipe(z.email('Enter an email address like name@example.org.').max(254));
// NIST SP 800-63B: at least 8 characters, allow long passphrases; we ask for 10. Strength is
// judged by the estimator in the service (it needs the person's name and address).
export const Password = z.string().min(10, 'Use at least 10 characters.').max(200);
export const PersonName = z.string().trim().min(1).max(200);

export const RegisterBody = z.strictObject({
  email: Email, name: PersonName, password: Password,
  /** The language the account's mail and pages use; the one the request asks in (Accept-Language) when not given. */
  locale: z.enum(LOCALES).optional(),
});
export const LocaleBody = z.strictObject({ locale: z.enum(LOCALES) });
export const LoginBody = z.strictObject({ email: z.string().trim().toLowerCase().pipe(z.string().max(254)), password: z.string().max(200) });
export const StepUpBody = z.strictObject({ password: z.string().min(1, 'Enter your password.').max(200), code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code.').optional() });
export const ChangePasswordBody = z.strictObject({ currentPassword: z.string().min(1, 'Enter your current password.').max(200), code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code.').optional(), newPassword: Password });
export const PasswordStrengthBody = z.strictObject({ password: z.string().max(200), email: z.string().max(254).optional(), name: z.string().max(200).optional(), token: z.string().min(10).max(100).optional() });
export const PasswordStrengthView = z.object({ ok: z.boolean(), score: z.number().int().min(0).max(4), advice: z.array(z.string()) });
export const SessionView = z.object({
  id: z.uuid(), device: z.string(), ipAddress: z.string().nullable(), createdAt: z.string(), lastUsedAt: z.string(), current: z.boolean(),
}).meta({ id: 'Session' });
export const TokenBody = z.strictObject({ token: z.string().min(10).max(100) });
export const SetPasswordBody = z.strictObject({ token: z.string().min(10).max(100), password: Password });
// A malformed address is refused on its form alone, which says nothing about who has an account.
export const ForgotPasswordBody = z.strictObject({ email: Email });
export const ForgotPasswordView = z.object({ ok: z.literal(true), linkValidMinutes: z.number().int() });
export const CodeBody = z.strictObject({ code: z.string().regex(/^\d{6}$/, 'Enter the 6-digit code.') });

export const MfaState = z.enum(['ok', 'pending', 'enroll_required']);
export const UserView = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    mfaEnabled: z.boolean(),
    emailVerified: z.boolean(),
    disabled: z.boolean(),
    createdAt: z.string(),
    /** For medical interpreters: the languages they interpret (ISO 639 codes). */
    interprets: z.array(z.string()),
    /** The language of the person's pages and mail; null until they choose one (pages follow the device, mail is in English). */
    locale: z.enum(LOCALES).nullable(),
  })
  .meta({ id: 'User' });

export const MeView = z.object({
  user: UserView,
  session: z.object({ mfaState: MfaState, expiresAt: z.string(), idleExpiresAt: z.string() }),
  demo: z.boolean(),
});

export const MfaSetupView = z.object({ secret: z.string(), otpauthUri: z.string(), qrDataUrl: z.string() });

export const LanguageCode = z.string().trim().toLowerCase().regex(/^[a-z]{2,3}$/, 'a language code such as es');
export const CreateUserBody = z.strictObject({
  email: Email, name: PersonName, role: z.enum(STAFF_ROLES as [string, ...string[]]),
  interprets: z.array(LanguageCode).max(20).optional(),
}).refine((u) => u.role !== 'interpreter' || (u.interprets?.length ?? 0) > 0, { message: 'Choose the languages the interpreter works in.' })
  .refine((u) => u.role === 'interpreter' || !u.interprets?.length, { message: 'Only interpreters have interpreting languages.' });
export const UserListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  role: z.enum(ROLES).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
});
export const UpdateUserBody = z.strictObject({ disabled: z.boolean() });
