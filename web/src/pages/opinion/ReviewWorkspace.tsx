import { Accordion, Alert, Badge, Button, Card, Checkbox, Group, List, Modal, MultiSelect, NativeSelect, NumberInput, PasswordInput, Radio, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { TFunction } from 'i18next';
import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, get, patch, post, type DeepPartial, type GetResult, type IntakeDraft, type PatchResult, type PostResult, type Schema } from '../../api.ts';
import { useSectionAutosave, type SaveState } from './useSectionAutosave.ts';
import { useMe } from '../../auth.tsx';
import { ErrorNote, FieldRow } from '../../components.tsx';
import { formatLocale, LANGUAGES } from '../../i18n.ts';
import { languageName } from '../../languages.ts';
import { caseKeys } from '../../queryKeys.ts';
import { RecommendationCard } from '../boards/CaseBoardPanel.tsx';
import { SlidesReviewedEditor } from '../pathology/SlidesReviewedEditor.tsx';
import { TrialsEditor } from '../trials/TrialsEditor.tsx';

/**
 * The staff's side of the Opinion tab: the reviewer's workspace and editor, signing and issuing,
 * the board chair's view and the coordinator's delivery. Written for clinicians, in their words
 * (the catalogue's "review" namespace); the patient's side (OpinionPanel.tsx) reads "opinion".
 */
export type Workspace = GetResult<'/api/cases/{id}/opinion'>;
type OpinionContent = Schema<'OpinionDraft'>;
type Section = keyof OpinionContent;
/** The editor's state: any part of the opinion, filled in or not yet. */
type Content = DeepPartial<OpinionContent>;
type LungInput = NonNullable<Content['lungFunction']>['input'];

// The choices' values go to the API as they are; their words are the catalogue's.
const CONCORDANCE = ['concordant', 'minor_discordance', 'major_discordance'] as const;
/** Lobes with their functional segments in brackets. */
const LOBES = ['rightUpper', 'rightMiddle', 'rightLower', 'leftUpper', 'lingula', 'leftLower'] as const;
const STAGING_BASES = ['clinical', 'pathological'] as const;
const BIOMARKER_STATUSES = ['done', 'missing', 'recommended'] as const;
const STANCES = ['agree', 'modify', 'alternative'] as const;
const SURGERY_NEEDED = ['yes', 'no', 'uncertain'] as const;
const APPROACHES = ['open', 'vats', 'robotic', 'not_applicable'] as const;
const PRIORITY_FITS = ['fits', 'partly', 'does_not_fit'] as const;

const ALL_SECTIONS = ['diagnosis', 'staging', 'slides', 'biomarkers', 'treatment', 'surgery', 'lung', 'trials', 'answers', 'summary'];

export function ReviewerWorkspace({ caseId, w }: { caseId: string; w: Workspace }) {
  const intake = w.intake as IntakeDraft;
  const questions: string[] = intake.questions?.questions ?? [];
  const ref = useQuery({ queryKey: ['reference', 'intake'], queryFn: () => get<GetResult<'/api/reference/intake'>>('/reference/intake'), staleTime: Infinity });
  const priority = (id: string) => ref.data?.priorities.find((p) => p.id === id)?.label ?? id;
  const { t } = useTranslation();
  const ranked = (intake.priorities?.ranked ?? []).map(priority).join(' › ') || '—';
  return (
    <Stack>
      <Card withBorder>
        <Title order={3} size="h4">{t('review:request.title')}</Title>
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="xs">
          <Stack gap={4}>
            <Text size="sm"><b>{t('review:request.condition')}</b> {intake.condition?.description ?? '—'}</Text>
            <Text size="sm"><b>{t('review:request.plan')}</b> {intake.plan?.proposedPlan ?? '—'}</Text>
            <Text size="sm"><b>{t('review:request.priorities')}</b> {intake.priorities?.inOwnWords ? t('review:request.prioritiesInOwnWords', { ranked, words: intake.priorities.inOwnWords }) : ranked}</Text>
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={600}>{t('review:request.questions')}</Text>
            <List size="sm">{questions.map((q) => <List.Item key={q}>{q}</List.Item>)}</List>
          </Stack>
        </SimpleGrid>
        <Text size="sm" mt="xs" data-testid="review-checklist">
          {t('review:request.checklist', { state: checklistWords(w.checklist.items, w.checklist.complete, t), reviewers: w.reviewers.map((r) => (r.signed ? t('review:request.reviewerSigned', { name: r.name }) : r.name)).join(', ') })}
        </Text>
      </Card>
      <Notes caseId={caseId} notes={w.notes} />
      <OpinionEditor caseId={caseId} w={w} questions={questions} />
    </Stack>
  );
}

