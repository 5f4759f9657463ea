import { ActionIcon, Alert, Button, Checkbox, Group, Modal, NativeSelect, Paper, Progress, Radio, ScrollArea, Select, Stack, Stepper, Switch, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useNavigate } from 'react-router';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { formatDate, formatMonth, get, post, put, type FormOf as Form, type GetResult, type Schema } from '../api.ts';
import { formatLocale } from '../i18n.ts';
import type { Me } from '../auth.tsx';
import { ErrorNote, FieldRow } from '../components.tsx';
import { DiagnosisLabel, useDiagnosisByCode, useDiagnosisSearch, type DiagnosisHit } from '../diagnosis.tsx';
import { languageOptions } from '../languages.ts';
import { InsuranceCardPhotos } from './costs/InsuranceCard.tsx';
import { CostEstimate } from './costs/CostEstimate.tsx';
import { Caregivers } from './Caregivers.tsx';
import i18n from '../i18n.ts';
import { caseKeys } from '../queryKeys.ts';

const SECTIONS = ['patient', 'condition', 'situations', 'plan', 'treatment', 'questions', 'priorities'] as const;
/** The wizard's steps in order: the intake sections, then consent and submit (named in intake:step). */
const STEPS = [...SECTIONS, 'consent', 'submit'] as const;
const SEXES = ['female', 'male', 'other', 'unknown'] as const;
const COUNTRIES = ['US', 'CA', 'MX', 'GB', 'DE', 'FR', 'ES', 'IN'] as const;
const RESPONSES = ['working', 'not_working', 'side_effects', 'too_early', 'unknown'] as const;
const US_STATES = 'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR'.split(' ');

type Section = (typeof SECTIONS)[number];
type CaseDetail = Schema<'Case'>;
type Intake = Schema<'Intake'>;
type Draft = { [K in Section]: Form<NonNullable<Intake[K]>> };
interface StepProps<K extends Section> { v: Draft[K]; set: (p: Draft[K]) => void }

