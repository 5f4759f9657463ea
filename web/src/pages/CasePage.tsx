import { Alert, Anchor, Badge, Card, Grid, Group, Loader, Stack, Table, Tabs, Text, Timeline, Title } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Pager } from '../pager.tsx';
import { Link, useParams, useSearchParams } from 'react-router';
import { formatDate, formatDay, get, type GetResult, type IntakeDraft, type Schema } from '../api.ts';
import { roleLabel } from '../labels.ts';
import type { Me } from '../auth.tsx';
import { ErrorNote, SlaBadge, StatusBadge, UrgencyBadge, useMoreToScroll, WholeReferences } from '../components.tsx';
import { AssessmentView } from './assess/AssessResult.tsx';
import { languageName, countryName } from '../languages.ts';
import { Caregivers } from './Caregivers.tsx';
import { MatchesPanel } from './experts/MatchesPanel.tsx';
import { RecordsPanel } from './records/RecordsPanel.tsx';
import { ImagingPanel } from './imaging/ImagingPanel.tsx';
import { SlidesPanel } from './pathology/SlidesPanel.tsx';
import { OpinionPanel } from './opinion/OpinionPanel.tsx';
import { CaseBoardPanel } from './boards/CaseBoardPanel.tsx';
import { CaseVisitsPanel } from './visits/CaseVisitsPanel.tsx';
import { MessagesPanel } from './messages/MessagesPanel.tsx';
import { IntakeWizard, travelLabel } from './IntakeWizard.tsx';
import { CostEstimate } from './costs/CostEstimate.tsx';
import { CommandButtons, PatientProgress } from './CaseProgress.tsx';
import { caseKeys } from '../queryKeys.ts';

type CaseDetail = Schema<'Case'>;
type Response = keyof typeof import('../messages/en/cases.json')['summary']['response'];
const RESPONSES: readonly string[] = ['working', 'not_working', 'side_effects', 'too_early', 'unknown'] satisfies Response[];

export function CasePage({ me }: { me: Me }) {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  // Administrators keep accounts, the directory and the audit trail; case records are for the care team.
  const careTeam = me.user.role !== 'admin';
  const c = useQuery({ queryKey: caseKeys.part(id, 'detail'), queryFn: () => get<CaseDetail>(`/cases/${id}`), enabled: careTeam });
  if (!careTeam) return <Alert color="gray" title={t('cases:page.adminTitle')}>{t('cases:page.adminText')}</Alert>;
  if (c.isLoading) return <Loader role="status" aria-label={t('cases:page.loading')} />;
  if (c.error || !c.data) return <ErrorNote error={c.error} />;
  const patientSide = c.data.myRelations.some((r: string) => ['patient', 'proxy', 'referring'].includes(r));
  if (c.data.status === 'draft' && patientSide) return <IntakeWizard c={c.data} me={me} />;
  // A draft deleted before it was sent is gone for its author: nothing of it is kept to show.
  if (c.data.status === 'cancelled' && !c.data.submittedAt) {
    return <Alert color="gray" title={t('cases:page.deletedTitle')}>{t('cases:page.deletedText')} <Anchor component={Link} to="/cases">{t('cases:page.backToMine')}</Anchor></Alert>;
  }
  return <CaseOverview c={c.data} me={me} />;
}