// Green only for low risk: a test still to do is not reassuring, and one at or below 30 % least of all.
const LUNG_COLOR: Record<string, string> = { low: 'teal', moderate: 'orange', high: 'red', low_technology_exercise_test: 'yellow', cardiopulmonary_exercise_test: 'orange', none: 'gray' };

/** The lung calculator's fields, named as on screen in the draft's errors too. */
const LUNG_FIELDS = ['fev1Percent', 'dlcoPercent', 'stairClimbMeters', 'shuttleWalkMeters', 'vo2peakMlKgMin', 'vo2peakPercent', 'obstructedInResected', 'obstructedElsewhere'] as const;
type LungField = (typeof LUNG_FIELDS)[number];
const isLungField = (name: string): name is LungField => (LUNG_FIELDS as readonly string[]).includes(name);

/** A number as the reader writes it ("58,9" in Spanish). */
const localNumber = (v: number) => v.toLocaleString(formatLocale());

/** A test's result as the reports on file state it, with their words; a dash when none says it plainly. */
function FindingWords({ finding }: { finding: Workspace['biomarkerFindings'][number] | undefined }) {
  const { t } = useTranslation();
  if (!finding) return null;
  return (
    <Stack gap={2} mt={4} align="flex-start" data-testid="biomarker-finding">
      <Badge variant="light" color={finding.result === 'conflicting' ? 'orange' : 'gray'}>{t(`review:biomarkers.finding.${finding.result}`)}</Badge>
      {finding.evidence.map((e) => <Text key={e} size="xs">“{e}”</Text>)}
    </Stack>
  );
}

/** "Complete" says how much of it was waived rather than on file, and which items. */
function checklistWords(items: Workspace['checklist']['items'], complete: boolean, t: TFunction): string {
  const waived = items.filter((i) => !i.have && i.waiver).map((i) => i.label);
  const missing = items.filter((i) => !i.have && !i.waiver).length;
  const state = complete ? t('review:checklist.complete') : t('review:checklist.outstanding', { count: missing });
  return waived.length ? t('review:checklist.waived', { state, count: waived.length, items: waived.join('; ') }) : state;
}

function Notes({ caseId, notes }: { caseId: string; notes: { id: string; body: string; createdAt: string }[] }) {
  const [body, setBody] = useState('');
  const qc = useQueryClient();
  const { t } = useTranslation();
  const add = useMutation({ mutationFn: () => post(`/cases/${caseId}/opinion/notes`, { body }), onSuccess: () => { setBody(''); void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'opinion') }); } });
  return (
    <Card withBorder>
      <Title order={3} size="h5">{t('review:notes.title')}</Title>
      {notes.map((n) => <Text key={n.id} size="sm">• {n.body}</Text>)}
      <Group align="end" mt="xs">
        <Textarea label={t('review:notes.new')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={1} style={{ flex: 1 }} />
        <Button variant="light" onClick={() => add.mutate()} disabled={!body.trim()} loading={add.isPending}>{t('review:notes.add')}</Button>
      </Group>
    </Card>
  );
}

function prefill(w: Workspace, questions: string[]): Content {
  const c: Content = { ...(w.myPart?.content ?? {}) };
  c.biomarkers ??= (w.biomarkers?.tests ?? []).map((t) => ({ name: t.name, status: t.status === 'done' ? ('done' as const) : ('missing' as const) }));
  c.answers = questions.map((q) => ({ question: q, answer: (c.answers ?? []).find((a) => a?.question === q)?.answer ?? '' }));
  return c;
}

/** A section as the server takes it: cleared choices and empty numbers left out; null when nothing is left. */
function compact(v: unknown): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x) => compact(x) ?? {});
  if (typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => [k, compact(x)] as const).filter(([, x]) => x !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return v;
}

/** An accordion heading with the section's save state beside it. */
function SectionControl({ children, state }: { children: ReactNode; state?: SaveState }) {
  const { t } = useTranslation();
  return (
    <Accordion.Control>
      <Group justify="space-between" wrap="nowrap" pe="xs">
        <span>{children}</span>
        {state && <Text size="xs" c={state === 'error' || state === 'invalid' ? 'red.8' : 'dimmed'}>{t(`review:save.${state}`)}</Text>}
      </Group>
    </Accordion.Control>
  );
}

