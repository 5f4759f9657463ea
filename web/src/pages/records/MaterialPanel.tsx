import { Anchor, Badge, Button, Checkbox, Group, Modal, NumberInput, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, get, post, put, type GetResult } from '../../api.ts';

/** The details a step of a specimen's journey may carry (which ones depends on the step). */
interface SpecimenStepForm { carrier?: string; trackingNumber?: string; receivedCount?: number; condition?: string; note?: string }
import { ErrorNote, WideTable } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';

/** The steps a specimen may take next from each status (named in records:specimens.next). */
type SpecimenStep = 'shipped' | 'received' | 'with_reviewer' | 'returned' | 'not_needed';
const NEXT: Record<string, SpecimenStep[]> = {
  requested: ['shipped', 'received', 'not_needed'],
  shipped: ['received'],
  received: ['with_reviewer', 'returned'],
  with_reviewer: ['returned'],
  returned: [],
};
type RoiStatus = 'prepared' | 'sent' | 'partially_received' | 'received';
const ROI_STATUSES: RoiStatus[] = ['prepared', 'sent', 'partially_received', 'received'];

type Specimen = GetResult<'/api/cases/{id}/specimens'>[number];
/** Why a reviewer asked for this material (staff only: the server leaves it out for the patient's side). */
const askedFor = (s: Specimen) => (typeof s.history[0]?.detail.reason === 'string' ? s.history[0].detail.reason : null);
/** Why it was called off, as the person who did so wrote it. */
const calledOff = (s: Specimen) => {
  const note = s.history.find((h) => h.status === 'not_needed')?.detail.note;
  return typeof note === 'string' ? note : null;
};

/** Glass slides and blocks on their way, and letters asking facilities for records. */
export function MaterialPanel({ caseId, isCoordinator }: { caseId: string; isCoordinator: boolean }) {
  return (
    <Stack gap="lg">
      <Specimens caseId={caseId} isCoordinator={isCoordinator} />
      <RecordsRequests caseId={caseId} isCoordinator={isCoordinator} />
    </Stack>
  );
}