function CaseOverview({ c, me }: { c: CaseDetail; me: Me }) {
  // The open tab is part of the address, so a notice or a shared link can open it.
  const [params, setParams] = useSearchParams();
  const { t } = useTranslation();
  const panels = CASE_PANELS.filter((p) => p.visible({ c, me }));
  const asked = params.get('tab');
  const patientSide = c.myRelations.some((r) => ['patient', 'proxy', 'referring'].includes(r));
  // A delivered opinion is what the patient's side comes back for: the case opens on it.
  const home = patientSide && c.can.readOpinion && ['delivered', 'closed'].includes(c.status) ? 'opinion' : 'intake';
  const open = panels.some((p) => p.id === asked) ? asked! : home;
  const openTab = (id: string) => setParams((p) => { p.set('tab', id); return p; }, { replace: true });
  const phone = useMediaQuery('(max-width: 48em)');
  const tabRow = useRef<HTMLDivElement>(null);
  // Tabs hidden past an edge show as the row fading out there: at the end until the row is
  // scrolled to it, at the start once it has been scrolled from it.
  const { atStart, atEnd } = useMoreToScroll(tabRow, phone);
  useEffect(() => {
    // Only the row scrolls, sideways: scrollIntoView would also move the page, hiding the case's title under the header.
    const row = tabRow.current;
    const tab = row?.querySelector<HTMLElement>('[aria-selected="true"]');
    if (!phone || !row || !tab) return;
    const [r, t] = [row.getBoundingClientRect(), tab.getBoundingClientRect()];
    row.scrollTo({ left: row.scrollLeft + t.left - r.left - (row.clientWidth - t.width) / 2 });
  }, [phone, open]);
  const towardEnd = document.documentElement.dir === 'rtl' ? 'left' : 'right';
  const fade = atStart || atEnd ? { maskImage: `linear-gradient(to ${towardEnd}, ${atStart ? 'transparent, black 15%' : 'black'}, ${atEnd ? 'black 85%, transparent' : 'black'})` } : {};
  return (
    <Stack>
      <Group justify="space-between" align="start">
        <Stack gap={4}>
          <Title order={2}>{(c.intake as { condition?: { description?: string } }).condition?.description ?? t('cases:page.untitled')}</Title>
          <Text c="dimmed"><WholeReferences text={t('cases:page.line', { reference: c.reference, patient: c.patientName, date: formatDate(c.submittedAt) })} /></Text>
        </Stack>
        {/* Due dates and urgency are the staff's working tools; the patient side has the tracker below. */}
        <Group>{!patientSide && <><SlaBadge sla={c.sla} /><UrgencyBadge urgency={c.urgency} /></>}<StatusBadge status={c.status} /></Group>
      </Group>
      {c.urgencyReason && <Text size="sm" c="dimmed">{t('cases:page.whyUrgency', { reason: c.urgencyReason })}</Text>}
      {patientSide ? <PatientProgress c={c} openTab={openTab} /> : <CommandButtons c={c} />}
      <Tabs value={open} onChange={(v) => openTab(v ?? home)} keepMounted={false}>
        {/* On a phone the tabs stay one row that scrolls sideways (eleven of them wrapped into
            five rows before any content), with the open one brought into view. */}
        <Tabs.List ref={tabRow} style={phone ? { flexWrap: 'nowrap', overflowX: 'auto', scrollbarWidth: 'thin', ...fade } : undefined}>
          {panels.map((p) => <Tabs.Tab key={p.id} value={p.id} style={phone ? { flexShrink: 0 } : undefined}>{t(`cases:tab.${p.id}`)}</Tabs.Tab>)}
        </Tabs.List>
        {panels.map((p) => <Tabs.Panel key={p.id} value={p.id} pt="md">{p.render({ c, me })}</Tabs.Panel>)}
      </Tabs>
    </Stack>
  );
}

interface PanelContext { c: CaseDetail; me: Me }
/**
 * The case's panels, in order: each says who sees it. A capability adds its panel here (boards,
 * visits, billing) and its tab's name to the catalogue (cases:tab) instead of editing the page.
 */
interface CasePanel {
  id: keyof typeof import('../messages/en/cases.json')['tab'];
  visible: (x: PanelContext) => boolean;
  render: (x: PanelContext) => React.ReactNode;
}
const always = () => true;
/** Who sees what a request costs (the server's `case.billing.read`): the patient side and the coordinator. */
const BILLING_ROLES: string[] = ['patient', 'referring_physician', 'coordinator'];
const CASE_PANELS: CasePanel[] = [
  { id: 'intake', visible: always, render: ({ c, me }) => <Stack gap="lg"><IntakeSummary c={c} />{BILLING_ROLES.includes(me.user.role) && <CostEstimate caseId={c.id} sent={c.status !== 'draft'} staff={me.user.role === 'coordinator'} recordInsurer={c.can.curateRecords && c.status !== 'draft'}
          cardNumbers={{ memberId: (c.intake as IntakeDraft).patient?.insuranceMemberId ?? null, groupNumber: (c.intake as IntakeDraft).patient?.insuranceGroupNumber ?? null }} />}</Stack> },
  { id: 'records', visible: always, render: ({ c, me }) => <RecordsPanel caseId={c.id} me={me} canUpload={c.can.uploadRecords} /> },
  { id: 'imaging', visible: always, render: ({ c }) => <Stack><ImagingPanel caseId={c.id} can={c.can} /><SlidesPanel caseId={c.id} reviewer={c.can.annotateImaging} /></Stack> },
  { id: 'opinion', visible: ({ c }) => c.can.readOpinion, render: ({ c, me }) => <OpinionPanel caseId={c.id} me={me} can={c.can} /> },
  { id: 'messages', visible: ({ c }) => c.status !== 'draft' && (c.myRelations.some((r) => ['patient', 'proxy', 'referring', 'expert'].includes(r)) || c.can.matchExperts),
    render: ({ c }) => <MessagesPanel caseId={c.id} /> },
  { id: 'visits', visible: ({ c }) => !['draft', 'cancelled'].includes(c.status), render: ({ c }) => <CaseVisitsPanel caseId={c.id} preferredLanguage={(c.intake as IntakeDraft).patient?.preferredLanguage ?? null} /> },
  { id: 'board', visible: ({ c }) => c.status !== 'draft', render: ({ c }) => <CaseBoardPanel caseId={c.id} /> },
  { id: 'assessment', visible: always, render: ({ c, me }) => <CaseAssessment id={c.id} staff={!['patient', 'referring_physician'].includes(me.user.role)} /> },
  { id: 'experts', visible: ({ c }) => c.can.matchExperts, render: ({ c }) => <MatchesPanel c={c} /> },
  { id: 'timeline', visible: always, render: ({ c }) => <CaseTimeline id={c.id} /> },
  { id: 'access', visible: ({ c }) => c.can.readAccessLog, render: ({ c }) => <AccessLog id={c.id} /> },
  { id: 'people', visible: ({ c }) => c.can.manageCaregivers, render: ({ c }) => <Caregivers c={c} /> },
];


