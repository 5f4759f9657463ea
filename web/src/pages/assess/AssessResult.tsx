import { Alert, Anchor, Badge, Button, Card, Divider, Group, List, Loader, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { createContext, useContext, useMemo, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiError, post, type PostResult, type Schema } from '../../api.ts';
import type { Me } from '../../auth.tsx';
import { ErrorNote } from '../../components.tsx';
import i18n from '../../i18n.ts';
import { PENDING_KEY, type Answers } from './storage.ts';

type Reason = { ruleId: string; text: string; sources: string[] };

/** What happens after the assessment, in order (assess:result.steps). */
const NEXT_STEPS = ['start', 'gather', 'coordinator', 'expert'] as const;

type SourceView = Schema<'AssessmentResult'>['sources'][number];
/** The result's sources by id, so a "Why?" link shows the source's title, never its id. */
const Sources = createContext<Map<string, SourceView>>(new Map());

function SourcesOf({ r, children }: { r: Schema<'AssessmentResult'>; children: ReactNode }) {
  const sources = useMemo(() => new Map(r.sources.map((s) => [s.id, s])), [r.sources]);
  return <Sources.Provider value={sources}>{children}</Sources.Provider>;
}

/** "Why?" links: each reason links to its sources, by their titles, on the rules page. */
export function Why({ sources, ruleId }: { sources: string[]; ruleId?: string }) {
  const known = useContext(Sources);
  const { t } = useTranslation();
  return (
    <Text span size="xs" c="dimmed" ms={6}>
      {t('assess:result.why')}{' '}
      {sources.map((s, i) => (
        <span key={s}>{i > 0 && '; '}<Anchor component={Link} to={`/assess/rules#source-${s}`} size="xs">{known.get(s)?.title ?? t('assess:result.source')}</Anchor></span>
      ))}
    </Text>
  );
}

function Reasons({ reasons }: { reasons: Reason[] }) {
  return (
    <List spacing={4} size="sm">
      {reasons.map((r) => <List.Item key={r.ruleId}>{r.text}<Why sources={r.sources} ruleId={r.ruleId} /></List.Item>)}
    </List>
  );
}

async function downloadPdf(answers: Answers) {
  const res = await fetch('/api/assessments/pdf', { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': i18n.language }, body: JSON.stringify(answers) });
  if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => undefined));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  // The server names the file in the reader's language.
  a.download = res.headers.get('content-disposition')?.match(/filename="([^"]+)"/)?.[1] ?? 'second-opinion-assessment.pdf';
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// On a narrow phone the main action's words wrap rather than being cut off.
const WRAP = { label: { whiteSpace: 'normal', textAlign: 'center' } } as const;

export function AssessResult({ answers, me, onEdit, headingRef }: { answers: Answers; me?: Me | null; onEdit: () => void; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const navigate = useNavigate();
  const { t } = useTranslation();
  const result = useQuery({ queryKey: ['assess', 'result', answers], queryFn: () => post<PostResult<'/api/assessments'>>('/assessments', answers) });
  const pdf = useMutation({ mutationFn: () => downloadPdf(answers) });
  const start = useMutation({
    mutationFn: async () => {
      if (me?.user.role !== 'patient') {
        // Kept until the person has an account and signs in; "My requests" then offers to continue.
        localStorage.setItem(PENDING_KEY, JSON.stringify(answers));
        return null;
      }
      return post<PostResult<'/api/cases'>>('/cases', { assessment: answers });
    },
    onSuccess: (c) => (c ? navigate(`/cases/${c.id}`) : navigate('/register?from=assessment')),
  });
  const r = result.data;
  return (
    <Stack gap="lg">
      <Title order={1} ref={headingRef} tabIndex={-1}>{t('assess:result.title')}</Title>
      {result.isLoading && <Loader role="status" aria-label={t('assess:result.loading')} />}
      <ErrorNote error={result.error} />
      {!r && !result.isLoading && <Alert color="gray" variant="light">{t('assess:notAdvice')}</Alert>}
      {r && (
        <SourcesOf r={r}>
          <Answer r={r} />
          <ErrorNote error={pdf.error ?? start.error} />
          <Stack gap={6} className="no-print" data-testid="main-actions">
            <Group gap="sm" grow preventGrowOverflow={false} wrap="wrap">
              <Button size="md" h="auto" mih={44} py={8} styles={WRAP} onClick={() => start.mutate()} loading={start.isPending}>{t('assess:result.start')}</Button>
              <Button size="md" h="auto" mih={44} py={8} styles={WRAP} variant="default" onClick={() => pdf.mutate()} loading={pdf.isPending}>{t('assess:result.pdf')}</Button>
            </Group>
            <Text size="sm" c="dimmed">{t('assess:result.startHint')}</Text>
          </Stack>
          <Notices r={r} />
          {r.inEnglish.length > 0 && <Alert color="gray" variant="light" data-testid="in-english">{t('assess:result.inEnglish')}</Alert>}
          <Alert color="red" variant="light"><b>{r.urgency.reminder.text}</b><Why sources={r.urgency.reminder.sources} /></Alert>
          <section aria-labelledby="h-next">
            <Title order={2} id="h-next" mb="xs">{t('assess:result.next')}</Title>
            <List type="ordered" spacing={4}>{NEXT_STEPS.map((step) => <List.Item key={step}>{t(`assess:result.steps.${step}`)}</List.Item>)}</List>
          </section>
          <Text size="sm" c="dimmed">{r.disclaimer}</Text>
          <Divider label={t('assess:result.details')} labelPosition="left" />
          <AssessmentView r={r} summarised />
          <Group className="no-print">
            <Button variant="default" onClick={() => window.print()}>{t('assess:result.print')}</Button>
            <Button variant="subtle" onClick={onEdit}>{t('assess:result.again')}</Button>
          </Group>
          <Anchor component={Link} to="/assess/rules" size="sm">{t('assess:result.rules')}</Anchor>
        </SourcesOf>
      )}
    </Stack>
  );
}

/** What could not be used of the answers (an unknown code, say), and what was done instead. */
function Notices({ r }: { r: Schema<'AssessmentResult'> }) {
  return r.notices.map((n) => <Alert key={n.text} color="yellow">{n.text}<Why sources={n.sources} /></Alert>);
}

/** The answer in plain words: whether a second opinion fits, why in a line, how soon. */
function Answer({ r }: { r: Schema<'AssessmentResult'> }) {
  const { t } = useTranslation();
  const expedited = r.urgency.level === 'expedited';
  return (
    <Card withBorder padding="md" data-testid="answer">
      <Stack gap="xs">
        {r.situations.length > 0
          ? (
            <>
              <Text fw={700} size="lg">{t('assess:result.answer')}</Text>
              <Text size="sm">{t('assess:result.fit')}</Text>
              <List size="sm" spacing={2}>{r.situations.map((s) => <List.Item key={s.number}>{s.title}</List.Item>)}</List>
            </>
          )
          : <Text fw={700} data-testid="none-apply">{r.noneApply?.text}</Text>}
        <Group gap="xs">
          <Badge color={expedited ? 'red' : 'gray'} size="lg" data-testid="urgency" tt="none">{expedited ? t('assess:result.expedited') : t('assess:result.standard')}</Badge>
        </Group>
        {r.condition.label && <Text size="sm">{t('assess:result.diagnosis')} <b>{r.condition.label}</b>{r.condition.code && <Text span size="xs" c="dimmed" ff="monospace"> {r.condition.code}</Text>}</Text>}
      </Stack>
    </Card>
  );
}

/** The assessment result itself, shared by the public page and the case workspace. */
export function AssessmentView({ r, summarised = false, staff = false }: { r: Schema<'AssessmentResult'>; summarised?: boolean; staff?: boolean }) {
  const { t } = useTranslation();
  return (
    <SourcesOf r={r}>
          {!summarised && <Notices r={r} />}
          {!summarised && r.condition.label && <Text>{t('assess:result.diagnosis')} <b>{r.condition.label}</b>{r.condition.code && ` (${r.condition.code})`}</Text>}

          {/* With the answer above, the reasons need not say twice that none fit. */}
          {(!summarised || r.situations.length > 0) && <section aria-labelledby="h-situations">
            <Title order={2} id="h-situations" mb="xs">{t('assess:result.situations')}</Title>
            {r.situations.length === 0 && <Text data-testid="none-apply">{r.noneApply?.text}</Text>}
            <Stack gap="sm">
              {r.situations.map((s: { number: number; title: string; reasons: Reason[] }) => (
                <Card key={s.number} withBorder data-testid={`situation-${s.number}`}>
                  <Text fw={600}>{s.title}</Text>
                  <Reasons reasons={s.reasons} />
                </Card>
              ))}
            </Stack>
          </section>}

          <section aria-labelledby="h-urgency">
            <Title order={2} id="h-urgency" mb="xs">{t('assess:result.urgency')}</Title>
            {!summarised && <Badge color={r.urgency.level === 'expedited' ? 'red' : 'gray'} size="lg" data-testid="urgency">{r.urgency.level === 'expedited' ? t('assess:result.expedited') : t('assess:result.standard')}</Badge>}
            <Reasons reasons={r.urgency.reasons} />
            {!summarised && <Alert color="red" variant="light" mt="xs"><b>{r.urgency.reminder.text}</b><Why sources={r.urgency.reminder.sources} /></Alert>}
          </section>

          {r.reviewers.length > 0 && (
            <section aria-labelledby="h-reviewers">
              <Title order={2} id="h-reviewers" mb="xs">{t('assess:result.reviewers')}</Title>
              <List spacing="xs">
                {r.reviewers.map((v: { specialty: string; label: string; plain: string; reasons: Reason[] }) => (
                  <List.Item key={v.specialty} data-testid={`reviewer-${v.specialty}`}>
                    <b>{v.label}.</b> {v.plain}
                    {v.reasons.map((x) => <Text key={x.ruleId} size="sm" c="dimmed">{x.text}<Why sources={x.sources} ruleId={x.ruleId} /></Text>)}
                  </List.Item>
                ))}
              </List>
            </section>
          )}

          {r.specialisedCenter.matters && (
            <section aria-labelledby="h-center">
              <Title order={2} id="h-center" mb="xs">{t('assess:result.center')}</Title>
              <Reasons reasons={r.specialisedCenter.reasons} />
              {r.specialisedCenter.volumeStandard && (
                <Text size="sm" mt="xs">
                  {t('assess:result.volume', { procedure: r.specialisedCenter.volumeStandard.procedure, hospital: r.specialisedCenter.volumeStandard.hospitalMin, surgeon: r.specialisedCenter.volumeStandard.surgeonMin })}
                  <Why sources={r.specialisedCenter.volumeStandard.sources} />
                  {staff && r.specialisedCenter.volumeStandard.verify && <Text span size="xs" c="dimmed"> ({r.specialisedCenter.volumeStandard.verify})</Text>}
                </Text>
              )}
            </section>
          )}

          <section aria-labelledby="h-checklist">
            <Title order={2} id="h-checklist" mb="xs">{t('assess:result.checklist')}</Title>
            {/* One row per record: what and why, where to ask, and whether it is on file; stacked on a phone. */}
            <Stack gap={0} data-testid="checklist">
              {r.checklist.map((i: { id: string; label: string; from: string; why: string; have: boolean; sources: string[] }) => (
                <SimpleGrid key={i.id} cols={{ base: 1, sm: 3 }} spacing="xs" verticalSpacing={2} py={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid={`checklist-${i.id}`}>
                  <div><Text fw={500} size="sm">{i.label}</Text><Text size="xs" c="dimmed">{i.why}<Why sources={i.sources} /></Text></div>
                  <Text size="sm"><Text span size="xs" c="dimmed">{t('assess:result.ask')} </Text>{i.from}</Text>
                  <div>{i.have ? <Text size="sm" fw={600} c="green.9">{t('assess:result.have')}</Text> : <Text size="sm">{t('assess:result.notYet')}</Text>}</div>
                </SimpleGrid>
              ))}
            </Stack>
          </section>

          {r.biomarkers && (
            <section aria-labelledby="h-biomarkers">
              <Title order={2} id="h-biomarkers" mb="xs">{t('assess:result.biomarkers')}</Title>
              {r.biomarkers.panels.map((p: { id: string; label: string; note: string | null }) => <Text key={p.id} size="sm">{p.label}{p.note && `. ${p.note}`}</Text>)}
              <List spacing={4} size="sm" mt="xs" data-testid="biomarkers">
                {r.biomarkers.tests.map((test: { name: string; status: string; optional: boolean; note: string | null; sources: string[] }) => (
                  <List.Item key={test.name}>
                    <b>{test.name}</b>: {test.status === 'done' ? t('assess:result.done') : test.status === 'check_report' ? t('assess:result.checkReport') : test.optional ? t('assess:result.mayApply') : t('assess:result.missing')}
                    {test.note && <Text span size="xs" c="dimmed"> ({test.note})</Text>}<Why sources={test.sources} />
                  </List.Item>
                ))}
              </List>
            </section>
          )}

          {r.questions.length > 0 && (
            <section aria-labelledby="h-questions">
              <Title order={2} id="h-questions" mb="xs">{t('assess:result.questions')}</Title>
              <Reasons reasons={r.questions} />
            </section>
          )}

          <section aria-labelledby="h-coverage">
            <Title order={2} id="h-coverage" mb="xs">{t('assess:result.coverage')}</Title>
            <Reasons reasons={r.coverage} />
          </section>

          <section aria-labelledby="h-sources">
            <Title order={2} id="h-sources" mb="xs">{t('assess:result.sources')}</Title>
            <List size="xs" spacing={2}>
              {r.sources.map((s) => (
                <List.Item key={s.id}>
                  {s.url ? <Anchor href={s.url} target="_blank" rel="noreferrer" size="xs">{s.title}</Anchor> : s.title}
                  {/* The clinical-review caveat is for staff: it is a task, not information for a patient. */}
                  {staff && s.verify && <Text span size="xs" c="dimmed"> {t('assess:result.toCheck', { what: s.verify })}</Text>}
                </List.Item>
              ))}
            </List>
          </section>

    </SourcesOf>
  );
}
