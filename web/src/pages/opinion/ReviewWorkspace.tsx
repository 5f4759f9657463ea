import { Accordion, Alert, Badge, Button, Card, Checkbox, Group, List, Modal, MultiSelect, NativeSelect, NumberInput, PasswordInput, Radio, Select, SimpleGrid, Stack, Table, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ReactNode } from 'react';
import { formatDate, get, patch, post, type DeepPartial, type GetResult, type IntakeDraft, type PatchResult, type PostResult, type Schema } from '../../api.ts';
import { useSectionAutosave, type SaveState } from './useSectionAutosave.ts';
import { useMe } from '../../auth.tsx';
import { ErrorNote, FieldRow } from '../../components.tsx';
import { LANGUAGES } from '../../i18n.ts';
import { languageName } from '../../languages.ts';
import { caseKeys } from '../../queryKeys.ts';
import { RecommendationCard } from '../boards/CaseBoardPanel.tsx';
import { SlidesReviewedEditor } from '../pathology/SlidesReviewedEditor.tsx';
import { TrialsEditor } from '../trials/TrialsEditor.tsx';

/**
 * The staff's side of the Opinion tab: the reviewer's workspace and editor, signing and issuing,
 * the board chair's view and the coordinator's delivery. Written for clinicians, in their words;
 * the patient's side (OpinionPanel.tsx) takes its words from the message catalogue.
 */
export type Workspace = GetResult<'/api/cases/{id}/opinion'>;
type OpinionContent = Schema<'OpinionDraft'>;
type Section = keyof OpinionContent;
/** The editor's state: any part of the opinion, filled in or not yet. */
type Content = DeepPartial<OpinionContent>;
type LungInput = NonNullable<Content['lungFunction']>['input'];

const CONCORDANCE = [
  { value: 'concordant', label: 'Concordant (no change)' },
  { value: 'minor_discordance', label: 'Minor discordance (no effect on management or prognosis)' },
  { value: 'major_discordance', label: 'Major discordance (changes management or prognosis)' },
];
const LOBES = [
  { value: 'rightUpper', label: 'Right upper (3)' }, { value: 'rightMiddle', label: 'Right middle (2)' }, { value: 'rightLower', label: 'Right lower (5)' },
  { value: 'leftUpper', label: 'Left upper (3)' }, { value: 'lingula', label: 'Lingula (2)' }, { value: 'leftLower', label: 'Left lower (4)' },
];

const ALL_SECTIONS = ['diagnosis', 'staging', 'slides', 'biomarkers', 'treatment', 'surgery', 'lung', 'trials', 'answers', 'summary'];

export function ReviewerWorkspace({ caseId, w }: { caseId: string; w: Workspace }) {
  const intake = w.intake as IntakeDraft;
  const questions: string[] = intake.questions?.questions ?? [];
  const ref = useQuery({ queryKey: ['reference', 'intake'], queryFn: () => get<GetResult<'/api/reference/intake'>>('/reference/intake'), staleTime: Infinity });
  const priority = (id: string) => ref.data?.priorities.find((p) => p.id === id)?.label ?? id;
  return (
    <Stack>
      <Card withBorder>
        <Title order={3} size="h4">The request</Title>
        <SimpleGrid cols={{ base: 1, md: 2 }} mt="xs">
          <Stack gap={4}>
            <Text size="sm"><b>Condition:</b> {intake.condition?.description ?? '—'}</Text>
            <Text size="sm"><b>Proposed plan:</b> {intake.plan?.proposedPlan ?? '—'}</Text>
            <Text size="sm"><b>What matters most:</b> {(intake.priorities?.ranked ?? []).map(priority).join(' › ') || '—'}{intake.priorities?.inOwnWords ? ` — “${intake.priorities.inOwnWords}”` : ''}</Text>
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={600}>The patient's questions</Text>
            <List size="sm">{questions.map((q) => <List.Item key={q}>{q}</List.Item>)}</List>
          </Stack>
        </SimpleGrid>
        <Text size="sm" mt="xs" data-testid="review-checklist">Records checklist: {checklistWords(w.checklist.items, w.checklist.complete)} · Reviewers: {w.reviewers.map((r) => `${r.name}${r.signed ? ' (signed)' : ''}`).join(', ')}</Text>
      </Card>
      <Notes caseId={caseId} notes={w.notes} />
      <OpinionEditor caseId={caseId} w={w} questions={questions} />
    </Stack>
  );
}