/** The assessment rules run on this case: what applies, who should review, what records are missing. */
function CaseAssessment({ id, staff }: { id: string; staff: boolean }) {
  const a = useQuery({ queryKey: caseKeys.part(id, 'assessment'), queryFn: () => get<GetResult<'/api/cases/{id}/assessment'>>(`/cases/${id}/assessment`) });
  const { t } = useTranslation();
  if (a.isLoading) return <Loader role="status" aria-label={t('cases:assessmentLoading')} />;
  if (a.error || !a.data) return <ErrorNote error={a.error} />;
  return <Stack gap="lg"><AssessmentView r={a.data} staff={staff} /></Stack>;
}

function IntakeSummary({ c }: { c: CaseDetail }) {
  const i = c.intake as IntakeDraft;
  const clinician = !c.myRelations.some((r) => r === 'patient' || r === 'proxy');
  const ref = useQuery({ queryKey: ['reference', 'intake'], queryFn: () => get<GetResult<'/api/reference/intake'>>('/reference/intake'), staleTime: Infinity });
  const label = (list: { id: string | number; label: string }[] | undefined, id: unknown) => list?.find((x) => x.id === id)?.label ?? String(id);
  const { t } = useTranslation();
  const response = (r: string) => t(`cases:summary.response.${(RESPONSES.includes(r) ? r : 'unknown') as Response}`);
  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Card withBorder><Stack gap="xs">
          <Title order={4}>{t('cases:summary.patient')}</Title>
          <Text>{t('cases:summary.born', { name: [i.patient?.givenName, i.patient?.familyName].filter(Boolean).join(' '), day: formatDay(i.patient?.birthDate) })}</Text>
          <Text size="sm">{i.patient?.state ? `${i.patient.state}, ` : ''}{i.patient?.country && countryName(i.patient.country)}{i.patient?.preferredLanguage && t('cases:summary.prefers', { language: languageName(i.patient.preferredLanguage) })}</Text>
          {i.patient?.planType && <Text size="sm">{t('cases:summary.planType', { kind: t(`intake:patient.planTypes.${i.patient.planType}`) })}</Text>}
          {i.patient?.insurancePlan && <Text size="sm">{t('cases:summary.planName', { name: i.patient.insurancePlan })}</Text>}
          {/* The card's numbers reach only the patient side and the coordinator (the server leaves them out for others). */}
          {(i.patient?.insuranceMemberId || i.patient?.insuranceGroupNumber) && (
            <Text size="sm">{i.patient.insuranceMemberId && i.patient.insuranceGroupNumber ? t('cases:summary.card', { member: i.patient.insuranceMemberId, group: i.patient.insuranceGroupNumber })
              : i.patient.insuranceMemberId ? t('cases:summary.cardMember', { member: i.patient.insuranceMemberId }) : t('cases:summary.cardGroup', { group: i.patient.insuranceGroupNumber })}</Text>
          )}
          {(i.patient?.postalCode || i.patient?.travelMiles != null) && (
            <Text size="sm">{[i.patient.postalCode && t('cases:summary.postalCode', { code: i.patient.postalCode }), travelLabel(t, i.patient.travelMiles) && t('cases:summary.travel', { distance: travelLabel(t, i.patient.travelMiles) })].filter(Boolean).join(' · ')}</Text>
          )}
          <Title order={4} mt="sm">{t('cases:summary.diagnosis')}</Title>
          {/* The diagnosis code is for clinicians (staff and the referring physician), not words for the patient. */}
          <Text>{i.condition?.description} {clinician && i.condition?.icd10Code && <Badge variant="outline">{i.condition.icd10Code}</Badge>}</Text>
          <Title order={4} mt="sm">{t('cases:summary.situations')}</Title>
          {(i.situations?.situations ?? []).map((s) => <Text key={s} size="sm">• {label(ref.data?.situations, s)}</Text>)}
        </Stack></Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 6 }}>
        <Card withBorder><Stack gap="xs">
          <Title order={4}>{t('cases:summary.plan')}</Title>
          <Text size="sm">{i.plan?.proposedPlan}</Text>
          {i.plan?.surgeryProposed && <Text size="sm">{t('cases:summary.surgery', { operation: i.plan.surgeryDescription })}</Text>}
          <Title order={4} mt="sm">{t('cases:summary.treatment')}</Title>
          {(i.treatment?.treatments ?? []).length === 0 ? <Text size="sm" c="dimmed">{t('cases:summary.noneYet')}</Text> : (i.treatment?.treatments ?? []).map((x, n) => <Text key={n} size="sm">• {x?.description}{x?.response ? ` (${response(x.response)})` : ''}</Text>)}
          <Title order={4} mt="sm">{t('cases:summary.questions')}</Title>
          {(i.questions?.questions ?? []).map((q, n) => <Text key={n} size="sm">{n + 1}. {q}</Text>)}
          <Title order={4} mt="sm">{t('cases:summary.priorities')}</Title>
          {(i.priorities?.ranked ?? []).map((p, n) => <Text key={p ?? n} size="sm">{n + 1}. {label(ref.data?.priorities, p)}</Text>)}
          {i.priorities?.inOwnWords && <Text size="sm" fs="italic">“{i.priorities.inOwnWords}”</Text>}
        </Stack></Card>
      </Grid.Col>
    </Grid>
  );
}