function OpinionEditor({ caseId, w, questions }: { caseId: string; w: Workspace; questions: string[] }) {
  const signed = w.myPart?.status === 'signed';
  const [c, setC] = useState<Content>(() => prefill(w, questions));
  const latest = useRef(c);
  latest.current = c;
  const [signing, setSigning] = useState<'sign' | 'issue' | null>(null);
  // A signed part is read, not edited: every section open (the locked form cannot open them).
  const [openSections, setOpenSections] = useState<string[]>(() => (w.myPart?.status === 'signed' ? ALL_SECTIONS : ['diagnosis', 'answers', 'summary']));
  const qc = useQueryClient();
  const { t } = useTranslation();
  const autosave = useSectionAutosave<Section>(async (sections, keepalive) => {
    const changes = Object.fromEntries(sections.map((k) => [k, compact(latest.current[k]) ?? null]));
    const part = await patch<PatchResult<'/api/cases/{id}/opinion/draft'>>(`/cases/${caseId}/opinion/draft`, changes, { keepalive });
    // The saved part (what signing still needs, the reading grade) without reading the whole workspace again.
    qc.setQueryData<Workspace>(caseKeys.part(caseId, 'opinion'), (old) => (old ? { ...old, myPart: part } : old));
  });
  const update = <K extends Section>(k: K, f: (v: Content[K]) => Content[K]) => {
    setC((x) => ({ ...x, [k]: f(x[k]) }));
    autosave.touch(k);
  };
  const set = <K extends Section>(k: K, v: Content[K]) => update(k, () => v);
  // One field of a section; the section may stay half-filled until signing.
  const setIn = <K extends 'diagnosisReview' | 'staging' | 'surgery' | 'priorities'>(k: K, field: string, v: unknown) => update(k, (s) => ({ ...(s ?? {}), [field]: v }) as Content[K]);
  const state = (...keys: Section[]) => {
    const s = keys.map((k) => autosave.states[k]).filter(Boolean) as SaveState[];
    return (['error', 'saving', 'pending', 'saved'] as const).find((x) => s.includes(x));
  };
  const missing = w.myPart?.missing ?? [t('review:editor.empty')];
  const allSigned = w.reviewers.every((r) => r.signed);
  const lead = w.reviewers.find((r) => r.lead);
  const ready = !autosave.overall || autosave.overall === 'saved';
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Title order={3} size="h4">{t('review:editor.title')}</Title>
        <Group gap="xs">
          {!signed && (
            <Text size="sm" c={autosave.overall === 'error' || autosave.overall === 'invalid' ? 'red.8' : 'dimmed'} aria-live="polite" data-testid="draft-state">
              {autosave.overall ? t(`review:save.${autosave.overall}`) : w.myPart ? t('review:save.savedAt', { when: formatDate(w.myPart.updatedAt) }) : t('review:save.asYouType')}
            </Text>
          )}
          <Badge color={signed ? 'green' : 'gray'}>{signed ? t('review:editor.signedAt', { when: formatDate(w.myPart?.signedAt) }) : t('review:editor.draft')}</Badge>
        </Group>
      </Group>
      <fieldset disabled={signed} style={{ border: 0, padding: 0, margin: 0 }}>
        <TextInput label={t('review:editor.role')} placeholder={t('review:editor.rolePlaceholder')} value={c.reviewerRole ?? ''} onChange={(e) => set('reviewerRole', e.currentTarget.value)} mt="sm" />
        <Accordion multiple value={openSections} onChange={setOpenSections} mt="sm">
          <Accordion.Item value="diagnosis">
            <SectionControl state={state('diagnosisReview')}>{t('review:diagnosis.title')}</SectionControl>
            <Accordion.Panel>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <TextInput label={t('review:diagnosis.original')} value={c.diagnosisReview?.originalDiagnosis ?? ''} onChange={(e) => setIn('diagnosisReview', 'originalDiagnosis', e.currentTarget.value)} />
                <TextInput label={t('review:diagnosis.reviewed')} value={c.diagnosisReview?.reviewedDiagnosis ?? ''} onChange={(e) => setIn('diagnosisReview', 'reviewedDiagnosis', e.currentTarget.value)} />
              </SimpleGrid>
              <Select label={t('review:diagnosis.concordance')} data={CONCORDANCE.map((value) => ({ value, label: t(`review:diagnosis.concordanceOption.${value}`) }))} value={c.diagnosisReview?.concordance ?? null} onChange={(v) => setIn('diagnosisReview', 'concordance', v)} />
              <Textarea label={t('review:diagnosis.rationale')} autosize minRows={2} value={c.diagnosisReview?.rationale ?? ''} onChange={(e) => setIn('diagnosisReview', 'rationale', e.currentTarget.value)} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="staging">
            <SectionControl state={state('staging')}>{t('review:staging.title')}</SectionControl>
            <Accordion.Panel>
              <SimpleGrid cols={{ base: 2, md: 6 }}>
                <Select label={t('review:staging.basis')} data={STAGING_BASES.map((value) => ({ value, label: t(`review:staging.basisOption.${value}`) }))} value={c.staging?.basis ?? null} onChange={(v) => setIn('staging', 'basis', v)} />
                <TextInput label={t('review:staging.t')} value={c.staging?.t ?? ''} onChange={(e) => setIn('staging', 't', e.currentTarget.value)} />
                <TextInput label={t('review:staging.n')} value={c.staging?.n ?? ''} onChange={(e) => setIn('staging', 'n', e.currentTarget.value)} />
                <TextInput label={t('review:staging.m')} value={c.staging?.m ?? ''} onChange={(e) => setIn('staging', 'm', e.currentTarget.value)} />
                <TextInput label={t('review:staging.grade')} value={c.staging?.grade ?? ''} onChange={(e) => setIn('staging', 'grade', e.currentTarget.value)} />
                <TextInput label={t('review:staging.edition')} placeholder={t('review:staging.editionPlaceholder')} value={c.staging?.edition ?? ''} onChange={(e) => setIn('staging', 'edition', e.currentTarget.value)} />
              </SimpleGrid>
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="slides">
            <SectionControl state={state('slidesReviewed')}>{t('review:slides.title')}</SectionControl>
            <Accordion.Panel><SlidesReviewedEditor caseId={caseId} value={c.slidesReviewed} onChange={(v) => set('slidesReviewed', v)} /></Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="biomarkers">
            <SectionControl state={state('biomarkers')}>{t('review:biomarkers.title')}</SectionControl>
            <Accordion.Panel>
              <Text size="sm" c="dimmed">{t('review:biomarkers.intro')}</Text>
              <Table>
                <Table.Thead><Table.Tr><Table.Th>{t('review:biomarkers.test')}</Table.Th><Table.Th>{t('review:biomarkers.status')}</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {(c.biomarkers ?? []).map((b, i) => b && (
                    <Table.Tr key={b.name}>
                      <Table.Td><Text size="sm">{b.name}</Text><FindingWords finding={w.biomarkerFindings.find((f) => f.test === b.name)} /></Table.Td>
                      <Table.Td miw={130}>
                        <Select aria-label={t('review:biomarkers.statusOf', { name: b.name })} data={BIOMARKER_STATUSES.map((value) => ({ value, label: t(`review:biomarkers.statusOption.${value}`) }))} value={b.status}
                          onChange={(v) => set('biomarkers', (c.biomarkers ?? []).map((x, j) => (j === i ? { ...x, status: v as 'done' | 'missing' | 'recommended' } : x)))} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="treatment">
            <SectionControl state={state('treatment')}>{t('review:treatment.title')}</SectionControl>
            <Accordion.Panel>
              <Radio.Group label={t('review:treatment.stance')} value={c.treatment?.stance ?? ''} onChange={(v) => update('treatment', (t) => ({ options: [], ...(t ?? {}), stance: v as 'agree' | 'modify' | 'alternative' }))}>
                <Group mt={4}>{STANCES.map((value) => <Radio key={value} value={value} label={t(`review:treatment.stanceOption.${value}`)} />)}</Group>
              </Radio.Group>
              <TextInput label={t('review:treatment.option')} value={c.treatment?.options?.[0]?.option ?? ''} onChange={(e) => { const option = e.currentTarget.value; update('treatment', (t) => ({ ...(t ?? {}), options: [{ option, rationale: t?.options?.[0]?.rationale ?? '' }] })); }} />
              <Textarea label={t('review:treatment.why')} autosize value={c.treatment?.options?.[0]?.rationale ?? ''} onChange={(e) => { const rationale = e.currentTarget.value; update('treatment', (t) => ({ ...(t ?? {}), options: [{ option: t?.options?.[0]?.option ?? '', rationale }] })); }} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="surgery">
            <SectionControl state={state('surgery')}>{t('review:surgery.title')}</SectionControl>
            <Accordion.Panel>
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                <Select label={t('review:surgery.necessary')} data={SURGERY_NEEDED.map((value) => ({ value, label: t(`review:surgery.necessaryOption.${value}`) }))} value={c.surgery?.necessary ?? null} onChange={(v) => setIn('surgery', 'necessary', v)} />
                <Select label={t('review:surgery.approach')} data={APPROACHES.map((value) => ({ value, label: t(`review:surgery.approachOption.${value}`) }))} value={c.surgery?.approach ?? null} onChange={(v) => setIn('surgery', 'approach', v)} />
                <Checkbox mt="lg" label={t('review:surgery.neoadjuvant')} checked={Boolean(c.surgery?.neoadjuvantFirst)} onChange={(e) => setIn('surgery', 'neoadjuvantFirst', e.currentTarget.checked)} />
              </SimpleGrid>
              <Textarea label={t('review:surgery.highVolume')} autosize value={c.surgery?.highVolumeAdvice ?? ''} onChange={(e) => setIn('surgery', 'highVolumeAdvice', e.currentTarget.value)} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="lung">
            <SectionControl state={state('lungFunction')}>{t('review:lung.title')}</SectionControl>
            <Accordion.Panel>
              {(w.reportedLungFunction?.fev1Percent != null || w.reportedLungFunction?.dlcoPercent != null) && (
                <Text size="sm" c="dimmed" mb="xs" data-testid="reported-lung-function">
                  {t('review:lung.reported', {
                    values: [
                      w.reportedLungFunction?.fev1Percent != null ? t('review:lung.reportedFev1', { value: localNumber(w.reportedLungFunction.fev1Percent) }) : null,
                      w.reportedLungFunction?.dlcoPercent != null ? t('review:lung.reportedDlco', { value: localNumber(w.reportedLungFunction.dlcoPercent) }) : null,
                    ].filter(Boolean).join(', '),
                  })}
                </Text>
              )}
              {w.lungFunctionOnFile.length > 0 && (
                <Stack gap={2} mb="xs" data-testid="lung-function-on-file">
                  <Text size="sm">{t('review:lung.onFile')}</Text>
                  <List size="sm">
                    {w.lungFunctionOnFile.map((v, i) => (
                      <List.Item key={i}>{t(`review:lung.onFileValue.${v.measure}`, { value: localNumber(v.percentPredicted), evidence: v.evidence })}{v.afterBronchodilator ? ` ${t('review:lung.afterBronchodilator')}` : ''}</List.Item>
                    ))}
                  </List>
                  {onFileOnce(w.lungFunctionOnFile) && (
                    <Button size="compact-sm" variant="light" style={{ alignSelf: 'flex-start' }}
                      onClick={() => set('lungFunction', { ...(c.lungFunction ?? {}), input: { ...(c.lungFunction?.input ?? {}), ...onFileOnce(w.lungFunctionOnFile) } })}>
                      {t('review:lung.useOnFile')}
                    </Button>
                  )}
                </Stack>
              )}
              <LungCalculator value={c.lungFunction?.input} onChange={(input) => set('lungFunction', { ...(c.lungFunction ?? {}), input })} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="trials">
            <SectionControl state={state('trials')}>{t('review:trials.title')}</SectionControl>
            <Accordion.Panel><TrialsEditor caseId={caseId} open={openSections.includes('trials')} value={c.trials} saved={w.myPart?.content.trials} onChange={(v) => set('trials', v)} /></Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="answers">
            <SectionControl state={state('answers', 'priorities')}>{t('review:answers.title')}</SectionControl>
            <Accordion.Panel>
              {(c.answers ?? []).map((a, i) => a && (
                <Textarea key={a.question} label={a.question} autosize minRows={2} value={a.answer ?? ''} onChange={(e) => set('answers', (c.answers ?? []).map((x, j) => (j === i ? { ...x, answer: e.currentTarget.value } : x)))} />
              ))}
              <Select label={t('review:answers.fit')} data={PRIORITY_FITS.map((value) => ({ value, label: t(`review:answers.fitOption.${value}`) }))} value={c.priorities?.fit ?? null} onChange={(v) => setIn('priorities', 'fit', v)} />
              <Textarea label={t('review:answers.how')} autosize value={c.priorities?.explanation ?? ''} onChange={(e) => setIn('priorities', 'explanation', e.currentTarget.value)} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="summary">
            <SectionControl state={state('patientSummary', 'physicianSection')}>{t('review:summary.title')}</SectionControl>
            <Accordion.Panel>
              <SummaryLanguage w={w} value={c.patientSummaryLanguage ?? 'en'} onChange={(v) => set('patientSummaryLanguage', v)} />
              <Textarea label={t('review:summary.patient')} lang={c.patientSummaryLanguage ?? 'en'} description={summaryReadability(w.myPart, t)} autosize minRows={3} value={c.patientSummary ?? ''} onChange={(e) => set('patientSummary', e.currentTarget.value)} />
              <Textarea label={t('review:summary.physician')} autosize minRows={2} value={c.physicianSection ?? ''} onChange={(e) => set('physicianSection', e.currentTarget.value)} />
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      </fieldset>
      <ErrorNote error={autosave.error} fieldLabel={(path) => { const name = path.split('/').pop() ?? ''; return isLungField(name) ? t(`review:lung.fields.${name}`) : undefined; }} />
      <BoardSection caseId={caseId} isLead={w.isLead} />
      {!signed && missing.length > 0 && (
        <Alert mt="md" color="gray" title={t('review:signing.gaps')} data-testid="signing-gaps">
          <List size="sm">{missing.map((m) => <List.Item key={m}>{m}</List.Item>)}</List>
        </Alert>
      )}
      <Group mt="md">
        {!signed && <Button onClick={async () => { await autosave.flush(); setSigning('sign'); }} disabled={!ready || missing.length > 0}>{t('review:signing.signMine')}</Button>}
        {signed && !w.reports.length && w.isLead && <Button onClick={() => setSigning('issue')} disabled={!allSigned}>{t('review:signing.issue')}</Button>}
        {!w.reports.length && !w.isLead && <Text size="sm">{lead ? t('review:signing.leadIssues', { name: lead.name }) : t('review:signing.leadIssuesUnnamed')}</Text>}
        {signed && !w.reports.length && !allSigned && <Text size="sm">{t('review:signing.waitingFor', { names: w.reviewers.filter((r) => !r.signed).map((r) => r.name).join(', ') })}</Text>}
      </Group>
      {signing && <SignModal caseId={caseId} action={signing} onClose={() => setSigning(null)} />}
      {w.reports.length > 0 && w.isLead && <Addendum caseId={caseId} />}
    </Card>
  );
}

/** The ppoFEV1 / ppoDLCO calculator; what is typed belongs to the draft, the result is asked for once the inputs suffice. */
/**
 * The report values for the calculator, when the reports on file give one FEV1 and one DLCO
 * (several, e.g. before and after a bronchodilator, are the reviewer's to choose between).
 */
function onFileOnce(values: { measure: 'fev1' | 'dlco'; percentPredicted: number }[]): { fev1Percent: number; dlcoPercent: number } | null {
  const fev1 = values.filter((v) => v.measure === 'fev1');
  const dlco = values.filter((v) => v.measure === 'dlco');
  return fev1.length === 1 && dlco.length === 1 ? { fev1Percent: fev1[0]!.percentPredicted, dlcoPercent: dlco[0]!.percentPredicted } : null;
}

function LungCalculator({ value, onChange }: { value: LungInput; onChange: (v: NonNullable<LungInput>) => void }) {
  const input = value ?? {};
  const setInput = (f: (x: NonNullable<LungInput>) => NonNullable<LungInput>) => onChange(f(input));
  const ready = Number(input.fev1Percent) > 0 && Number(input.dlcoPercent) > 0 && (input.resected?.length ?? 0) > 0;
  const payload = ready ? compact(input) : null;
  const result = useQuery({ queryKey: ['lung', JSON.stringify(payload)], queryFn: () => post<PostResult<'/api/calculators/lung-resection'>>('/calculators/lung-resection', payload), enabled: ready });
  const { t } = useTranslation();
  const fields = ['fev1Percent', 'dlcoPercent', 'stairClimbMeters', 'shuttleWalkMeters', 'vo2peakMlKgMin', 'obstructedInResected'] as const satisfies readonly LungField[];
  return (
    <Stack gap="xs">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {fields.map((k) => (
          <NumberInput key={k} label={t(`review:lung.fields.${k}`)} min={0} allowNegative={false} clampBehavior="none" value={input[k] ?? ''} onChange={(v) => setInput((x) => ({ ...x, [k]: v === '' ? undefined : Number(v) }))} />
        ))}
      </SimpleGrid>
      <MultiSelect label={t('review:lung.resected')} data={LOBES.map((value) => ({ value, label: t(`review:lung.lobes.${value}`) }))} value={input.resected ?? []} onChange={(v) => setInput((x) => ({ ...x, resected: v as NonNullable<NonNullable<LungInput>['resected']> }))} />
      {result.data && (
        <Alert color={LUNG_COLOR[result.data.risk ?? result.data.nextStep]} title={t('review:lung.result', { fev1: localNumber(result.data.ppoFev1Percent), dlco: localNumber(result.data.ppoDlcoPercent), outcome: t(`review:lung.outcome.${result.data.risk ?? result.data.nextStep}`) })} data-testid="lung-result">
          <List size="sm">{result.data.reasons.map((r) => <List.Item key={r}>{r}</List.Item>)}</List>
          <Text size="xs" mt={4}>{result.data.source}</Text>
        </Alert>
      )}
    </Stack>
  );
}

/** In demo mode an account without an authenticator signs with its password; the code can be any six digits. */
function useCodeHint(): string | undefined {
  const { data: me } = useMe();
  const { t } = useTranslation();
  return me?.demo && !me.user.mfaEnabled ? t('review:signing.demoCode') : undefined;
}

/** The tumor board's confirmed recommendation, offered to the lead reviewer as a section of the report. */
function BoardSection({ caseId, isLead }: { caseId: string; isLead: boolean }) {
  const board = useQuery({ queryKey: caseKeys.part(caseId, 'board'), queryFn: () => get<GetResult<'/api/cases/{id}/board'>>(`/cases/${caseId}/board`) });
  const recs = board.data?.recommendations ?? [];
  const { t } = useTranslation();
  if (!recs.length) return null;
  return (
    <Stack gap="xs" mt="md" data-testid="workspace-board">
      <Title order={4} size="h5">{t('review:board.title')}</Title>
      <Text size="sm" c="dimmed">{isLead ? t('review:board.lead') : t('review:board.notLead')}</Text>
      {recs.map((r) => <RecommendationCard key={r.sessionId} r={r} />)}
    </Stack>
  );
}

function SignModal({ caseId, action, onClose }: { caseId: string; action: 'sign' | 'issue'; onClose: () => void }) {
  const codeHint = useCodeHint();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const board = useQuery({ queryKey: caseKeys.part(caseId, 'board'), queryFn: () => get<GetResult<'/api/cases/{id}/board'>>(`/cases/${caseId}/board`), enabled: action === 'issue' });
  const hasBoard = action === 'issue' && (board.data?.recommendations.length ?? 0) > 0;
  const [withBoard, setWithBoard] = useState(true);
  const [leaveOutReason, setLeaveOutReason] = useState('');
  const qc = useQueryClient();
  const { t } = useTranslation();
  const m = useMutation({
    mutationFn: () => post(`/cases/${caseId}/opinion/${action === 'sign' ? 'sign' : 'report'}`, { password, code, ...(hasBoard && !withBoard ? { leaveOutBoard: { reason: leaveOutReason } } : {}) }),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: caseKeys.all(caseId) }); onClose(); },
  });
  return (
    <Modal opened onClose={onClose} title={action === 'sign' ? t('review:signing.signTitle') : t('review:signing.issueTitle')}>
      <Stack>
        <Text size="sm">{action === 'sign' ? t('review:signing.signText') : t('review:signing.issueText')}</Text>
        {hasBoard && (
          <>
            <Checkbox label={t('review:signing.includeBoard')} checked={withBoard} onChange={(e) => setWithBoard(e.currentTarget.checked)} />
            {!withBoard && <Textarea label={t('review:signing.leaveOutReason')} description={t('review:signing.leaveOutHelp')} required autosize minRows={2} value={leaveOutReason} onChange={(e) => setLeaveOutReason(e.currentTarget.value)} />}
          </>
        )}
        <PasswordInput label={t('review:signing.password')} value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <TextInput label={t('review:signing.code')} description={codeHint} inputMode="numeric" value={code} onChange={(e) => setCode(e.currentTarget.value)} />
        <ErrorNote error={m.error} />
        <Button onClick={() => m.mutate()} loading={m.isPending} disabled={hasBoard && !withBoard && leaveOutReason.trim().length < 3}>{action === 'sign' ? t('review:signing.sign') : t('review:signing.issueNow')}</Button>
      </Stack>
    </Modal>
  );
}

