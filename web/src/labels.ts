import i18n from './i18n.ts';
import type common from './messages/en/common.json';

// Case statuses and roles as people read them; the words are in the catalogue (common:status, common:role).
type Status = keyof typeof common.status;
type Role = keyof typeof common.role;

/** Every role, in the order pick lists show them. */
export const ROLES = ['patient', 'referring_physician', 'coordinator', 'expert', 'board_chair', 'admin', 'interpreter'] as const satisfies readonly Role[];

/** A status the catalogue does not know (a newer server) shows as it is rather than as a key. */
export const statusLabel = (status: string): string => (i18n.exists(`common:status.${status}`) ? i18n.t(`common:status.${status as Status}`) : status);

export const roleLabel = (role: string): string => (i18n.exists(`common:role.${role}`) ? i18n.t(`common:role.${role as Role}`) : role);
