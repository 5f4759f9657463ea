import { Alert, Badge, List, SimpleGrid, Text } from '@mantine/core';
import { Children } from 'react';
import { ApiError, STATUS_COLORS, STATUS_LABELS } from './api.ts';

/** Shows an API error in plain words, with the fields or conditions that need attention. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <Alert color="red" title={e?.status === 404 ? 'Not found' : 'Please check'} role="alert" data-testid="error">
      {/* With field errors, the list says it all: the detail repeats them with their paths (or is the one unmet condition). */}
      {e && (e.errors.length > 0 || e.unmet.includes(e.message)) ? null : error instanceof Error ? error.message : String(error)}
      {e && (e.unmet.length > 0 || e.errors.length > 0) && (
        <List size="sm" mt="xs">
          {e.unmet.map((u) => <List.Item key={u}>{u}</List.Item>)}
          {e.errors.map((x) => <List.Item key={x.path + x.message}>{fieldName(x.path)}: {plainMessage(x.message)}</List.Item>)}
        </List>
      )}
    </Alert>
  );
}

/** The validator's own words ("Too small: expected number to be >=0") said for people; our messages pass as they are. */
const PLAIN: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^Too small: expected string to have >=(\d+) characters?$/, (m) => `is too short (at least ${m[1]} characters)`],
  [/^Too big: expected string to have <=(\d+) characters?$/, (m) => `is too long (at most ${m[1]} characters)`],
  [/^Too small: expected number to be >=?(.+)$/, (m) => `must be ${m[1]} or more`],
  [/^Too big: expected number to be <=?(.+)$/, (m) => `must be ${m[1]} or less`],
  [/^Too small: expected array to have >=(\d+) items?$/, (m) => `needs at least ${m[1]}`],
  [/^Invalid input: expected \w+, received undefined$/, () => 'is missing'],
  [/^Invalid (input|UUID|uuid|string|date|ISO date)/, () => 'is not valid'],
  [/^Invalid option/, () => 'is not one of the choices'],
  [/^Invalid email address$/, () => 'is not a valid e-mail address'],
];
export function plainMessage(message: string): string {
  for (const [re, say] of PLAIN) {
    const m = message.match(re);
    if (m) return say(m);
  }
  return message;
}

function fieldName(path: string): string {
  const last = path.split('/').filter(Boolean).filter((p) => !/^\d+$/.test(p)).pop() ?? 'field';
  return last.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light">{STATUS_LABELS[status] ?? status}</Badge>;
}

export function UrgencyBadge({ urgency }: { urgency: string }) {
  return urgency === 'expedited' ? <Badge color="red" variant="filled">Expedited</Badge> : <Badge color="gray" variant="outline">Standard</Badge>;
}

const SLA_STYLE: Record<string, { color: string; label: string }> = {
  on_track: { color: 'gray', label: 'On track' }, at_risk: { color: 'orange', label: 'At risk' }, breached: { color: 'red', label: 'Overdue' }, met: { color: 'green', label: 'Met' },
};

/** The opinion's due date against the service level: at-risk and overdue cases stand out. */
export function SlaBadge({ sla }: { sla: { dueAt: string; state: string; businessDaysLeft: number } | null }) {
  if (!sla) return <Text span c="dimmed" size="sm">—</Text>;
  const s = SLA_STYLE[sla.state]!;
  return (
    <Badge color={s.color} variant={sla.state === 'on_track' || sla.state === 'met' ? 'light' : 'filled'} title={`Due ${new Date(sla.dueAt).toLocaleString()}`} data-testid="sla">
      {s.label} · {new Date(sla.dueAt).toLocaleDateString(undefined, { month: 'short', day: 'numeric' })}
    </Badge>
  );
}

/** Form fields side by side where there is room, one under another on a phone. */
export function FieldRow({ children }: { children: React.ReactNode }) {
  const n = Children.toArray(children).length;
  return <SimpleGrid cols={{ base: 1, sm: Math.min(n, 3) }} spacing="sm">{children}</SimpleGrid>;
}
