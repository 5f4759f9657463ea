import { Alert, Anchor, Button, Checkbox, Container, Group, NumberInput, Progress, Radio, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { get, numberOf, post, type GetResult, type PostResult } from '../../api.ts';
import type { Me } from '../../auth.tsx';
import { ErrorNote } from '../../components.tsx';
import { DiagnosisLabel, useDiagnosisSearch } from '../../diagnosis.tsx';
import { AssessResult } from './AssessResult.tsx';
import { STORAGE_KEY, type Answers } from './storage.ts';

const STEPS = ['diagnosis', 'surgery', 'treatment', 'course', 'records', 'feelings'] as const;
type Step = (typeof STEPS)[number] | 'result';

function load(): Answers {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? '{}');
  } catch {
    return {};
  }
}

/** The public "Should I get a second opinion?" questionnaire and its result. No account needed. */
export function AssessPage({ me }: { me?: Me | null }) {
  const { t } = useTranslation();
  const [answers, setAnswers] = useState<Answers>(load);
  // The step lives in the address, so the browser's Back button and links back here work.
  const [params, setParams] = useSearchParams();
  const asked = params.get('step') as Step | null;
  const step: Step = asked && (asked === 'result' || (STEPS as readonly string[]).includes(asked)) ? asked : 'diagnosis';
  const setStep = (s: Step) => setParams(s === 'diagnosis' ? {} : { step: s });
  const heading = useRef<HTMLHeadingElement>(null);
  const options = useQuery({ queryKey: ['assess', 'questionnaire'], queryFn: () => get<GetResult<'/api/assessments/questionnaire'>>('/assessments/questionnaire'), staleTime: Infinity });

  useEffect(() => sessionStorage.setItem(STORAGE_KEY, JSON.stringify(answers)), [answers]);
  // Move focus to the new step's heading so keyboard and screen-reader users land on it.
  useEffect(() => heading.current?.focus(), [step]);

  // "section" or "section.field"; the server checks the answers' shape when they are assessed.
  const set = (path: string, value: unknown) => setAnswers((a) => {
    const [section, field] = path.split('.') as [keyof Answers, string | undefined];
    if (!field) return { ...a, [section]: value };
    return { ...a, [section]: { ...((a[section] as object | undefined) ?? {}), [field]: value } };
  });
  const index = step === 'result' ? STEPS.length : STEPS.indexOf(step);
  const go = (i: number) => setStep(i >= STEPS.length ? 'result' : STEPS[Math.max(0, i)]!);

  // Signed-out visitors have no menu: a way back to the home page.
  const homeLink = <Anchor component={Link} to="/" size="sm"><span aria-hidden="true">← </span>{t('assess:backHome')}</Anchor>;
  if (step === 'result') {
    return (
      <Container size="md" py="md">
        {!me && homeLink}
        <AssessResult answers={answers} me={me} headingRef={heading} onEdit={() => setStep('diagnosis')} />
      </Container>
    );
  }
  const title = t(`assess:steps.${step}.title`);
  return (
    <Container size="sm" py="md">
      <Stack gap="md">
        {!me && homeLink}
        <Title order={1}>{t('assess:title')}</Title>
        {index === 0 && <Text>{t('assess:intro')}</Text>}
        <Text size="sm" c="dimmed">{t('assess:privacy')} {t('assess:skip')}</Text>
        <Progress value={(index / STEPS.length) * 100} aria-label={t('assess:stepOf', { step: index + 1, count: STEPS.length })} />
        <Title order={2} ref={heading} tabIndex={-1}>{t('assess:stepHeading', { step: index + 1, count: STEPS.length, title })}</Title>
        <ErrorNote error={options.error} />
        <form onSubmit={(e) => { e.preventDefault(); go(index + 1); }}>
          <Stack gap="md">
            {step === 'diagnosis' && <DiagnosisStep answers={answers} set={set} />}
            {step === 'surgery' && <SurgeryStep answers={answers} set={set} operations={options.data?.operations ?? []} />}
            {step === 'treatment' && <TreatmentStep answers={answers} set={set} treatments={options.data?.treatments ?? []} />}
            {step === 'course' && <CourseStep answers={answers} set={set} timing={options.data?.timing ?? []} />}
            {step === 'records' && <RecordsStep answers={answers} set={set} />}
            {step === 'feelings' && <FeelingsStep answers={answers} set={set} priorities={options.data?.priorities ?? []} />}
            <Group justify="space-between">
              <Button variant="default" onClick={() => go(index - 1)} disabled={index === 0}>{t('assess:back')}</Button>
              <Button type="submit">{index === STEPS.length - 1 ? t('assess:seeResults') : t('assess:next')}</Button>
            </Group>
          </Stack>
        </form>
        <Text size="sm" c="dimmed">{t('assess:notAdvice')} <Anchor component={Link} to="/assess/rules">{t('assess:result.rules')}</Anchor></Text>
      </Stack>
    </Container>
  );
}

