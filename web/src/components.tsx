import { formatLocale } from './i18n.ts';
import { Alert, Badge, Box, List, SimpleGrid, Table, Text } from '@mantine/core';
import type { TFunction } from 'i18next';
import { Children, useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, STATUS_COLORS } from './api.ts';
import { statusLabel } from './labels.ts';

/**
 * Shows an API error in plain words, with the fields or conditions that need attention. A form
 * passes `fieldLabel` so each field is named as its label reads on the screen, not by its key.
 */
export function ErrorNote({ error, fieldLabel }: { error: unknown; fieldLabel?: (path: string) => string | undefined }) {
  const { t } = useTranslation();
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <Alert color="red" title={e?.status === 404 ? t('common:error.notFound') : t('common:error.check')} role="alert" data-testid="error">
      {/* With field errors, the list says it all: the detail repeats them with their paths (or is the one unmet condition). */}
      {e && (e.errors.length > 0 || e.unmet.includes(e.message)) ? null : error instanceof Error ? error.message : String(error)}
      {e && (e.unmet.length > 0 || e.errors.length > 0) && (
        <List size="sm" mt="xs">
          {e.unmet.map((u) => <List.Item key={u}>{u}</List.Item>)}
          {fieldProblems(e.errors, t, fieldLabel).map(([field, problem]) => <List.Item key={field + problem}>{t('common:error.field', { field, problem })}</List.Item>)}
        </List>
      )}
    </Alert>
  );
}

/** The validator's own words ("Too small: expected number to be >=0") said for people; our messages pass as they are. */
const PLAIN: [RegExp, (m: RegExpMatchArray, t: TFunction) => string][] = [
  [/^Too small: expected string to have >=(\d+) characters?$/, (m, t) => t('common:error.tooShort', { min: m[1] })],
  [/^Too big: expected string to have <=(\d+) characters?$/, (m, t) => t('common:error.tooLong', { max: m[1] })],
  [/^Too small: expected number to be >=?(.+)$/, (m, t) => t('common:error.atLeast', { min: m[1] })],
  [/^Too big: expected number to be <=?(.+)$/, (m, t) => t('common:error.atMost', { max: m[1] })],
  [/^Too small: expected array to have >=(\d+) items?$/, (m, t) => t('common:error.needsAtLeast', { min: m[1] })],
  [/^Invalid input: expected \w+, received undefined$/, (_m, t) => t('common:error.missing')],
  [/^Invalid (input|UUID|uuid|string|date|ISO date)/, (_m, t) => t('common:error.notValid')],
  [/^Invalid option/, (_m, t) => t('common:error.notAChoice')],
  [/^Invalid email address$/, (_m, t) => t('common:error.notAnEmail')],
];
export function plainMessage(message: string, t: TFunction): string {
  for (const [re, say] of PLAIN) {
    const m = message.match(re);
    if (m) return say(m, t);
  }
  return message;
}

/** One line per field: several problems with one field (a ZIP code's two checks) are said together. */
function fieldProblems(errors: { path: string; message: string }[], t: TFunction, fieldLabel?: (path: string) => string | undefined): [string, string][] {
  const byField = new Map<string, string[]>();
  for (const x of errors) {
    const field = fieldLabel?.(x.path) ?? fieldName(x.path);
    const problems = byField.get(field) ?? [];
    const problem = plainMessage(x.message, t);
    if (!problems.includes(problem)) problems.push(problem);
    byField.set(field, problems);
  }
  return [...byField].map(([field, problems]) => [field, problems.join(' ')]);
}

function fieldName(path: string): string {
  const last = path.split('/').filter(Boolean).filter((p) => !/^\d+$/.test(p)).pop() ?? 'field';
  return last.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge color={STATUS_COLORS[status] ?? 'gray'} variant="light">{statusLabel(status)}</Badge>;
}

export function UrgencyBadge({ urgency }: { urgency: string }) {
  const { t } = useTranslation();
  return urgency === 'expedited' ? <Badge color="red" variant="filled">{t('common:urgency.expedited')}</Badge> : <Badge color="gray" variant="outline">{t('common:urgency.standard')}</Badge>;
}

const SLA_COLOR = { on_track: 'gray', at_risk: 'orange', breached: 'red', met: 'green' } as const;
type SlaState = keyof typeof SLA_COLOR;