/** The save-and-resume intake: each step is saved on "Save and continue" and reopens where left. */
export function IntakeWizard({ c, me }: { c: CaseDetail; me: Me }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const firstMissing = SECTIONS.findIndex((s) => c.missingIntakeSections.includes(s));
  const [active, setActive] = useState(firstMissing === -1 ? (c.unsignedConsents.length ? 7 : 8) : firstMissing);
  // What is typed but not yet saved stays in this tab (a reload, or a look at another page, loses
  // nothing); it is kept for the tab only, never on the device after the tab closes.
  const unsavedKey = `consilium:intake:${c.id}`;
  const [draft, setDraft] = useState<Draft>(() => ({ ...defaults(c.intake as Form<Intake>, me), ...readUnsaved(unsavedKey) }));
  const [dirty, setDirty] = useState(false);
  useEffect(() => {
    if (!dirty) return;
    sessionStorage.setItem(unsavedKey, JSON.stringify(draft));
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [draft, dirty, unsavedKey]);
  const ref = useQuery({ queryKey: ['reference', 'intake'], queryFn: () => get<GetResult<'/api/reference/intake'>>('/reference/intake'), staleTime: Infinity });
  const save = useMutation({
    mutationFn: (section: Section) => put<CaseDetail>(`/cases/${c.id}/intake/${section}`, clean(section, draft[section])),
    onSuccess: (updated) => {
      qc.setQueryData(caseKeys.part(c.id, 'detail'), updated);
      sessionStorage.removeItem(unsavedKey);
      setDirty(false);
      setActive((a) => a + 1);
    },
  });
  const set = <K extends Section>(section: K, patch: Draft[K]) => {
    setDraft((d) => ({ ...d, [section]: { ...d[section], ...patch } }));
    setDirty(true);
  };
  const section = SECTIONS[active];
  return (
    <Stack>
      <Group justify="space-between" align="start">
        <Title order={2}>{t('intake:title')}</Title>
        <DeleteDraft c={c} />
      </Group>
      <Text c="dimmed" size="sm">{t('intake:savedEachStep')}</Text>
      {/* A phone shows where you are in words and a bar; a wider screen shows every step. */}
      <Stack gap={4} hiddenFrom="md" data-testid="intake-progress">
        <Text size="sm" fw={600}>{t('intake:stepOfNamed', { step: active + 1, count: STEPS.length, name: t(`intake:step.${STEPS[active]!}`) })}</Text>
        <Progress value={((active + 1) / STEPS.length) * 100} aria-label={t('intake:stepOf', { step: active + 1, count: STEPS.length })} />
      </Stack>
      <Stepper active={active} onStepClick={setActive} size="xs" allowNextStepsSelect={false} visibleFrom="md">
        {STEPS.map((s) => <Stepper.Step key={s} label={t(`intake:step.${s}`)} />)}
      </Stepper>
      <Paper withBorder p="lg">
        {section && (
          <form onSubmit={(e) => { e.preventDefault(); save.mutate(section); }}>
            <Stack>
              <Title order={3}>{t(`intake:step.${section}`)}</Title>
              {section === 'patient' && <PatientStep caseId={c.id} v={draft.patient} set={(p) => set('patient', p)} />}
              {section === 'condition' && <ConditionStep v={draft.condition} set={(p) => set('condition', p)} />}
              {section === 'situations' && (
                <Checkbox.Group label={t('intake:situations')} value={(draft.situations.situations ?? []).map(String)} onChange={(v) => set('situations', { situations: v.map(Number).sort((a, b) => a - b) })}>
                  <Stack mt="xs">{ref.data?.situations.map((s) => <Checkbox key={s.id} value={String(s.id)} label={s.label} />)}</Stack>
                </Checkbox.Group>
              )}
              {section === 'plan' && <PlanStep v={draft.plan} set={(p) => set('plan', p)} />}
              {section === 'treatment' && <TreatmentStep v={draft.treatment} set={(p) => set('treatment', p)} />}
              {section === 'questions' && <QuestionsStep items={draft.questions.questions ?? []} onChange={(questions) => set('questions', { questions })} />}
              {section === 'priorities' && <PrioritiesStep v={draft.priorities} options={ref.data?.priorities ?? []} set={(p) => set('priorities', p)} />}
              <ErrorNote error={save.error} fieldLabel={(path) => intakeFieldLabel(path, t)} />
              <Group justify="space-between">
                <Button variant="default" disabled={active === 0} onClick={() => setActive(active - 1)}>{t('intake:back')}</Button>
                <Button type="submit" loading={save.isPending}>{t('intake:saveContinue')}</Button>
              </Group>
            </Stack>
          </form>
        )}
        {active === 7 && <ConsentStep c={c} me={me} onDone={() => setActive(8)} onBack={() => setActive(6)} />}
        {active === 8 && <SubmitStep c={c} onBack={() => setActive(7)} />}
      </Paper>
      {/* Asked once, at the end, not under every step. */}
      {active === 8 && c.myRelations.includes('patient') && (
        <Paper withBorder p="lg">
          <Title order={4} mb={4}>{t('intake:helper.title')}</Title>
          <Text size="sm" c="dimmed" mb="xs">{t('intake:helper.text')}</Text>
          <Caregivers c={c} />
        </Paper>
      )}
    </Stack>
  );
}

/** Deletes the draft and what was typed in it, after a confirmation. */
function DeleteDraft({ c }: { c: CaseDetail }) {
  const [open, setOpen] = useState(false);
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const discard = useMutation({
    mutationFn: () => post(`/cases/${c.id}/commands/discard`, {}),
    onSuccess: () => {
      sessionStorage.removeItem(`consilium:intake:${c.id}`);
      void qc.invalidateQueries({ queryKey: ['cases'] });
      navigate('/cases');
    },
  });
  return (
    <>
      <Button variant="subtle" color="red" size="sm" onClick={() => setOpen(true)}>{t('intake:delete.button')}</Button>
      <Modal opened={open} onClose={() => setOpen(false)} title={t('intake:delete.title')}>
        <Stack>
          <Text size="sm">{t('intake:delete.text')}</Text>
          <ErrorNote error={discard.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setOpen(false)}>{t('intake:delete.keep')}</Button>
            <Button color="red" onClick={() => discard.mutate()} loading={discard.isPending}>{t('intake:delete.confirm')}</Button>
          </Group>
        </Stack>
      </Modal>
    </>
  );
}

function readUnsaved(key: string): Partial<Draft> {
  try {
    return JSON.parse(sessionStorage.getItem(key) ?? '{}') as Partial<Draft>;
  } catch {
    return {};
  }
}

function defaults(intake: Form<Intake>, me: Me): Draft {
  // A patient fills in their own request; a referring physician's request is about someone else.
  const [given, ...family] = me.user.role === 'patient' ? me.user.name.split(' ') : [''];
  return {
    patient: intake.patient ?? { givenName: given ?? '', familyName: family.join(' '), birthDate: '', sex: 'unknown', country: 'US', state: '', preferredLanguage: i18n.language },
    condition: intake.condition ?? { description: '', icd10Code: '', newDiagnosis: true },
    situations: intake.situations ?? { situations: [] },
    plan: intake.plan ?? { proposedPlan: '', surgeryProposed: false, surgeryDescription: '', treatmentStartsSoon: false, rapidWorsening: false },
    treatment: intake.treatment ?? { treatments: [] },
    questions: intake.questions ?? { questions: [''] },
    priorities: intake.priorities ?? { ranked: [], inOwnWords: '' },
  };
}

/** Drops empty optional answers so the server sees "not given" rather than "".  */
function clean<K extends Section>(section: K, v: Draft[K]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v ?? {})) if (val !== '' && val !== null && val !== undefined) out[k] = val;
  if (section === 'questions') out.questions = (asSection(v, 'questions').questions ?? []).filter((q) => q?.trim());
  if (section === 'plan' && !out.surgeryProposed) delete out.surgeryDescription;
  if (section === 'treatment') out.treatments = (asSection(v, 'treatment').treatments ?? []).filter((t) => t?.description?.trim()).map((t) => Object.fromEntries(Object.entries(t ?? {}).filter(([, x]) => x !== '')));
  return out;
}
/** The intake's fields by their labels on screen (section/field → message key), for errors. */
const FIELD_LABELS: Record<string, string> = {
  'patient/givenName': 'intake:patient.givenName', 'patient/familyName': 'intake:patient.familyName', 'patient/birthDate': 'intake:patient.birthDate',
  'patient/sex': 'intake:patient.sex', 'patient/country': 'intake:patient.country', 'patient/state': 'intake:patient.state',
  'patient/preferredLanguage': 'intake:patient.language', 'patient/insurancePlan': 'intake:patient.insurance', 'patient/planType': 'intake:patient.planType',
  'patient/insuranceMemberId': 'intake:patient.memberId', 'patient/insuranceGroupNumber': 'intake:patient.groupNumber',
  'patient/phone': 'intake:patient.phone', 'patient/postalCode': 'intake:patient.postalCode', 'patient/travelMiles': 'intake:patient.travel',
  'condition/description': 'intake:condition.words', 'condition/icd10Code': 'intake:condition.closest', 'condition/diagnosedOn': 'intake:condition.diagnosedOn',
  'condition/newDiagnosis': 'intake:condition.isNew', 'plan/proposedPlan': 'intake:plan.proposed', 'plan/surgeryDescription': 'intake:plan.operation',
  'plan/plannedStartDate': 'intake:plan.start', 'plan/treatingPhysician': 'intake:plan.doctor', 'plan/treatingInstitution': 'intake:plan.place',
  'treatment/description': 'intake:treatment.name', 'treatment/startedOn': 'intake:treatment.started', 'treatment/endedOn': 'intake:treatment.ended',
  'treatment/response': 'intake:treatment.going', 'priorities/inOwnWords': 'intake:priorities.own', 'priorities/ranked': 'intake:priorities.order', 'questions/questions': 'intake:questions.label',
};