type StepProps = { answers: Answers; set: (path: string, value: unknown) => void };

function YesNo({ label, value, onChange, name }: { label: string; value?: string; onChange: (v: string) => void; name: string }) {
  const { t } = useTranslation();
  return (
    <Radio.Group label={label} value={value ?? null} onChange={onChange} name={name}>
      <Group mt="xs">
        <Radio value="yes" label={t('assess:yes')} />
        <Radio value="no" label={t('assess:no')} />
        <Radio value="not_sure" label={t('assess:notSure')} />
      </Group>
    </Radio.Group>
  );
}

function DiagnosisStep({ answers, set }: StepProps) {
  const { t } = useTranslation();
  const d = answers.diagnosis ?? {};
  const [q, setQ] = useState('');
  const search = useDiagnosisSearch(q);
  const chosen = search.items.find((h) => h.code === d.code && (!d.name || h.name === d.name));
  const pick = (id: string) => {
    const hit = search.items.find((h) => h.id === id);
    if (hit) set('diagnosis', { ...d, code: hit.code, name: hit.name, notSure: false });
  };
  return (
    <>
      <TextInput label={t('assess:steps.diagnosis.search')} description={t('assess:steps.diagnosis.searchHint')} value={q} onChange={(e) => setQ(e.currentTarget.value)} disabled={!!d.notSure} />
      <ErrorNote error={search.error} />
      {search.items.length > 0 && (
        <Radio.Group label={t('assess:steps.diagnosis.matches')} value={chosen?.id ?? null} onChange={pick} name="diagnosis-code">
          <Stack gap={6} mt="xs">
            {search.items.map((h) => <Radio key={h.id} value={h.id} label={<DiagnosisLabel hit={h} />} />)}
          </Stack>
        </Radio.Group>
      )}
      {/* Always there, so screen readers announce the message when it appears. */}
      <div role="status">{search.nothing && <Text data-testid="no-matches">{t('assess:steps.diagnosis.noMatches')}</Text>}</div>
      {d.code && (
        <Text size="sm" data-testid="chosen-code">
          {t('assess:steps.diagnosis.chosen')} <b>{d.name ?? d.code}</b> {d.name && <Text span size="xs" c="dimmed" ff="monospace">{d.code}</Text>}{' '}
          <Anchor component="button" type="button" size="sm" onClick={() => set('diagnosis', { ...d, code: undefined, name: undefined })}>{t('assess:steps.diagnosis.clear')}</Anchor>
        </Text>
      )}
      <TextInput label={t('assess:steps.diagnosis.words')} value={d.text ?? ''} onChange={(e) => set('diagnosis', { ...d, text: e.currentTarget.value || undefined })} disabled={!!d.notSure} maxLength={300} />
      <Checkbox label={t('assess:steps.diagnosis.notSure')} checked={!!d.notSure} onChange={(e) => set('diagnosis', e.currentTarget.checked ? { notSure: true } : {})} />
      <Radio.Group label={t('assess:steps.diagnosis.status')} value={answers.diagnosisStatus ?? null} onChange={(v) => set('diagnosisStatus', v)} name="diagnosis-status">
        <Group mt="xs">
          <Radio value="new" label={t('assess:steps.diagnosis.statusNew')} />
          <Radio value="established" label={t('assess:steps.diagnosis.statusOld')} />
          <Radio value="not_sure" label={t('assess:notSure')} />
        </Group>
      </Radio.Group>
      {/* Spread is asked about a cancer (ICD-10 chapter II, neoplasms C00–D49) or when the diagnosis is not known yet, never about COPD or fibrosis. */}
      {(!d.code || /^(C|D[0-4])/.test(d.code)) && <YesNo label={t('assess:steps.diagnosis.spread')} value={answers.spread} onChange={(v) => set('spread', v)} name="spread" />}
    </>
  );
}