// Green only for low risk: a test still to do is not reassuring, and one at or below 30 % least of all.
const LUNG_COLOR: Record<string, string> = { low: 'teal', moderate: 'orange', high: 'red', low_technology_exercise_test: 'yellow', cardiopulmonary_exercise_test: 'orange', none: 'gray' };
const NEXT_STEP_WORDS: Record<string, string> = { none: 'none', low_technology_exercise_test: 'a low-technology exercise test (stair climb or shuttle walk)', cardiopulmonary_exercise_test: 'a cardiopulmonary exercise test' };

/** The lung calculator's fields as they read on screen, for the draft's errors. */
const LUNG_LABELS: Record<string, string> = {
  fev1Percent: 'FEV1 % predicted', dlcoPercent: 'DLCO % predicted', stairClimbMeters: 'Stair climb (m)', shuttleWalkMeters: 'Shuttle walk (m)',
  vo2peakMlKgMin: 'VO2peak (mL/kg/min)', vo2peakPercent: 'VO2peak % predicted', obstructedInResected: 'Obstructed segments in the resection', obstructedElsewhere: 'Obstructed segments elsewhere',
};

const FINDING_WORDS = { found: 'Found', not_found: 'Not found', stated: 'Reported', conflicting: 'The reports disagree' } as const;

/** A test's result as the reports on file state it, with their words; a dash when none says it plainly. */
function FindingWords({ finding }: { finding: Workspace['biomarkerFindings'][number] | undefined }) {
  if (!finding) return null;
  return (
    <Stack gap={2} mt={4} align="flex-start" data-testid="biomarker-finding">
      <Badge variant="light" color={finding.result === 'conflicting' ? 'orange' : 'gray'}>{FINDING_WORDS[finding.result]}</Badge>
      {finding.evidence.map((e) => <Text key={e} size="xs">“{e}”</Text>)}
    </Stack>
  );
}

/** "Complete" says how much of it was waived rather than on file, and which items. */
function checklistWords(items: Workspace['checklist']['items'], complete: boolean): string {
  const waived = items.filter((i) => !i.have && i.waiver).map((i) => i.label);
  const missing = items.filter((i) => !i.have && !i.waiver).length;
  const state = complete ? 'complete' : `${missing} ${missing === 1 ? 'item' : 'items'} outstanding`;
  return waived.length ? `${state}, ${waived.length} waived as not needed (${waived.join('; ')})` : state;
}