/** An error's field as its label reads ("ZIP or postal code", "Question for the expert 2"), without "(optional)". */
function intakeFieldLabel(path: string, t: TFunction): string | undefined {
  const parts = path.split('/').filter(Boolean);
  const names = parts.filter((p) => !/^\d+$/.test(p));
  const key = FIELD_LABELS[`${names[0]}/${names[names.length - 1]}`];
  if (!key) return undefined;
  const index = parts.find((p) => /^\d+$/.test(p));
  return String(t(key as never, { number: index === undefined ? '' : Number(index) + 1 } as never)).replace(/ \((optional|opcional)\)$/, '').trim();
}

/** Narrows a step's values to its section (the caller checked which section it is). */
const asSection = <K extends Section>(v: Draft[Section], _section: K) => v as Draft[K];

function PatientStep({ caseId, v, set }: StepProps<'patient'> & { caseId: string }) {
  const { t } = useTranslation();
  return (
    <Stack>
      <Text size="sm">{t('intake:patient.intro')}</Text>
      <FieldRow>
        <TextInput label={t('intake:patient.givenName')} required value={v.givenName} onChange={(e) => set({ givenName: e.currentTarget.value })} />
        <TextInput label={t('intake:patient.familyName')} required value={v.familyName} onChange={(e) => set({ familyName: e.currentTarget.value })} />
      </FieldRow>
      <FieldRow>
        <TextInput label={t('intake:patient.birthDate')} type="date" required value={v.birthDate} onChange={(e) => set({ birthDate: e.currentTarget.value })} />
        <NativeSelect label={t('intake:patient.sex')} value={v.sex} onChange={(e) => set({ sex: e.currentTarget.value as NonNullable<Intake['patient']>['sex'] })} data={SEXES.map((value) => ({ value, label: t(`intake:patient.sexes.${value}`) }))} />
      </FieldRow>
      <FieldRow>
        {/* A state, region or postal code belongs to its country: a new country starts them empty. */}
        <NativeSelect label={t('intake:patient.country')} value={v.country} onChange={(e) => set({ country: e.currentTarget.value, ...(e.currentTarget.value !== v.country ? { state: '', postalCode: '' } : {}) })} data={COUNTRIES.map((value) => ({ value, label: t(`intake:patient.countries.${value}`) }))} />
        {v.country === 'US'
          ? <NativeSelect label={t('intake:patient.state')} description={t('intake:patient.stateWhy')} value={v.state ?? ''} onChange={(e) => set({ state: e.currentTarget.value })} data={[{ value: '', label: t('intake:patient.choose') }, ...US_STATES.map((s) => ({ value: s, label: s }))]} />
          : <TextInput label={t('intake:patient.region')} value={v.state ?? ''} onChange={(e) => set({ state: e.currentTarget.value })} />}
      </FieldRow>
      <FieldRow>
        <NativeSelect label={t('intake:patient.language')} value={v.preferredLanguage} onChange={(e) => set({ preferredLanguage: e.currentTarget.value })} data={languageOptions([v.preferredLanguage ?? ''])} />
        <TextInput label={t('intake:patient.phone')} value={v.phone ?? ''} onChange={(e) => set({ phone: e.currentTarget.value })} />
      </FieldRow>
      <FieldRow>
        <NativeSelect label={t('intake:patient.planType')} description={t('intake:patient.planTypeWhy')} value={v.planType ?? ''}
          onChange={(e) => set({ planType: (e.currentTarget.value || undefined) as PlanType | undefined, ...(e.currentTarget.value === 'none' ? { insurancePlan: undefined, insuranceMemberId: undefined, insuranceGroupNumber: undefined } : {}) })}
          data={[{ value: '', label: t('intake:patient.planTypes.unsure') }, ...PLAN_TYPES.map((value) => ({ value, label: t(`intake:patient.planTypes.${value}`) }))]} />
        {/* No insurance, no plan to name. */}
        {v.planType !== 'none' && <TextInput label={t('intake:patient.insurance')} value={v.insurancePlan ?? ''} onChange={(e) => set({ insurancePlan: e.currentTarget.value })} />}
      </FieldRow>
      {v.planType !== 'none' && (
        <FieldRow>
          <TextInput label={t('intake:patient.memberId')} description={t('intake:patient.cardWhy')} autoComplete="off" value={v.insuranceMemberId ?? ''} onChange={(e) => set({ insuranceMemberId: e.currentTarget.value || undefined })} />
          <TextInput label={t('intake:patient.groupNumber')} autoComplete="off" value={v.insuranceGroupNumber ?? ''} onChange={(e) => set({ insuranceGroupNumber: e.currentTarget.value || undefined })} />
        </FieldRow>
      )}
      {v.planType !== 'none' && (
        <InsuranceCardPhotos caseId={caseId} current={{ memberId: v.insuranceMemberId ?? null, groupNumber: v.insuranceGroupNumber ?? null }}
          onUse={(ids) => set({ ...(ids.memberId ? { insuranceMemberId: ids.memberId } : {}), ...(ids.groupNumber ? { insuranceGroupNumber: ids.groupNumber } : {}) })} />
      )}
      <FieldRow>
        <TextInput label={t('intake:patient.postalCode')} description={t('intake:patient.postalCodeWhy')} autoComplete="postal-code" value={v.postalCode ?? ''} onChange={(e) => set({ postalCode: e.currentTarget.value })} />
        <NativeSelect label={t('intake:patient.travel')} value={v.travelMiles ? String(v.travelMiles) : 'unsure'}
          onChange={(e) => set({ travelMiles: travelMiles(e.currentTarget.value as TravelChoice) })}
          data={TRAVEL_CHOICES.map((value) => ({ value, label: travelLabel(t, travelMiles(value)) ?? t('intake:patient.travelOptions.unsure') }))} />
      </FieldRow>
    </Stack>
  );
}

