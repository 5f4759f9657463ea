import i18n from './i18n.ts';
import type common from './messages/en/common.json';
import type records from './messages/en/records.json';

// Case statuses and roles as people read them; the words are in the catalogue (common:status, common:role).
type Status = keyof typeof common.status;
type Role = keyof typeof common.role;

/** Every role, in the order pick lists show them. */
export const ROLES = ['patient', 'referring_physician', 'coordinator', 'expert', 'board_chair', 'admin', 'interpreter'] as const satisfies readonly Role[];

/** A status the catalogue does not know (a newer server) shows as it is rather than as a key. */
export const statusLabel = (status: string): string => (i18n.exists(`common:status.${status}`) ? i18n.t(`common:status.${status as Status}`) : status);

export const roleLabel = (role: string): string => (i18n.exists(`common:role.${role}`) ? i18n.t(`common:role.${role as Role}`) : role);

/**
 * An imaging modality (DICOM's "CT", "MR", "PT") as readers of the interface's language know it
 * ("TC", "RM" in Spanish), with its full name; a code without words of ours shows as it is.
 */
export function modalityLabel(code: string): { short: string; name: string } {
  if (!i18n.exists(`records:modality.${code}.short`)) return { short: code, name: code };
  const known = code as keyof typeof records.modality;
  return { short: i18n.t(`records:modality.${known}.short`), name: i18n.t(`records:modality.${known}.name`) };
}