function SurgeryStep({ answers, set, operations }: StepProps & { operations: { id: string; label: string; lungResection: boolean }[] }) {
  const { t } = useTranslation();
  const s = answers.surgery ?? {};
  const lung = answers.lungFunction ?? {};
  const lungResection = s.recommended === 'yes' && operations.some((o) => o.id === s.operation && o.lungResection);
  return (
    <>
      <YesNo label={t('assess:steps.surgery.asked')} value={s.recommended} onChange={(v) => set('surgery', v === 'yes' ? { ...s, recommended: v } : { recommended: v })} name="surgery" />
      {s.recommended === 'yes' && (
        <>
          <Select label={t('assess:steps.surgery.which')} data={operations.map((o) => ({ value: o.id, label: o.label }))} value={s.operation ?? null} onChange={(v) => set('surgery.operation', v ?? undefined)} searchable clearable />
          <Radio.Group label={t('assess:steps.surgery.approach')} value={s.approach ?? null} onChange={(v) => set('surgery.approach', v)} name="approach">
            <Stack gap={6} mt="xs">
              <Radio value="open" label={t('assess:steps.surgery.open')} />
              <Radio value="minimally_invasive" label={t('assess:steps.surgery.keyhole')} />
              <Radio value="robotic" label={t('assess:steps.surgery.robotic')} />
              <Radio value="not_sure" label={t('assess:notSure')} />
            </Stack>
          </Radio.Group>
          {lungResection && (
            <Stack gap="xs">
              <Text size="sm">{t('assess:steps.surgery.lungFunction')}</Text>
              <Group grow align="flex-start">
                <PercentInput label={t('assess:steps.surgery.fev1')} value={lung.fev1Percent} onChange={(v) => set('lungFunction.fev1Percent', v)} />
                <PercentInput label={t('assess:steps.surgery.dlco')} value={lung.dlcoPercent} onChange={(v) => set('lungFunction.dlcoPercent', v)} />
              </Group>
            </Stack>
          )}
        </>
      )}
    </>
  );
}

/**
 * A lung function value in % of predicted, as the report gives it (decimals too). What is typed
 * stays as typed; a value outside 5–200 % says so and is not used, never silently changed.
 */
function PercentInput({ label, value, onChange }: { label: string; value: number | undefined; onChange: (v: number | undefined) => void }) {
  const { t } = useTranslation();
  const [typed, setTyped] = useState<string | number>(value ?? '');
  const n = numberOf(typed);
  const outside = Number.isFinite(n) && (n < 5 || n > 200);
  return (
    <NumberInput label={label} suffix=" %" allowNegative={false} decimalScale={1} clampBehavior="none" value={typed}
      error={outside ? t('assess:steps.surgery.percentRange') : undefined}
      onChange={(v) => {
        setTyped(v);
        const value = numberOf(v);
        onChange(Number.isFinite(value) && value >= 5 && value <= 200 ? value : undefined);
      }} />
  );
}

function TreatmentStep({ answers, set, treatments }: StepProps & { treatments: { id: string; label: string }[] }) {
  const { t } = useTranslation();
  const given = answers.treatment ?? {};
  const received: string[] = given.received ?? [];
  return (
    <>
      <Checkbox.Group label={t('assess:steps.treatment.received')} value={received} onChange={(v) => set('treatment.received', v)}>
        <Stack gap={6} mt="xs">{treatments.map((x) => <Checkbox key={x.id} value={x.id} label={x.label} />)}</Stack>
      </Checkbox.Group>
      {received.length > 0 && (
        <>
          <Radio.Group label={t('assess:steps.treatment.working')} value={given.working ?? null} onChange={(v) => set('treatment.working', v)} name="working">
            <Group mt="xs">
              <Radio value="yes" label={t('assess:yes')} />
              <Radio value="no" label={t('assess:no')} />
              <Radio value="too_early" label={t('assess:steps.treatment.tooEarly')} />
              <Radio value="not_sure" label={t('assess:notSure')} />
            </Group>
          </Radio.Group>
          <Checkbox label={t('assess:steps.treatment.sideEffects')} checked={!!given.sideEffectsIntolerable} onChange={(e) => set('treatment.sideEffectsIntolerable', e.currentTarget.checked)} />
        </>
      )}
    </>
  );
}