/** The kinds of coverage the cost estimate's guidance knows (the server's list). */
const PLAN_TYPES = ['medicare', 'medicaid', 'commercial', 'none', 'international'] as const;
type PlanType = (typeof PLAN_TYPES)[number];

/** How far the patient could travel for a research study: miles, as far as needed, or not answered. */
const TRAVEL_CHOICES = ['unsure', '25', '50', '100', '250', 'any'] as const;
type TravelChoice = (typeof TRAVEL_CHOICES)[number];
const travelMiles = (c: TravelChoice) => (c === 'unsure' ? undefined : c === 'any' ? 'any' as const : Number(c));

/**
 * The patient's answer on travel in words, or null when not answered. Miles are what the service
 * asks in (the research registry's distances are in miles); kilometres are given beside them for
 * readers who count in them (Spanish speakers, patients outside the United States).
 */
export function travelLabel(t: TFunction, miles: number | 'any' | undefined | null): string | null {
  if (miles == null) return null;
  if (miles === 'any') return t('intake:patient.travelOptions.any');
  return t('intake:patient.travelMiles', { count: miles, km: Math.round(miles * KM_PER_MILE).toLocaleString(formatLocale()) });
}
const KM_PER_MILE = 1.609344;

function ConditionStep({ v, set }: StepProps<'condition'>) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<DiagnosisHit | null>(null);
  const search = useDiagnosisSearch(q, 20);
  const byCode = useDiagnosisByCode(picked?.code === v.icd10Code ? null : v.icd10Code);
  // The chosen answer stays in the list whatever is typed, so the field keeps showing it.
  const current = picked && picked.code === v.icd10Code ? picked : byCode;
  const hits = [...(current ? [current] : []), ...search.items.filter((h) => h.id !== current?.id)];
  const byId = new Map(hits.map((h) => [h.id, h]));
  const choose = (id: string | null) => {
    const hit = id ? byId.get(id) ?? null : null;
    setPicked(hit);
    set({ ...v, icd10Code: hit?.code ?? '' });
  };
  return (
    <Stack>
      <Textarea label={t('intake:condition.words')} description={t('intake:condition.wordsHint')} required autosize minRows={2} value={v.description} onChange={(e) => set({ description: e.currentTarget.value })} />
      <Select label={t('intake:condition.closest')} description={t('intake:condition.closestHint')} searchable clearable
        data={hits.map((h) => ({ value: h.id, label: h.name }))} value={current?.id ?? null} onChange={choose} onSearchChange={setQ}
        // The server already matched the words (typos included); the list must not filter again.
        filter={({ options }) => options}
        renderOption={({ option }) => { const h = byId.get(option.value); return h ? <DiagnosisLabel hit={h} /> : option.label; }}
        nothingFoundMessage={search.nothing ? t('assess:steps.diagnosis.noMatches') : undefined} />
      <TextInput label={t('intake:condition.diagnosedOn')} type="date" value={v.diagnosedOn ?? ''} onChange={(e) => set({ diagnosedOn: e.currentTarget.value })} />
      <Radio.Group label={t('intake:condition.isNew')} value={v.newDiagnosis ? 'yes' : 'no'} onChange={(x) => set({ newDiagnosis: x === 'yes' })}>
        <Group mt="xs"><Radio value="yes" label={t('intake:condition.newYes')} /><Radio value="no" label={t('intake:condition.newNo')} /></Group>
      </Radio.Group>
    </Stack>
  );
}