function Addendum({ caseId }: { caseId: string }) {
  const codeHint = useCodeHint();
  const [form, setForm] = useState({ kind: 'addendum', reason: '', text: '', password: '', code: '' });
  const qc = useQueryClient();
  const m = useMutation({ mutationFn: () => post(`/cases/${caseId}/opinion/report/versions`, form), onSuccess: () => qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'opinion') }) });
  const { t } = useTranslation();
  return (
    <Stack mt="md" gap="xs">
      <Title order={4} size="h5">{t('review:addendum.title')}</Title>
      <Radio.Group value={form.kind} onChange={(v) => setForm({ ...form, kind: v })}><Group><Radio value="addendum" label={t('review:addendum.addendum')} /><Radio value="amendment" label={t('review:addendum.amendment')} /></Group></Radio.Group>
      <TextInput label={t('review:addendum.reason')} value={form.reason} onChange={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
      <Textarea label={t('review:addendum.text')} autosize value={form.text} onChange={(e) => setForm({ ...form, text: e.currentTarget.value })} />
      <FieldRow><PasswordInput label={t('review:addendum.password')} value={form.password} onChange={(e) => setForm({ ...form, password: e.currentTarget.value })} /><TextInput label={t('review:addendum.code')} description={codeHint} value={form.code} onChange={(e) => setForm({ ...form, code: e.currentTarget.value })} /></FieldRow>
      <ErrorNote error={m.error} />
      <Button variant="light" onClick={() => m.mutate()} loading={m.isPending}>{t('review:addendum.issue')}</Button>
    </Stack>
  );
}

