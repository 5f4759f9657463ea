import { z } from 'zod';

/**
 * What an audit event's `detail` may hold. The trail is kept for years, copied to other systems and
 * shown to patients and administrators, so it must never carry health data: no file names (they
 * can name a diagnosis), no free text, no clinical values. Only the keys below are accepted, each
 * as a count, a flag, an identifier or a short code (a token without spaces), and anything else
 * makes the write fail, so a careless caller is caught by its first test, not by a reader.
 */
const Count = z.number().int().min(0);
const Flag = z.boolean();
// A machine code such as a status, role, section or document kind: no spaces, no free text.
const Code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);
const Id = z.union([z.uuid(), z.string().regex(/^[0-9.]{1,64}$/)]);

export const AuditDetail = z.strictObject({
  count: Count.optional(),
  cases: Count.optional(),
  checked: Count.optional(),
  stored: Count.optional(),
  failed: Count.optional(),
  instances: Count.optional(),
  results: Count.optional(),
  size: Count.optional(),
  version: z.union([Count, Code]).optional(),
  sessions: Count.optional(),
  retainLongitudinal: z.union([Flag, Code]).nullable().optional(),
  cleanDescriptors: Flag.optional(),
  includeBurnedIn: Flag.optional(),
  from: Code.nullable().optional(),
  to: Code.nullable().optional(),
  status: Code.optional(),
  role: Code.optional(),
  mfaState: Code.optional(),
  urgency: Code.optional(),
  section: Code.optional(),
  document: Code.optional(),
  language: Code.optional(),
  kind: Code.optional(),
  format: Code.optional(),
  level: Code.optional(),
  code: Code.optional(),
  contentType: Code.optional(),
  part: Code.optional(),
  itemId: Code.optional(),
  via: Code.optional(),
  reason: Code.optional(),
  userId: Id.optional(),
  expertId: Id.optional(),
  studyUid: Id.nullable().optional(),
  seriesUid: Id.nullable().optional(),
});
export type AuditDetail = z.infer<typeof AuditDetail>;

/** The detail as it will be stored, or an error naming the action and the offending keys. */
export function checkedAuditDetail(action: string, detail: Record<string, unknown> | undefined): AuditDetail {
  const parsed = AuditDetail.safeParse(detail ?? {});
  if (parsed.success) return parsed.data;
  const keys = parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.'))).join(', ');
  throw new Error(`Audit detail of "${action}" refused (only counts, flags, identifiers and codes may be recorded): ${keys}`);
}