function PlanStep({ v, set }: StepProps<'plan'>) {
  const { t } = useTranslation();
  return (
    <Stack>
      <Textarea label={t('intake:plan.proposed')} required autosize minRows={3} value={v.proposedPlan} onChange={(e) => set({ proposedPlan: e.currentTarget.value })} />
      <Switch label={t('intake:plan.surgery')} checked={v.surgeryProposed} onChange={(e) => set({ surgeryProposed: e.currentTarget.checked })} />
      {v.surgeryProposed && <TextInput label={t('intake:plan.operation')} required value={v.surgeryDescription ?? ''} onChange={(e) => set({ surgeryDescription: e.currentTarget.value })} />}
      <TextInput label={t('intake:plan.doctor')} value={v.treatingPhysician ?? ''} onChange={(e) => set({ treatingPhysician: e.currentTarget.value })} />
      <TextInput label={t('intake:plan.place')} description={t('intake:plan.placeWhy')} value={v.treatingInstitution ?? ''} onChange={(e) => set({ treatingInstitution: e.currentTarget.value })} />
      <TextInput label={t('intake:plan.start')} type="date" value={v.plannedStartDate ?? ''} onChange={(e) => set({ plannedStartDate: e.currentTarget.value })} />
      <Switch label={t('intake:plan.soon')} checked={v.treatmentStartsSoon} onChange={(e) => set({ treatmentStartsSoon: e.currentTarget.checked })} />
      <Switch label={t('intake:plan.worse')} checked={v.rapidWorsening} onChange={(e) => set({ rapidWorsening: e.currentTarget.checked })} />
      <Alert color="yellow">{t('intake:plan.urgent')}</Alert>
    </Stack>
  );
}