function Notes({ caseId, notes }: { caseId: string; notes: { id: string; body: string; createdAt: string }[] }) {
  const [body, setBody] = useState('');
  const qc = useQueryClient();
  const add = useMutation({ mutationFn: () => post(`/cases/${caseId}/opinion/notes`, { body }), onSuccess: () => { setBody(''); void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'opinion') }); } });
  return (
    <Card withBorder>
      <Title order={3} size="h5">Private notes (only you see them)</Title>
      {notes.map((n) => <Text key={n.id} size="sm">• {n.body}</Text>)}
      <Group align="end" mt="xs">
        <Textarea label="New note" value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={1} style={{ flex: 1 }} />
        <Button variant="light" onClick={() => add.mutate()} disabled={!body.trim()} loading={add.isPending}>Add note</Button>
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

const SAVE_WORDS: Record<SaveState, string> = { pending: 'Changes not saved yet', saving: 'Saving…', saved: 'Saved', error: 'Not saved — trying again', invalid: 'Not saved — correct what is shown below' };

/** An accordion heading with the section's save state beside it. */
function SectionControl({ children, state }: { children: ReactNode; state?: SaveState }) {
  return (
    <Accordion.Control>
      <Group justify="space-between" wrap="nowrap" pe="xs">
        <span>{children}</span>
        {state && <Text size="xs" c={state === 'error' || state === 'invalid' ? 'red.8' : 'dimmed'}>{SAVE_WORDS[state]}</Text>}
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
  const missing = w.myPart?.missing ?? ['Your part of the opinion is empty.'];
  const allSigned = w.reviewers.every((r) => r.signed);
  const ready = !autosave.overall || autosave.overall === 'saved';
  return (
    <Card withBorder>
      <Group justify="space-between">
        <Title order={3} size="h4">My part of the opinion</Title>
        <Group gap="xs">
          {!signed && <Text size="sm" c={autosave.overall === 'error' || autosave.overall === 'invalid' ? 'red.8' : 'dimmed'} aria-live="polite" data-testid="draft-state">{autosave.overall ? SAVE_WORDS[autosave.overall] : w.myPart ? `Saved ${formatDate(w.myPart.updatedAt)}` : 'Saved as you type'}</Text>}
          <Badge color={signed ? 'green' : 'gray'}>{signed ? `Signed ${formatDate(w.myPart?.signedAt)}` : 'Draft'}</Badge>
        </Group>
      </Group>
      <fieldset disabled={signed} style={{ border: 0, padding: 0, margin: 0 }}>
        <TextInput label="Your role on this case" placeholder="e.g. Pathologist" value={c.reviewerRole ?? ''} onChange={(e) => set('reviewerRole', e.currentTarget.value)} mt="sm" />
        <Accordion multiple value={openSections} onChange={setOpenSections} mt="sm">
          <Accordion.Item value="diagnosis">
            <SectionControl state={state('diagnosisReview')}>Diagnosis review</SectionControl>
            <Accordion.Panel>
              <SimpleGrid cols={{ base: 1, md: 2 }}>
                <TextInput label="Original diagnosis" value={c.diagnosisReview?.originalDiagnosis ?? ''} onChange={(e) => setIn('diagnosisReview', 'originalDiagnosis', e.currentTarget.value)} />
                <TextInput label="Reviewed diagnosis" value={c.diagnosisReview?.reviewedDiagnosis ?? ''} onChange={(e) => setIn('diagnosisReview', 'reviewedDiagnosis', e.currentTarget.value)} />
              </SimpleGrid>
              <Select label="Concordance" data={CONCORDANCE} value={c.diagnosisReview?.concordance ?? null} onChange={(v) => setIn('diagnosisReview', 'concordance', v)} />
              <Textarea label="Rationale" autosize minRows={2} value={c.diagnosisReview?.rationale ?? ''} onChange={(e) => setIn('diagnosisReview', 'rationale', e.currentTarget.value)} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="staging">
            <SectionControl state={state('staging')}>Staging (TNM)</SectionControl>
            <Accordion.Panel>
              <SimpleGrid cols={{ base: 2, md: 6 }}>
                <Select label="Basis" data={[{ value: 'clinical', label: 'Clinical' }, { value: 'pathological', label: 'Pathological' }]} value={c.staging?.basis ?? null} onChange={(v) => setIn('staging', 'basis', v)} />
                <TextInput label="T" value={c.staging?.t ?? ''} onChange={(e) => setIn('staging', 't', e.currentTarget.value)} />
                <TextInput label="N" value={c.staging?.n ?? ''} onChange={(e) => setIn('staging', 'n', e.currentTarget.value)} />
                <TextInput label="M" value={c.staging?.m ?? ''} onChange={(e) => setIn('staging', 'm', e.currentTarget.value)} />
                <TextInput label="Grade" value={c.staging?.grade ?? ''} onChange={(e) => setIn('staging', 'grade', e.currentTarget.value)} />
                <TextInput label="Edition" placeholder="AJCC 8th edition" value={c.staging?.edition ?? ''} onChange={(e) => setIn('staging', 'edition', e.currentTarget.value)} />
              </SimpleGrid>
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="slides">
            <SectionControl state={state('slidesReviewed')}>Slides reviewed (digital and glass)</SectionControl>
            <Accordion.Panel><SlidesReviewedEditor caseId={caseId} value={c.slidesReviewed} onChange={(v) => set('slidesReviewed', v)} /></Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="biomarkers">
            <SectionControl state={state('biomarkers')}>Biomarkers (prefilled from the completeness rules)</SectionControl>
            <Accordion.Panel>
              <Text size="sm" c="dimmed">What the molecular reports on file say is read from their plain statements and quoted: check it against the report.</Text>
              <Table>
                <Table.Thead><Table.Tr><Table.Th>Test, and what the reports say</Table.Th><Table.Th>Status</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>
                  {(c.biomarkers ?? []).map((b, i) => b && (
                    <Table.Tr key={b.name}>
                      <Table.Td><Text size="sm">{b.name}</Text><FindingWords finding={w.biomarkerFindings.find((f) => f.test === b.name)} /></Table.Td>
                      <Table.Td miw={130}>
                        <Select aria-label={`${b.name} status`} data={[{ value: 'done', label: 'Done' }, { value: 'missing', label: 'Missing' }, { value: 'recommended', label: 'Recommended' }]} value={b.status}
                          onChange={(v) => set('biomarkers', (c.biomarkers ?? []).map((x, j) => (j === i ? { ...x, status: v as 'done' | 'missing' | 'recommended' } : x)))} />
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="treatment">
            <SectionControl state={state('treatment')}>Treatment</SectionControl>
            <Accordion.Panel>
              <Radio.Group label="The proposed plan" value={c.treatment?.stance ?? ''} onChange={(v) => update('treatment', (t) => ({ options: [], ...(t ?? {}), stance: v as 'agree' | 'modify' | 'alternative' }))}>
                <Group mt={4}><Radio value="agree" label="Agree" /><Radio value="modify" label="Modify" /><Radio value="alternative" label="Alternative" /></Group>
              </Radio.Group>
              <TextInput label="Recommended option" value={c.treatment?.options?.[0]?.option ?? ''} onChange={(e) => { const option = e.currentTarget.value; update('treatment', (t) => ({ ...(t ?? {}), options: [{ option, rationale: t?.options?.[0]?.rationale ?? '' }] })); }} />
              <Textarea label="Why" autosize value={c.treatment?.options?.[0]?.rationale ?? ''} onChange={(e) => { const rationale = e.currentTarget.value; update('treatment', (t) => ({ ...(t ?? {}), options: [{ option: t?.options?.[0]?.option ?? '', rationale }] })); }} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="surgery">
            <SectionControl state={state('surgery')}>Surgery</SectionControl>
            <Accordion.Panel>
              <SimpleGrid cols={{ base: 1, md: 3 }}>
                <Select label="Is surgery necessary?" data={[{ value: 'yes', label: 'Yes' }, { value: 'no', label: 'No' }, { value: 'uncertain', label: 'Uncertain' }]} value={c.surgery?.necessary ?? null} onChange={(v) => setIn('surgery', 'necessary', v)} />
                <Select label="Approach" data={[{ value: 'open', label: 'Open' }, { value: 'vats', label: 'VATS' }, { value: 'robotic', label: 'Robotic' }, { value: 'not_applicable', label: 'Not applicable' }]} value={c.surgery?.approach ?? null} onChange={(v) => setIn('surgery', 'approach', v)} />
                <Checkbox mt="lg" label="Treatment before surgery (neoadjuvant)" checked={Boolean(c.surgery?.neoadjuvantFirst)} onChange={(e) => setIn('surgery', 'neoadjuvantFirst', e.currentTarget.checked)} />
              </SimpleGrid>
              <Textarea label="High-volume center advice" autosize value={c.surgery?.highVolumeAdvice ?? ''} onChange={(e) => setIn('surgery', 'highVolumeAdvice', e.currentTarget.value)} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="lung">
            <SectionControl state={state('lungFunction')}>Lung function (ppoFEV1 / ppoDLCO)</SectionControl>
            <Accordion.Panel>
              {(w.reportedLungFunction?.fev1Percent != null || w.reportedLungFunction?.dlcoPercent != null) && (
                <Text size="sm" c="dimmed" mb="xs" data-testid="reported-lung-function">
                  The patient's own numbers from the assessment, not a report: {[w.reportedLungFunction?.fev1Percent != null ? `FEV1 ${w.reportedLungFunction.fev1Percent} %` : null, w.reportedLungFunction?.dlcoPercent != null ? `DLCO ${w.reportedLungFunction.dlcoPercent} %` : null].filter(Boolean).join(', ')} of predicted. Check them against the lung function report.
                </Text>
              )}
              <LungCalculator value={c.lungFunction?.input} onChange={(input) => set('lungFunction', { ...(c.lungFunction ?? {}), input })} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="trials">
            <SectionControl state={state('trials')}>Clinical trials to ask about</SectionControl>
            <Accordion.Panel><TrialsEditor caseId={caseId} open={openSections.includes('trials')} value={c.trials} saved={w.myPart?.content.trials} onChange={(v) => set('trials', v)} /></Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="answers">
            <SectionControl state={state('answers', 'priorities')}>Answers to the patient's questions</SectionControl>
            <Accordion.Panel>
              {(c.answers ?? []).map((a, i) => a && (
                <Textarea key={a.question} label={a.question} autosize minRows={2} value={a.answer ?? ''} onChange={(e) => set('answers', (c.answers ?? []).map((x, j) => (j === i ? { ...x, answer: e.currentTarget.value } : x)))} />
              ))}
              <Select label="Does the plan fit the patient's priorities?" data={[{ value: 'fits', label: 'Fits' }, { value: 'partly', label: 'Partly' }, { value: 'does_not_fit', label: 'Does not fit' }]} value={c.priorities?.fit ?? null} onChange={(v) => setIn('priorities', 'fit', v)} />
              <Textarea label="How" autosize value={c.priorities?.explanation ?? ''} onChange={(e) => setIn('priorities', 'explanation', e.currentTarget.value)} />
            </Accordion.Panel>
          </Accordion.Item>
          <Accordion.Item value="summary">
            <SectionControl state={state('patientSummary', 'physicianSection')}>Summaries</SectionControl>
            <Accordion.Panel>
              <SummaryLanguage w={w} value={c.patientSummaryLanguage ?? 'en'} onChange={(v) => set('patientSummaryLanguage', v)} />
              <Textarea label="Summary for the patient, in plain language" lang={c.patientSummaryLanguage ?? 'en'} description={summaryReadability(w.myPart)} autosize minRows={3} value={c.patientSummary ?? ''} onChange={(e) => set('patientSummary', e.currentTarget.value)} />
              <Textarea label="For the referring physician" autosize minRows={2} value={c.physicianSection ?? ''} onChange={(e) => set('physicianSection', e.currentTarget.value)} />
            </Accordion.Panel>
          </Accordion.Item>
        </Accordion>
      </fieldset>
      <ErrorNote error={autosave.error} fieldLabel={(path) => LUNG_LABELS[path.split('/').pop() ?? '']} />
      <BoardSection caseId={caseId} isLead={w.isLead} />
      {!signed && missing.length > 0 && (
        <Alert mt="md" color="gray" title="Before you can sign" data-testid="signing-gaps">
          <List size="sm">{missing.map((m) => <List.Item key={m}>{m}</List.Item>)}</List>
        </Alert>
      )}
      <Group mt="md">
        {!signed && <Button onClick={async () => { await autosave.flush(); setSigning('sign'); }} disabled={!ready || missing.length > 0}>Sign my part…</Button>}
        {signed && !w.reports.length && w.isLead && <Button onClick={() => setSigning('issue')} disabled={!allSigned}>Issue the report…</Button>}
        {!w.reports.length && !w.isLead && <Text size="sm">{w.reviewers.find((r) => r.lead)?.name ?? 'The lead reviewer'} leads this review and issues the report once every part is signed.</Text>}
        {signed && !w.reports.length && !allSigned && <Text size="sm">Waiting for: {w.reviewers.filter((r) => !r.signed).map((r) => r.name).join(', ')}</Text>}
      </Group>
      {signing && <SignModal caseId={caseId} action={signing} onClose={() => setSigning(null)} />}
      {w.reports.length > 0 && w.isLead && <Addendum caseId={caseId} />}
    </Card>
  );
}

/** The ppoFEV1 / ppoDLCO calculator; what is typed belongs to the draft, the result is asked for once the inputs suffice. */
function LungCalculator({ value, onChange }: { value: LungInput; onChange: (v: NonNullable<LungInput>) => void }) {
  const input = value ?? {};
  const setInput = (f: (x: NonNullable<LungInput>) => NonNullable<LungInput>) => onChange(f(input));
  const ready = Number(input.fev1Percent) > 0 && Number(input.dlcoPercent) > 0 && (input.resected?.length ?? 0) > 0;
  const payload = ready ? compact(input) : null;
  const result = useQuery({ queryKey: ['lung', JSON.stringify(payload)], queryFn: () => post<PostResult<'/api/calculators/lung-resection'>>('/calculators/lung-resection', payload), enabled: ready });
  type NumberField = 'fev1Percent' | 'dlcoPercent' | 'stairClimbMeters' | 'shuttleWalkMeters' | 'vo2peakMlKgMin' | 'obstructedInResected';
  const num = (k: NumberField, label: string) => <NumberInput label={label} min={0} allowNegative={false} clampBehavior="none" value={input[k] ?? ''} onChange={(v) => setInput((x) => ({ ...x, [k]: v === '' ? undefined : Number(v) }))} />;
  return (
    <Stack gap="xs">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {num('fev1Percent', 'FEV1 % predicted')}{num('dlcoPercent', 'DLCO % predicted')}{num('stairClimbMeters', 'Stair climb (m)')}{num('shuttleWalkMeters', 'Shuttle walk (m)')}
        {num('vo2peakMlKgMin', 'VO2peak (mL/kg/min)')}{num('obstructedInResected', 'Obstructed segments in the resection')}
      </SimpleGrid>
      <MultiSelect label="To be resected (functional segments)" data={LOBES} value={input.resected ?? []} onChange={(v) => setInput((x) => ({ ...x, resected: v as NonNullable<NonNullable<LungInput>['resected']> }))} />
      {result.data && (
        <Alert color={LUNG_COLOR[result.data.risk ?? result.data.nextStep]} title={`ppoFEV1 ${result.data.ppoFev1Percent} % · ppoDLCO ${result.data.ppoDlcoPercent} % · ${result.data.risk ? `${result.data.risk} risk` : `next step: ${NEXT_STEP_WORDS[result.data.nextStep]}`}`} data-testid="lung-result">
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
  return me?.demo && !me.user.mfaEnabled ? 'Demo mode: this account has no authenticator app, so any six digits work.' : undefined;
}

/** The tumor board's confirmed recommendation, offered to the lead reviewer as a section of the report. */
function BoardSection({ caseId, isLead }: { caseId: string; isLead: boolean }) {
  const board = useQuery({ queryKey: caseKeys.part(caseId, 'board'), queryFn: () => get<GetResult<'/api/cases/{id}/board'>>(`/cases/${caseId}/board`) });
  const recs = board.data?.recommendations ?? [];
  if (!recs.length) return null;
  return (
    <Stack gap="xs" mt="md" data-testid="workspace-board">
      <Title order={4} size="h5">Tumor board</Title>
      <Text size="sm" c="dimmed">{isLead ? 'The report you issue carries this recommendation as its own section (PDF and FHIR). You may leave it out when you issue the report, with a reason.' : 'The lead reviewer’s report carries this recommendation as its own section.'}</Text>
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
  const m = useMutation({
    mutationFn: () => post(`/cases/${caseId}/opinion/${action === 'sign' ? 'sign' : 'report'}`, { password, code, ...(hasBoard && !withBoard ? { leaveOutBoard: { reason: leaveOutReason } } : {}) }),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: caseKeys.all(caseId) }); onClose(); },
  });
  return (
    <Modal opened onClose={onClose} title={action === 'sign' ? 'Sign your part' : 'Issue the combined report'}>
      <Stack>
        <Text size="sm">{action === 'sign' ? 'Signing locks your part. Later changes become an addendum or amendment.' : 'The report is rendered as PDF and FHIR, and the case moves to “opinion signed”.'}</Text>
        {hasBoard && (
          <>
            <Checkbox label="Include the tumor board’s recommendation as a section of the report" checked={withBoard} onChange={(e) => setWithBoard(e.currentTarget.checked)} />
            {!withBoard && <Textarea label="Why the report leaves it out" description="Kept with your review notes. The patient does not see it." required autosize minRows={2} value={leaveOutReason} onChange={(e) => setLeaveOutReason(e.currentTarget.value)} />}
          </>
        )}
        <PasswordInput label="Your password" value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
        <TextInput label="Code from your authenticator app" description={codeHint} inputMode="numeric" value={code} onChange={(e) => setCode(e.currentTarget.value)} />
        <ErrorNote error={m.error} />
        <Button onClick={() => m.mutate()} loading={m.isPending} disabled={hasBoard && !withBoard && leaveOutReason.trim().length < 3}>{action === 'sign' ? 'Sign' : 'Issue the report'}</Button>
      </Stack>
    </Modal>
  );
}

function Addendum({ caseId }: { caseId: string }) {
  const codeHint = useCodeHint();
  const [form, setForm] = useState({ kind: 'addendum', reason: '', text: '', password: '', code: '' });
  const qc = useQueryClient();
  const m = useMutation({ mutationFn: () => post(`/cases/${caseId}/opinion/report/versions`, form), onSuccess: () => qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'opinion') }) });
  return (
    <Stack mt="md" gap="xs">
      <Title order={4} size="h5">Addendum or amendment</Title>
      <Radio.Group value={form.kind} onChange={(v) => setForm({ ...form, kind: v })}><Group><Radio value="addendum" label="Addendum (adds)" /><Radio value="amendment" label="Amendment (corrects)" /></Group></Radio.Group>
      <TextInput label="Reason" value={form.reason} onChange={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
      <Textarea label="Text" autosize value={form.text} onChange={(e) => setForm({ ...form, text: e.currentTarget.value })} />
      <FieldRow><PasswordInput label="Password" value={form.password} onChange={(e) => setForm({ ...form, password: e.currentTarget.value })} /><TextInput label="Authenticator code" description={codeHint} value={form.code} onChange={(e) => setForm({ ...form, code: e.currentTarget.value })} /></FieldRow>
      <ErrorNote error={m.error} />
      <Button variant="light" onClick={() => m.mutate()} loading={m.isPending}>Issue a new version</Button>
    </Stack>
  );
}

/** The board chair's view: who reviews, and the parts signed so far, to discuss at the board. */
export function BoardView({ w }: { w: Workspace }) {
  return (
    <Card withBorder data-testid="board-view">
      <Title order={3} size="h4">The opinion so far</Title>
      <Text size="sm" mt={4}>The reviewers write the opinion; the board's advice goes into their parts. When the board has discussed the case, return it to review with the button at the top.</Text>
      <List size="sm" mt="xs">{w.reviewers.map((r) => <List.Item key={r.id}>{r.name}{r.lead ? ' (lead)' : ''}: {r.signed ? 'signed their part' : 'still writing'}</List.Item>)}</List>
      {w.otherParts.length === 0 && <Text size="sm" c="dimmed" mt="xs">No part is signed yet.</Text>}
      {w.otherParts.map((p) => (
        <Stack key={p.id} gap={2} mt="sm">
          <Text fw={600}>{p.authorName}{p.content.reviewerRole ? `, ${p.content.reviewerRole}` : ''}</Text>
          {p.content.diagnosisReview?.reviewedDiagnosis && <Text size="sm">Diagnosis: {p.content.diagnosisReview.reviewedDiagnosis}</Text>}
          {p.content.treatment?.options?.[0]?.option && <Text size="sm">Treatment: {p.content.treatment.options[0].option}</Text>}
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
  return (
    <Card withBorder>
      <Title order={3} size="h5">Reviewers</Title>
      <List size="sm">{w.reviewers.map((r) => <List.Item key={r.id}>{r.name}: {r.signed ? 'signed' : 'not signed yet'}</List.Item>)}</List>
      {w.status === 'opinion_signed' && <Button mt="sm" h="auto" mih={36} py={6} styles={{ label: { whiteSpace: 'normal', textAlign: 'center' } }} disabled={w.summaryLanguage.needed} onClick={() => setConfirming(true)}>Deliver the opinion to the patient and referrer</Button>}
      {w.status === 'opinion_signed' && w.summaryLanguage.needed && (
        <Text size="sm" mt={4} data-testid="delivery-waits-for-translation">The patient reads {languageName(w.summaryLanguage.patientLanguage ?? '')}: attach a translation of the summary, checked by a person, before delivering.</Text>
      )}
      <ErrorNote error={deliver.error} />
      <Modal opened={confirming} onClose={() => setConfirming(false)} title="Deliver the opinion?">
        <Stack>
          <Text size="sm">The patient, their caregivers and the referring physician are told at once and can read and download it. They can then ask follow-up questions for a while. A delivered opinion cannot be taken back; later changes go into an addendum or amendment.</Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>Not yet</Button>
            <Button onClick={() => deliver.mutate()} loading={deliver.isPending}>Deliver now</Button>
          </Group>
        </Stack>
      </Modal>
    </Card>
  );
}


/** How readable the summary is, on its language's scale: US grade for English, INFLESZ for Spanish. */
function summaryReadability(part: Workspace['myPart']): string {
  if (part?.summaryGrade != null) return `Reading grade ${part.summaryGrade} (aim for 8 or below)`;
  if (part?.summaryInflesz != null) return `INFLESZ ${part.summaryInflesz} (aim for 55 or more: "normal" or easier)`;
  return 'How easy it is to read appears as you write.';
}

/**
 * The language the summary is written in. When the patient prefers another, the expert writes in
 * it if they can; otherwise the coordinator attaches a translation checked by a person.
 */
function SummaryLanguage({ w, value, onChange }: { w: Workspace; value: string; onChange: (v: 'en' | 'es') => void }) {
  const preferred = (w.intake as { patient?: { preferredLanguage?: string } }).patient?.preferredLanguage ?? 'en';
  const hint = preferred === value ? undefined
    : LANGUAGES.includes(preferred) ? `The patient prefers ${languageName(preferred)}. Write in it if you can; otherwise the coordinator attaches a translation checked by a person.`
    : `The patient prefers ${languageName(preferred)}: the coordinator attaches a translation checked by a person.`;
  return (
    <NativeSelect label="Language of the summary" description={hint} value={value} onChange={(e) => onChange(e.currentTarget.value as 'en' | 'es')} w={{ base: '100%', sm: 360 }}
      data={LANGUAGES.map((l) => ({ value: l, label: languageName(l) }))} />
  );
}