function Specimens({ caseId, isCoordinator }: { caseId: string; isCoordinator: boolean }) {
  const qc = useQueryClient();
  const key = caseKeys.part(caseId, 'specimens');
  const list = useQuery({ queryKey: key, queryFn: () => get<GetResult<'/api/cases/{id}/specimens'>>(`/cases/${caseId}/specimens`) });
  const [form, setForm] = useState({ kind: 'slides', label: '', expectedCount: 1, sourceFacility: '' });
  const [adding, setAdding] = useState(false);
  const { t } = useTranslation();
  const [step, setStep] = useState<{ id: string; to: SpecimenStep } | null>(null);
  const [stepForm, setStepForm] = useState<SpecimenStepForm>({});
  const done = () => {
    qc.invalidateQueries({ queryKey: key });
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'checklist') });
  };
  const add = useMutation({ mutationFn: () => post(`/cases/${caseId}/specimens`, form), onSuccess: () => (done(), setAdding(false)) });
  const move = useMutation({ mutationFn: () => post(`/cases/${caseId}/specimens/${step!.id}/steps`, { to: step!.to, ...stepForm }), onSuccess: () => (done(), setStep(null), setStepForm({})) });
  return (
    <section aria-labelledby="h-specimens">
      <Group justify="space-between" mb="xs">
        <Title order={3} id="h-specimens">{t('records:specimens.title')}</Title>
        {isCoordinator && <Button size="xs" variant="default" onClick={() => setAdding(true)}>{t('records:specimens.track')}</Button>}
      </Group>
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <Text size="sm" c="dimmed">{t('records:specimens.none')}</Text>}
      {list.data && list.data.length > 0 && (
        <WideTable minWidth={520}>
        <Table verticalSpacing={4} data-testid="specimens">
          <Table.Thead><Table.Tr><Table.Th>{t('records:specimens.material')}</Table.Th><Table.Th>{t('records:specimens.status')}</Table.Th><Table.Th>{t('records:specimens.tracking')}</Table.Th><Table.Th /></Table.Tr></Table.Thead>
          <Table.Tbody>
            {list.data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>
                  <Text size="sm" fw={500}>{t('records:specimens.what', { kind: s.kind === 'slides' ? t('records:specimens.slides') : t('records:specimens.blocks'), label: s.label, count: s.expectedCount })}</Text>
                  <Text size="xs" c="dimmed">{t('records:specimens.from', { facility: s.sourceFacility, barcode: s.barcode })}</Text>
                  {askedFor(s) && <Text size="xs" data-testid="specimen-reason">{t('records:specimens.askedBy', { name: s.history[0]!.by, reason: askedFor(s) })}</Text>}
                  {s.status === 'not_needed' && calledOff(s) && <Text size="xs" c="dimmed">{t('records:specimens.notNeededBecause', { reason: calledOff(s) })}</Text>}
                </Table.Td>
                <Table.Td><Badge variant="light">{t(`records:specimens.state.${s.status}`, { defaultValue: s.statusLabel })}</Badge>{s.conditionNote && <Text size="xs">{t('records:specimens.arrived', { count: s.receivedCount, condition: s.conditionNote })}</Text>}</Table.Td>
                <Table.Td><Text size="xs">{s.carrier && `${s.carrier} ${s.trackingNumber}`}{s.returnCarrier && t('records:specimens.back', { carrier: s.returnCarrier, tracking: s.returnTrackingNumber })}</Text></Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Anchor size="xs" href={`/api/cases/${caseId}/specimens/${s.id}/label.pdf`} target="_blank">{t('records:specimens.label')}</Anchor>
                    {isCoordinator && (NEXT[s.status] ?? []).map((to) => <Button key={to} size="compact-xs" variant="default" onClick={() => setStep({ id: s.id, to })}>{t('records:specimens.nextButton', { step: t(`records:specimens.next.${to}`) })}</Button>)}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        </WideTable>
      )}
      <Modal opened={adding} onClose={() => setAdding(false)} title={t('records:specimens.trackTitle')}>
        <form onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
          <Stack>
            <Select label={t('records:specimens.kind')} data={[{ value: 'slides', label: t('records:specimens.glassSlides') }, { value: 'blocks', label: t('records:specimens.tissueBlocks') }]} value={form.kind} onChange={(v) => setForm({ ...form, kind: v ?? 'slides' })} allowDeselect={false} />
            <TextInput label={t('records:specimens.labelField')} value={form.label} onChange={(e) => setForm({ ...form, label: e.currentTarget.value })} required />
            <NumberInput label={t('records:specimens.howMany')} min={1} max={500} value={form.expectedCount} onChange={(v) => setForm({ ...form, expectedCount: Number(v) || 1 })} />
            <TextInput label={t('records:specimens.facility')} value={form.sourceFacility} onChange={(e) => setForm({ ...form, sourceFacility: e.currentTarget.value })} required />
            <ErrorNote error={add.error} />
            <Button type="submit" loading={add.isPending}>{t('records:specimens.start')}</Button>
          </Stack>
        </form>
      </Modal>
      <Modal opened={!!step} onClose={() => setStep(null)} title={step ? t(`records:specimens.next.${step.to}`) : ''}>
        <form onSubmit={(e) => { e.preventDefault(); move.mutate(); }}>
          <Stack>
            {(step?.to === 'shipped' || step?.to === 'returned') && (
              <>
                <TextInput label={t('records:specimens.carrier')} value={stepForm.carrier ?? ''} onChange={(e) => setStepForm({ ...stepForm, carrier: e.currentTarget.value })} />
                <TextInput label={t('records:specimens.trackingNumber')} value={stepForm.trackingNumber ?? ''} onChange={(e) => setStepForm({ ...stepForm, trackingNumber: e.currentTarget.value })} />
              </>
            )}
            {step?.to === 'received' && (
              <>
                <NumberInput label={t('records:specimens.howManyArrived')} min={0} value={stepForm.receivedCount ?? ''} onChange={(v) => setStepForm({ ...stepForm, receivedCount: v === '' ? undefined : Number(v) })} />
                <Select label={t('records:specimens.condition')} data={(['intact', 'damaged', 'incomplete'] as const).map((value) => ({ value, label: t(`records:specimens.conditions.${value}`) }))} value={stepForm.condition ?? null} onChange={(v) => setStepForm({ ...stepForm, condition: v ?? undefined })} />
                <Textarea label={t('records:specimens.note')} value={stepForm.note ?? ''} onChange={(e) => setStepForm({ ...stepForm, note: e.currentTarget.value })} />
              </>
            )}
            {step?.to === 'not_needed' && (() => {
              const asked = list.data?.find((x) => x.id === step.id);
              return (
                <>
                  {asked && askedFor(asked) && <Text size="sm" c="orange.9">{t('records:specimens.callingOffAsked', { name: asked.history[0]!.by, reason: askedFor(asked) })}</Text>}
                  <Textarea label={t('records:specimens.whyNotNeeded')} required value={stepForm.note ?? ''} onChange={(e) => setStepForm({ ...stepForm, note: e.currentTarget.value })} />
                </>
              );
            })()}
            <ErrorNote error={move.error} />
            <Button type="submit" loading={move.isPending}>{t('records:specimens.save')}</Button>
          </Stack>
        </form>
      </Modal>
    </section>
  );
}