type TreatmentDraft = NonNullable<Draft['treatment']['treatments']>[number];
function TreatmentStep({ v, set }: StepProps<'treatment'>) {
  const { t } = useTranslation();
  const items = v.treatments ?? [];
  const update = (i: number, patch: TreatmentDraft) => set({ treatments: items.map((t, j) => (j === i ? { ...t, ...patch } : t)) });
  return (
    <Stack>
      <Text size="sm">{t('intake:treatment.intro')}</Text>
      {items.map((x, i) => (
        <Paper key={i} withBorder p="sm">
          <Stack gap="xs">
            <Group align="end">
              <TextInput label={t('intake:treatment.name')} style={{ flex: 1 }} value={x.description} onChange={(e) => update(i, { description: e.currentTarget.value })} />
              <ActionIcon variant="subtle" color="red" aria-label={t('intake:treatment.remove')} onClick={() => set({ treatments: items.filter((_, j) => j !== i) })}>✕</ActionIcon>
            </Group>
            <FieldRow>
              <TextInput label={t('intake:treatment.started')} type="date" value={x.startedOn ?? ''} onChange={(e) => update(i, { startedOn: e.currentTarget.value })} />
              <TextInput label={t('intake:treatment.ended')} type="date" value={x.endedOn ?? ''} onChange={(e) => update(i, { endedOn: e.currentTarget.value })} />
              <NativeSelect label={t('intake:treatment.going')} value={x.response} onChange={(e) => update(i, { response: e.currentTarget.value as NonNullable<TreatmentDraft>['response'] })}
                data={RESPONSES.map((value) => ({ value, label: t(`intake:treatment.responses.${value}`) }))} />
            </FieldRow>
          </Stack>
        </Paper>
      ))}
      <Button variant="light" onClick={() => set({ treatments: [...items, { description: '', response: 'unknown' }] })}>{t('intake:treatment.add')}</Button>
    </Stack>
  );
}

