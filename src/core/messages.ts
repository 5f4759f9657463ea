/**
 * Error messages with a stable key and their parameters, so a client can word them in the
 * reader's language (problem details carry `key` and `params` beside the English `detail`).
 * New errors should be added here; older ones are moving over with the languages work.
 */
type None = Record<string, never>;

export const MESSAGES = {
  notFound: (p: { what: string }) => `${p.what} was not found, or you do not have access to it.`,
  'opinion.leadOnly': (p: { lead: string | null }) => `Only ${p.lead ? `the lead reviewer, ${p.lead},` : 'the lead reviewer'} issues the report and its later versions.`,
  'opinion.askLead': (p: { lead: string | null }) => `Ask the coordinator to make you the lead reviewer, or ask ${p.lead ?? 'the lead reviewer'} to issue it.`,
  'case.leadSettled': (_: None) => 'The report is issued; the lead reviewer can no longer change.',
  'case.leadNotAssigned': (_: None) => 'Choose one of the experts assigned to this case.',
  'case.coordinatorFirst': (_: None) => 'Take the case as its coordinator first.',
  'followup.closed': (_: None) => 'Follow-up questions are open for a while after the opinion is delivered; that time has passed or not begun.',
} satisfies Record<string, (params: never) => string>;

export type MessageKey = keyof typeof MESSAGES;
export type MessageParams<K extends MessageKey> = Parameters<(typeof MESSAGES)[K]>[0];

/** The English words of a message (the server's own language; clients may word the key themselves). */
export function message<K extends MessageKey>(key: K, params: MessageParams<K>): string {
  return (MESSAGES[key] as (p: MessageParams<K>) => string)(params);
}