/** The board chair's view: who reviews, and the parts signed so far, to discuss at the board. */
export function BoardView({ w }: { w: Workspace }) {
  const { t } = useTranslation();
  const reviewerLine = (r: Workspace['reviewers'][number]) => {
    if (r.lead) return r.signed ? t('review:boardView.leadSigned', { name: r.name }) : t('review:boardView.leadWriting', { name: r.name });
    return r.signed ? t('review:boardView.reviewerSigned', { name: r.name }) : t('review:boardView.reviewerWriting', { name: r.name });
  };
  return (
    <Card withBorder data-testid="board-view">
      <Title order={3} size="h4">{t('review:boardView.title')}</Title>
      <Text size="sm" mt={4}>{t('review:boardView.intro')}</Text>
      <List size="sm" mt="xs">{w.reviewers.map((r) => <List.Item key={r.id}>{reviewerLine(r)}</List.Item>)}</List>
      {w.otherParts.length === 0 && <Text size="sm" c="dimmed" mt="xs">{t('review:boardView.noneSigned')}</Text>}
      {w.otherParts.map((p) => (
        <Stack key={p.id} gap={2} mt="sm">
          <Text fw={600}>{p.authorName}{p.content.reviewerRole ? `, ${p.content.reviewerRole}` : ''}</Text>
          {p.content.diagnosisReview?.reviewedDiagnosis && <Text size="sm">{t('review:boardView.diagnosis', { diagnosis: p.content.diagnosisReview.reviewedDiagnosis })}</Text>}
          {p.content.treatment?.options?.[0]?.option && <Text size="sm">{t('review:boardView.treatment', { option: p.content.treatment.options[0].option })}</Text>}
          {p.content.physicianSection && <Text size="sm">{p.content.physicianSection}</Text>}
        </Stack>
      ))}
    </Card>
  );
}