function QuestionsStep({ items, onChange }: { items: string[]; onChange: (v: string[]) => void }) {
  const { t } = useTranslation();
  return (
    <Stack>
      <Text size="sm">{t('intake:questions.intro')}</Text>
      {items.map((q, i) => (
        <Group key={i} align="end">
          <Textarea label={t('intake:questions.label', { number: i + 1 })} style={{ flex: 1 }} autosize value={q} onChange={(e) => onChange(items.map((x, j) => (j === i ? e.currentTarget.value : x)))} />
          {items.length > 1 && <ActionIcon variant="subtle" color="red" aria-label={t('intake:questions.remove', { number: i + 1 })} onClick={() => onChange(items.filter((_, j) => j !== i))}>✕</ActionIcon>}
        </Group>
      ))}
      <Button variant="light" onClick={() => onChange([...items, ''])}>{t('intake:questions.add')}</Button>
    </Stack>
  );
}

type PriorityId = NonNullable<Intake['priorities']>['ranked'][number];
function PrioritiesStep({ v, options, set }: StepProps<'priorities'> & { options: { id: string; label: string }[] }) {
  const { t } = useTranslation();
  const ranked = (v.ranked ?? []) as PriorityId[];
  const move = (i: number, d: number) => {
    const r = [...ranked];
    [r[i], r[i + d]] = [r[i + d]!, r[i]!];
    set({ ranked: r });
  };
  return (
    <Stack>
      <Text size="sm">{t('intake:priorities.intro')}</Text>
      {options.map((o) => (
        <Checkbox key={o.id} label={o.label} checked={ranked.includes(o.id as PriorityId)} onChange={(e) => set({ ranked: e.currentTarget.checked ? [...ranked, o.id as PriorityId] : ranked.filter((x) => x !== o.id) })} />
      ))}
      {ranked.length > 1 && (
        <Paper withBorder p="sm" aria-label={t('intake:priorities.order')}>
          <Text size="sm" fw={600}>{t('intake:priorities.order')}</Text>
          {ranked.map((id, i) => (
            <Group key={id} justify="space-between">
              <Text size="sm">{i + 1}. {options.find((o) => o.id === id)?.label}</Text>
              <Group gap={4}>
                <ActionIcon variant="subtle" disabled={i === 0} aria-label={t('intake:priorities.up')} onClick={() => move(i, -1)}>↑</ActionIcon>
                <ActionIcon variant="subtle" disabled={i === ranked.length - 1} aria-label={t('intake:priorities.down')} onClick={() => move(i, 1)}>↓</ActionIcon>
              </Group>
            </Group>
          ))}
        </Paper>
      )}
      <Textarea label={t('intake:priorities.own')} autosize minRows={2} value={v.inOwnWords ?? ''} onChange={(e) => set({ inOwnWords: e.currentTarget.value })} />
    </Stack>
  );
}