function CaseTimeline({ id }: { id: string }) {
  const events = useQuery({ queryKey: caseKeys.part(id, 'timeline'), queryFn: () => get<GetResult<'/api/cases/{id}/timeline'>>(`/cases/${id}/timeline`) });
  const { t } = useTranslation();
  if (events.error) return <ErrorNote error={events.error} />;
  return (
    <Timeline bulletSize={14} lineWidth={2} data-testid="timeline">
      {(events.data ?? []).map((e) => (
        <Timeline.Item key={e.id} title={e.label}>
          <Text size="xs" c="dimmed">{formatDate(e.at)} · {e.actorName ?? t('cases:timeline.automatic')}{e.actorRole ? ` (${roleLabel(e.actorRole)})` : ''}</Text>
          {typeof e.detail.reason === 'string' && <Text size="sm">{t('cases:timeline.reason', { reason: e.detail.reason })}</Text>}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}

/** Newest first, a page at a time: a request opened every day builds a long history, and every entry stays reachable. */
const ACCESS_PAGE = 50;

function AccessLog({ id }: { id: string }) {
  const [page, setPage] = useState(1);
  const log = useQuery({ queryKey: caseKeys.part(id, 'access', page), queryFn: () => get<GetResult<'/api/cases/{id}/access-log'>>(`/cases/${id}/access-log?page=${page}&pageSize=${ACCESS_PAGE}`), placeholderData: (previous) => previous });
  const { t } = useTranslation();
  return (
    <Stack>
      <Text size="sm" c="dimmed">{t('cases:access.intro')}</Text>
      <ErrorNote error={log.error} />
      <Table.ScrollContainer minWidth={0}>
        <Table striped aria-label={t('cases:access.label')} layout="fixed">
          <Table.Thead><Table.Tr><Table.Th w="32%">{t('cases:access.who')}</Table.Th><Table.Th>{t('cases:access.what')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {(log.data?.items ?? []).map((e, n) => (
              <Table.Tr key={n}>
                <Table.Td><Text size="sm">{e.actorName ?? t('cases:timeline.automatic')}</Text><Text size="xs" c="dimmed">{e.actorRole ? `${roleLabel(e.actorRole)} · ` : ''}{formatDate(e.at)}</Text></Table.Td>
                <Table.Td style={{ overflowWrap: 'anywhere' }}>{e.what}{e.outcome !== 'success' ? t('cases:access.refused') : ''}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {log.data && <Pager total={log.data.total} estimated={false} page={page} pageSize={ACCESS_PAGE} hasNext={page * ACCESS_PAGE < log.data.total} onPage={setPage} onNext={() => setPage(page + 1)} />}
    </Stack>
  );
}