export function CoordinatorView({ caseId, w }: { caseId: string; w: Workspace }) {
  const qc = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const deliver = useMutation({ mutationFn: () => post(`/cases/${caseId}/opinion/deliver`), onSuccess: () => { setConfirming(false); void qc.invalidateQueries({ queryKey: caseKeys.all(caseId) }); } });
  const { t } = useTranslation();
  return (
    <Card withBorder>
      <Title order={3} size="h5">{t('review:delivery.reviewers')}</Title>
      <List size="sm">{w.reviewers.map((r) => <List.Item key={r.id}>{r.signed ? t('review:delivery.signed', { name: r.name }) : t('review:delivery.notSigned', { name: r.name })}</List.Item>)}</List>
      {w.status === 'opinion_signed' && <Button mt="sm" h="auto" mih={36} py={6} styles={{ label: { whiteSpace: 'normal', textAlign: 'center' } }} disabled={w.summaryLanguage.needed} onClick={() => setConfirming(true)}>{t('review:delivery.deliver')}</Button>}
      {w.status === 'opinion_signed' && w.summaryLanguage.needed && (
        <Text size="sm" mt={4} data-testid="delivery-waits-for-translation">{t('review:delivery.needsTranslation', { language: languageName(w.summaryLanguage.patientLanguage ?? '') })}</Text>
      )}
      <ErrorNote error={deliver.error} />
      <Modal opened={confirming} onClose={() => setConfirming(false)} title={t('review:delivery.confirmTitle')}>
        <Stack>
          <Text size="sm">{t('review:delivery.confirmText')}</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>{t('review:delivery.notYet')}</Button>
            <Button onClick={() => deliver.mutate()} loading={deliver.isPending}>{t('review:delivery.deliverNow')}</Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}


/** How readable the summary is, on its language's scale: US grade for English, INFLESZ for Spanish. */
function summaryReadability(part: Workspace['myPart'], t: TFunction): string {
  if (part?.summaryGrade != null) return t('review:summary.grade', { grade: localNumber(part.summaryGrade) });
  if (part?.summaryInflesz != null) return t('review:summary.inflesz', { score: localNumber(part.summaryInflesz) });
  return t('review:summary.readabilityLater');
}

/** A language's name standing alone, as an option: capitalised ("Español"; in a sentence Spanish writes "español"). */
const asOption = (name: string) => name.charAt(0).toLocaleUpperCase(formatLocale()) + name.slice(1);

/**
 * The language the summary is written in. When the patient prefers another, the expert writes in
 * it if they can; otherwise the coordinator attaches a translation checked by a person.
 */
function SummaryLanguage({ w, value, onChange }: { w: Workspace; value: string; onChange: (v: 'en' | 'es') => void }) {
  const preferred = (w.intake as { patient?: { preferredLanguage?: string } }).patient?.preferredLanguage ?? 'en';
  const { t } = useTranslation();
  const hint = preferred === value ? undefined
    : LANGUAGES.includes(preferred) ? t('review:summary.prefersCanWrite', { language: languageName(preferred) })
    : t('review:summary.prefersOther', { language: languageName(preferred) });
  return (
    <NativeSelect label={t('review:summary.language')} description={hint} value={value} onChange={(e) => onChange(e.currentTarget.value as 'en' | 'es')} w={{ base: '100%', sm: 360 }}
      data={LANGUAGES.map((l) => ({ value: l, label: asOption(languageName(l)) }))} />
  );
}