function RecordsRequests({ caseId, isCoordinator }: { caseId: string; isCoordinator: boolean }) {
  const qc = useQueryClient();
  const key = caseKeys.part(caseId, 'roi');
  const list = useQuery({ queryKey: key, queryFn: () => get<GetResult<'/api/cases/{id}/roi-requests'>>(`/cases/${caseId}/roi-requests`) });
  const items = useQuery({ queryKey: ['reference', 'roi-items'], queryFn: () => get<GetResult<'/api/reference/roi-items'>>('/reference/roi-items'), staleTime: Infinity });
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ facilityName: '', facilityAddress: '', facilityFax: '', items: ['pathology_slides', 'pathology_blocks', 'pathology_report', 'imaging_files', 'imaging_reports'] });
  const create = useMutation({ mutationFn: () => post(`/cases/${caseId}/roi-requests`, { ...form, facilityFax: form.facilityFax || undefined }), onSuccess: () => (qc.invalidateQueries({ queryKey: key }), setOpen(false)) });
  const status = useMutation({ mutationFn: (v: { id: string; status: string }) => put(`/cases/${caseId}/roi-requests/${v.id}/status`, { status: v.status }), onSuccess: () => qc.invalidateQueries({ queryKey: key }) });
  return (
    <section aria-labelledby="h-roi">
      <Group justify="space-between" mb="xs">
        <Title order={3} id="h-roi">{t('records:roi.title')}</Title>
        {isCoordinator && <Button size="xs" variant="default" onClick={() => setOpen(true)}>{t('records:roi.write')}</Button>}
      </Group>
      <ErrorNote error={list.error ?? status.error} />
      {list.data?.length === 0 && <Text size="sm" c="dimmed">{t('records:roi.none')}</Text>}
      {list.data && list.data.length > 0 && (
        <WideTable minWidth={440}>
        <Table verticalSpacing={4} data-testid="roi-requests">
          <Table.Tbody>
            {list.data.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td><Text size="sm" fw={500}>{r.facilityName}</Text><Text size="xs" c="dimmed">{t('records:roi.items', { count: r.items.length })} · {r.sentAt ? t('records:roi.sent', { date: formatDate(r.sentAt) }) : t('records:roi.notSent')}</Text></Table.Td>
                <Table.Td>
                  {isCoordinator
                    ? <Select aria-label={t('records:roi.statusOf', { facility: r.facilityName })} size="xs" data={ROI_STATUSES.map((value) => ({ value, label: t(`records:roi.status.${value}`) }))} value={r.status} onChange={(v) => v && status.mutate({ id: r.id, status: v })} allowDeselect={false} />
                    : <Badge variant="light">{(ROI_STATUSES as string[]).includes(r.status) ? t(`records:roi.status.${r.status as RoiStatus}`) : r.status}</Badge>}
                </Table.Td>
                <Table.Td><Anchor size="sm" href={`/api/cases/${caseId}/roi-requests/${r.id}/letter.pdf`} target="_blank">{t('records:roi.letter')}</Anchor></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        </WideTable>
      )}
      <Modal opened={open} onClose={() => setOpen(false)} title={t('records:roi.modalTitle')} size="lg">
        <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Stack>
            <TextInput label={t('records:roi.facility')} value={form.facilityName} onChange={(e) => setForm({ ...form, facilityName: e.currentTarget.value })} required />
            <Textarea label={t('records:roi.address')} value={form.facilityAddress} onChange={(e) => setForm({ ...form, facilityAddress: e.currentTarget.value })} required />
            <TextInput label={t('records:roi.fax')} value={form.facilityFax} onChange={(e) => setForm({ ...form, facilityFax: e.currentTarget.value })} />
            <Checkbox.Group label={t('records:roi.askFor')} value={form.items} onChange={(v) => setForm({ ...form, items: v })}>
              <Stack gap={4} mt="xs">{(items.data ?? []).map((i) => <Checkbox key={i.id} value={i.id} label={i.label} />)}</Stack>
            </Checkbox.Group>
            <ErrorNote error={create.error} />
            <Button type="submit" loading={create.isPending}>{t('records:roi.prepare')}</Button>
          </Stack>
        </form>
      </Modal>
    </section>
  );
}

