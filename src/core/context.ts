import type { Locale } from './locale.ts';
import type { Role } from './auth/roles.ts';

/** Who is acting: the signed-in user as the access check and the audit trail see them. */
export interface Actor {
  userId: string;
  role: Role;
  name: string;
  email: string;
}

/** Where a request came from, recorded with every audit event. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** The language the answer's own texts are written in (Accept-Language); English when absent. */
  locale?: Locale;
}

export const SYSTEM_META: RequestMeta = { ip: null, userAgent: 'consilium-system' };
