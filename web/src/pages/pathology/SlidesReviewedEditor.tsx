import { Anchor, Badge, Button, Checkbox, Group, Modal, NumberInput, Radio, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, post, type DeepPartial, type GetResult, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';
import { useAmount } from './SlideMeasurements.tsx';
import type { Slide } from './SlidesPanel.tsx';

type SlidesReviewed = DeepPartial<NonNullable<Schema<'OpinionDraft'>['slidesReviewed']>>;
type Annotation = Schema<'SlideAnnotation'>;

/** Glass slides count as reviewable once they have arrived. */
const ARRIVED = ['received', 'with_reviewer', 'returned'];

/**
 * The pathologist's "slides reviewed" section: which digital slides (and which of their
 * measurements) and which glass slides they looked at, whether the digital slides were enough,
 * and, when they were not, a request for the glass slides. The report names them as the case's
 * records do; signing that the digital slides sufficed calls off glass slides not yet sent.
 */
export function SlidesReviewedEditor({ caseId, value, onChange }: { caseId: string; value: SlidesReviewed | null | undefined; onChange: (v: SlidesReviewed) => void }) {
  const { t } = useTranslation();
  const slides = useQuery({ queryKey: caseKeys.part(caseId, 'slides'), queryFn: () => get<Slide[]>(`/cases/${caseId}/slides`) });
  const specimens = useQuery({ queryKey: caseKeys.part(caseId, 'specimens'), queryFn: () => get<GetResult<'/api/cases/{id}/specimens'>>(`/cases/${caseId}/specimens`) });
  const [asking, setAsking] = useState(false);
  const v = value ?? {};
  const digital = (v.digital ?? []).filter((d): d is NonNullable<typeof d> => Boolean(d?.slideId));
  const glass = (v.glass ?? []).filter((g): g is NonNullable<typeof g> => Boolean(g?.specimenId));
  const ready = (slides.data ?? []).filter((s) => s.status === 'ready');
  const glassSlides = (specimens.data ?? []).filter((s) => s.kind === 'slides');
  // Asked for and not yet sent: what signing "enough" calls off (unless another reviewer asked for it).
  const waiting = glassSlides.filter((s) => s.status === 'requested');
  const toggleSlide = (id: string, on: boolean) => onChange({ ...v, digital: on ? [...digital, { slideId: id }] : digital.filter((d) => d.slideId !== id) });
  const toggleGlass = (id: string, on: boolean) => onChange({ ...v, glass: on ? [...glass, { specimenId: id }] : glass.filter((g) => g.specimenId !== id) });
  const cite = (slideId: string, numbers: number[]) => onChange({ ...v, digital: digital.map((d) => (d.slideId === slideId ? { ...d, annotations: numbers.map((number) => ({ number })) } : d)) });
  return (
    <Stack gap="sm" data-testid="slides-reviewed">
      <ErrorNote error={slides.error ?? specimens.error} />
      <Text size="sm" fw={500}>{t('opinion:slides.digital')}</Text>
      {slides.data && ready.length === 0 && <Text size="sm" c="dimmed">{t('opinion:slides.noDigital')}</Text>}
      {ready.map((s) => {
        const chosen = digital.find((d) => d.slideId === s.id);
        return (
          <Stack key={s.id} gap={4}>
            <Group gap="xs" wrap="nowrap">
              <Checkbox label={s.name} checked={Boolean(chosen)} onChange={(e) => toggleSlide(s.id, e.currentTarget.checked)} styles={{ label: { overflowWrap: 'anywhere' } }} />
              <Anchor size="xs" component={Link} to={`/cases/${caseId}/slides/${s.id}`}>{t('opinion:slides.open')}</Anchor>
            </Group>
            {chosen && <CitedAnnotations caseId={caseId} slideId={s.id} chosen={(chosen.annotations ?? []).flatMap((a) => (a?.number ? [a.number] : []))} onChange={(n) => cite(s.id, n)} />}
          </Stack>
        );
      })}
      <Text size="sm" fw={500}>{t('opinion:slides.glass')}</Text>
      {specimens.data && glassSlides.length === 0 && <Text size="sm" c="dimmed">{t('opinion:slides.noGlass')}</Text>}
      {glassSlides.map((s) => (
        <Group key={s.id} gap="xs" wrap="nowrap">
          <Checkbox label={t('opinion:slides.glassItem', { label: s.label, count: s.expectedCount, facility: s.sourceFacility })} disabled={!ARRIVED.includes(s.status)} checked={glass.some((g) => g.specimenId === s.id)}
            onChange={(e) => toggleGlass(s.id, e.currentTarget.checked)} styles={{ label: { overflowWrap: 'anywhere' } }} />
          <Badge variant="light" color={ARRIVED.includes(s.status) ? 'teal' : 'gray'} style={{ flexShrink: 0 }}>{s.statusLabel}</Badge>
        </Group>
      ))}
      {digital.length > 0 && (
        <Radio.Group label={t('opinion:slides.enough')} value={v.digitalSufficed ?? ''} onChange={(x) => onChange({ ...v, digitalSufficed: x as 'yes' | 'no' })}>
          <Stack gap={4} mt={4}>
            <Radio value="yes" label={waiting.length ? t('opinion:slides.yesCallsOff', { count: waiting.length }) : t('opinion:slides.yes')} />
            <Radio value="no" label={t('opinion:slides.no')} />
          </Stack>
        </Radio.Group>
      )}
      {v.digitalSufficed === 'no' && digital.length > 0 && (
        <Group gap="xs">
          <Button size="xs" variant="light" onClick={() => setAsking(true)}>{t('opinion:slides.ask')}</Button>
          {waiting.length > 0 && <Text size="xs" c="dimmed">{t('opinion:slides.openRequests', { count: waiting.length })}</Text>}
        </Group>
      )}
      <Textarea label={t('opinion:slides.comment')} autosize value={v.comment ?? ''} onChange={(e) => onChange({ ...v, comment: e.currentTarget.value })} />
      <AskForGlass caseId={caseId} opened={asking} onClose={() => setAsking(false)} />
    </Stack>
  );
}

/** The measurements saved on a slide, to cite in the report by number. */
function CitedAnnotations({ caseId, slideId, chosen, onChange }: { caseId: string; slideId: string; chosen: number[]; onChange: (numbers: number[]) => void }) {
  const { t } = useTranslation();
  const amount = useAmount();
  const list = useQuery({ queryKey: caseKeys.part(caseId, 'slides', slideId, 'annotations'), queryFn: () => get<Annotation[]>(`/cases/${caseId}/slides/${slideId}/annotations`) });
  if (!list.data?.length) return null;
  return (
    <Checkbox.Group label={t('opinion:slides.cite')} value={chosen.map(String)} onChange={(x) => onChange(x.map(Number).sort((a, b) => a - b))} ms="lg">
      <Stack gap={2} mt={4}>
        {list.data.map((a) => (
          <Checkbox key={a.id} size="xs" value={String(a.number)} label={a.note ? t('opinion:slides.annotationNote', { number: a.number, amount: amount(a), note: a.note }) : t('opinion:slides.annotation', { number: a.number, amount: amount(a) })} />
        ))}
      </Stack>
    </Checkbox.Group>
  );
}

/** Asks for the glass slides: tracked on the case like any request; the coordinator has them shipped. */
function AskForGlass({ caseId, opened, onClose }: { caseId: string; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState({ sourceFacility: '', expectedCount: 1, reason: '' });
  const ask = useMutation({
    mutationFn: () => post(`/cases/${caseId}/specimens/glass-request`, form),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'specimens') });
      void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'timeline') });
      setForm({ sourceFacility: '', expectedCount: 1, reason: '' });
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={t('opinion:slides.askTitle')}>
      <form onSubmit={(e) => { e.preventDefault(); ask.mutate(); }}>
        <Stack>
          <Text size="sm">{t('opinion:slides.askText')}</Text>
          <TextInput label={t('opinion:slides.where')} required value={form.sourceFacility} onChange={(e) => setForm({ ...form, sourceFacility: e.currentTarget.value })} />
          <NumberInput label={t('opinion:slides.howMany')} min={1} max={500} value={form.expectedCount} onChange={(x) => setForm({ ...form, expectedCount: Number(x) || 1 })} />
          <TextInput label={t('opinion:slides.why')} description={t('opinion:slides.whyHint')} required maxLength={150} value={form.reason} onChange={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
          <ErrorNote error={ask.error} />
          <Button type="submit" loading={ask.isPending}>{t('opinion:slides.submit')}</Button>
        </Stack>
      </form>
    </Modal>
  );
}