/** The opinion's due date against the service level: at-risk and overdue cases stand out. */
export function SlaBadge({ sla }: { sla: { dueAt: string; state: string; businessDaysLeft: number } | null }) {
  const { t } = useTranslation();
  if (!sla) return <Text span c="dimmed" size="sm">—</Text>;
  const state = sla.state as SlaState;
  return (
    <Badge color={SLA_COLOR[state]} variant={state === 'on_track' || state === 'met' ? 'light' : 'filled'} title={t('common:sla.due', { when: new Date(sla.dueAt).toLocaleString(formatLocale()) })} data-testid="sla">
      {t('common:sla.badge', { state: t(`common:sla.${state}`), day: new Date(sla.dueAt).toLocaleDateString(formatLocale(), { month: 'short', day: 'numeric' }) })}
    </Badge>
  );
}

/** A case's reference as the server writes it ("C-2026-000123"; a letter or few, the year, the number). */
const REFERENCE = /\b[A-Z]{1,4}-\d{4}-\d{4,}\b/g;

/**
 * Text that names cases by reference (a notice's title, a case's line), each reference kept on
 * one line: a phone broke "C-2026-000123" at its hyphens, and half a reference names nothing.
 */
export function WholeReferences({ text }: { text: string }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(REFERENCE)) {
    parts.push(text.slice(last, m.index), <span key={m.index} style={{ whiteSpace: 'nowrap' }}>{m[0]}</span>);
    last = m.index + m[0].length;
  }
  if (!parts.length) return <>{text}</>;
  parts.push(text.slice(last));
  return <>{parts}</>;
}

/** Form fields side by side where there is room, one under another on a phone. */
export function FieldRow({ children }: { children: React.ReactNode }) {
  const n = Children.toArray(children).length;
  return <SimpleGrid cols={{ base: 1, sm: Math.min(n, 3) }} spacing="sm">{children}</SimpleGrid>;
}

/**
 * Whether a row that scrolls sideways has more past its start or its end edge (right to left
 * too), updated as it scrolls and as the page resizes: where there is more, the edge shows it.
 */
export function useMoreToScroll(ref: RefObject<HTMLElement | null>, watch: unknown = null): { atStart: boolean; atEnd: boolean } {
  const [more, setMore] = useState({ atStart: false, atEnd: false });
  useEffect(() => {
    const row = ref.current;
    if (!row) return;
    const look = () => {
      const scrolled = Math.abs(row.scrollLeft);
      const next = { atStart: scrolled > 2, atEnd: scrolled + row.clientWidth < row.scrollWidth - 2 };
      setMore((m) => (m.atStart === next.atStart && m.atEnd === next.atEnd ? m : next));
    };
    look();
    row.addEventListener('scroll', look, { passive: true });
    const resized = new ResizeObserver(look);
    resized.observe(row);
    if (row.firstElementChild) resized.observe(row.firstElementChild);
    return () => {
      row.removeEventListener('scroll', look);
      resized.disconnect();
    };
  }, [ref, watch]);
  return more;
}

/** A shadow on one edge of a box that scrolls sideways, saying there is more that way. */
function EdgeShadow({ side }: { side: 'start' | 'end' }) {
  return (
    <Box aria-hidden="true" pos="absolute" top={0} bottom={0} w={28}
      style={{ insetInlineStart: side === 'start' ? 0 : undefined, insetInlineEnd: side === 'end' ? 0 : undefined, pointerEvents: 'none', zIndex: 1,
        background: `linear-gradient(to ${side === 'end' ? 'left' : 'right'}, rgba(0, 0, 0, 0.16), transparent)` }} />
  );
}

/**
 * A table wider than a phone: it scrolls sideways in its box, and shows that it does: a scrollbar
 * that stays visible and a shadow on the edge with more past it (the case's tab row fades there
 * the same way). Keyboard users can scroll it too.
 */
export function WideTable({ minWidth, mb, children }: { minWidth: number; mb?: string; children: React.ReactNode }) {
  const viewport = useRef<HTMLDivElement>(null);
  const { atStart, atEnd } = useMoreToScroll(viewport);
  return (
    <Box pos="relative" mb={mb} data-more-to-scroll={atEnd || undefined}>
      {atStart && <EdgeShadow side="start" />}
      {atEnd && <EdgeShadow side="end" />}
      <Table.ScrollContainer minWidth={minWidth} scrollAreaProps={{ type: 'auto', viewportRef: viewport, viewportProps: { tabIndex: 0 } }}>{children}</Table.ScrollContainer>
    </Box>
  );
}