type ConsentDocument = GetResult<'/api/reference/consent-documents'>['current'][number];
function ConsentStep({ c, me, onDone, onBack }: { c: CaseDetail; me: Me; onDone: () => void; onBack: () => void }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const docs = useQuery({ queryKey: ['consent-docs'], queryFn: () => get<GetResult<'/api/reference/consent-documents'>>('/reference/consent-documents'), staleTime: Infinity });
  const [names, setNames] = useState<Record<string, string>>({});
  const sign = useMutation({
    // The signature names the language of the text as it was shown, so its hash is of what was read.
    mutationFn: (d: ConsentDocument) => post<CaseDetail>(`/cases/${c.id}/consents`, { document: d.kind, version: d.version, typedName: names[d.kind] ?? '', language: d.language }),
    onSuccess: (updated) => qc.setQueryData(caseKeys.part(c.id, 'detail'), updated),
  });
  const signed = (kind: string) => c.consents.find((s) => s.document === kind);
  return (
    <Stack>
      <Title order={3}>{t('intake:consent.title')}</Title>
      {docs.data?.current.map((d) => {
        const done = signed(d.kind);
        return (
        <Paper key={d.kind} withBorder p="md">
          <Title order={4}>{d.title}</Title>
          <Text size="xs" c="dimmed">{t('intake:consent.version', { version: formatMonth(d.version) })}</Text>
          {/* The text scrolls in its box; keyboard users can scroll it too. */}
          <ScrollArea h={180} mt="xs" type="auto" viewportProps={{ tabIndex: 0, 'aria-label': d.title }}><Text size="sm" style={{ whiteSpace: 'pre-line' }}>{d.text}</Text></ScrollArea>
          {done ? (
            <Text mt="sm" c="green.9" fw={600}>{t('intake:consent.signed', { name: done.typedName, date: formatDate(done.signedAt) })}</Text>
          ) : (
            <Group mt="sm" align="end">
              <TextInput label={t('intake:consent.typeName', { name: me.user.name })} value={names[d.kind] ?? ''} onChange={(e) => setNames({ ...names, [d.kind]: e.currentTarget.value })} style={{ flex: 1 }} />
              <Button onClick={() => sign.mutate(d)} loading={sign.isPending && sign.variables?.kind === d.kind}>{t('intake:consent.sign')}</Button>
            </Group>
          )}
          {/* A refusal shows under the document it was about. */}
          {sign.variables?.kind === d.kind && <ErrorNote error={sign.error} fieldLabel={(path) => (path === '/typedName' ? t('intake:consent.typeName', { name: me.user.name }) : undefined)} />}
        </Paper>
      );
      })}
      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>{t('intake:back')}</Button>
        <Button onClick={onDone} disabled={c.unsignedConsents.length > 0}>{t('intake:continue')}</Button>
      </Group>
    </Stack>
  );
}

function SubmitStep({ c, onBack }: { c: CaseDetail; onBack: () => void }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const intake = c.intake as Form<Intake>;
  const submit = useMutation({ mutationFn: () => post<CaseDetail>(`/cases/${c.id}/commands/submit`, {}), onSuccess: (updated) => qc.setQueryData(caseKeys.part(c.id, 'detail'), updated) });
  return (
    <Stack>
      <Title order={3}>{t('intake:submit.title')}</Title>
      <Text><Trans t={t} i18nKey="intake:submit.condition" values={{ condition: intake.condition?.description ?? '—', code: intake.condition?.icd10Code ?? t('intake:submit.noCode') }} components={{ b: <b /> }} /></Text>
      <Text>{t('intake:submit.questions', { count: intake.questions?.questions?.length ?? 0 })}</Text>
      {intake.patient?.postalCode && <Text>{t('intake:submit.postalCode', { code: intake.patient.postalCode })}</Text>}
      {intake.patient?.travelMiles != null && <Text>{t('intake:submit.travel', { distance: travelLabel(t, intake.patient.travelMiles) })}</Text>}
      <Text>{t('intake:submit.planType', { kind: t(`intake:patient.planTypes.${intake.patient?.planType ?? 'unsure'}`) })}</Text>
      {c.missingIntakeSections.length > 0 && <Alert color="orange">{t('intake:submit.unfinished', { steps: stepNames(c.missingIntakeSections) })}</Alert>}
      <CostEstimate caseId={c.id} />
      <Text size="sm" c="dimmed">{t('intake:submit.after')}</Text>
      <ErrorNote error={submit.error} />
      <Group justify="space-between">
        <Button variant="default" onClick={onBack}>{t('intake:back')}</Button>
        <Button onClick={() => submit.mutate()} loading={submit.isPending} color="green">{t('intake:submit.button')}</Button>
      </Group>
    </Stack>
  );
}

/** The unfinished sections by the names the steps show, as a list in the reader's language. */
function stepNames(sections: string[]): string {
  const known = sections.filter((x): x is Section => (SECTIONS as readonly string[]).includes(x));
  return new Intl.ListFormat(i18n.language, { type: 'conjunction' }).format(known.map((x) => i18n.t(`intake:step.${x}`)));
}