function CourseStep({ answers, set, timing }: StepProps & { timing: { id: string; label: string }[] }) {
  const { t } = useTranslation();
  const c = answers.course ?? {};
  return (
    <>
      <Checkbox label={t('assess:steps.course.progressing')} checked={!!c.progressing} onChange={(e) => set('course.progressing', e.currentTarget.checked)} />
      <Checkbox label={t('assess:steps.course.rapid')} checked={!!c.rapidDecline} onChange={(e) => set('course.rapidDecline', e.currentTarget.checked)} />
      <Checkbox label={t('assess:steps.course.aggressive')} checked={!!c.toldAggressive} onChange={(e) => set('course.toldAggressive', e.currentTarget.checked)} />
      <Radio.Group label={t('assess:steps.course.timing')} value={answers.timing ?? null} onChange={(v) => set('timing', v)} name="timing">
        <Stack gap={6} mt="xs">{timing.map((x) => <Radio key={x.id} value={x.id} label={x.label} />)}</Stack>
      </Radio.Group>
    </>
  );
}

function RecordsStep({ answers, set }: StepProps) {
  // The engine itself says which records and tests fit these answers.
  const preview = useQuery({ queryKey: ['assess', 'preview', answers.diagnosis, answers.spread, answers.surgery, answers.lungFunction, answers.treatment, answers.course], queryFn: () => post<PostResult<'/api/assessments'>>('/assessments', { ...answers, records: undefined }) });
  const { t } = useTranslation();
  const r = answers.records ?? {};
  const tests: { name: string }[] = preview.data?.biomarkers?.tests ?? [];
  const done: string[] = r.molecularTestsDone ?? [];
  const NGS = 'Broad gene panel (NGS)';
  return (
    <>
      <ErrorNote error={preview.error} />
      {preview.data && (
        <Checkbox.Group label={t('assess:steps.records.have')} value={r.have ?? []} onChange={(v) => set('records.have', v)}>
          <Stack gap={6} mt="xs">{preview.data.checklist.map((i) => <Checkbox key={i.id} value={i.id} label={i.label} />)}</Stack>
        </Checkbox.Group>
      )}
      {tests.length > 0 && (
        <Checkbox.Group label={t('assess:steps.records.tests')} value={done} onChange={(v) => set('records.molecularTestsDone', v)}>
          <Stack gap={6} mt="xs">
            {tests.map((t) => <Checkbox key={t.name} value={t.name} label={t.name} />)}
            <Checkbox value={NGS} label={t('assess:steps.records.ngs')} />
          </Stack>
        </Checkbox.Group>
      )}
      {!answers.diagnosis?.code && !answers.diagnosis?.text && <Alert color="blue">{t('assess:steps.records.none')}</Alert>}
    </>
  );
}

function FeelingsStep({ answers, set, priorities }: StepProps & { priorities: { id: string; label: string }[] }) {
  const { t } = useTranslation();
  const f = answers.feelings ?? {};
  const chosen: string[] = answers.priorities ?? [];
  const toggle = (id: string, on: boolean) => set('priorities', on ? [...chosen, id] : chosen.filter((x) => x !== id));
  return (
    <>
      <YesNo label={t('assess:steps.feelings.explained')} value={f.explainedWell} onChange={(v) => set('feelings.explainedWell', v)} name="explained" />
      <YesNo label={t('assess:steps.feelings.alternatives')} value={f.alternativesDiscussed} onChange={(v) => set('feelings.alternativesDiscussed', v)} name="alternatives" />
      <YesNo label={t('assess:steps.feelings.fits')} value={f.fitsPriorities} onChange={(v) => set('feelings.fitsPriorities', v)} name="fits" />
      <Checkbox label={t('assess:steps.feelings.confirm')} checked={!!f.wantsConfirmation} onChange={(e) => set('feelings.wantsConfirmation', e.currentTarget.checked)} />
      <Stack gap={6}>
        <Text fw={500} size="sm">{t('assess:steps.feelings.priorities')}</Text>
        {priorities.map((p) => {
          const rank = chosen.indexOf(p.id);
          return <Checkbox key={p.id} label={rank >= 0 ? t('assess:steps.feelings.ranked', { rank: rank + 1, label: p.label }) : p.label} checked={rank >= 0} onChange={(e) => toggle(p.id, e.currentTarget.checked)} />;
        })}
      </Stack>
    </>
  );
}
