import { Anchor, Badge, Button, Checkbox, Group, Modal, NumberInput, Select, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { formatDate, get, post, put, type GetResult } from '../../api.ts';

/** The details a step of a specimen's journey may carry (which ones depends on the step). */
interface SpecimenStepForm { carrier?: string; trackingNumber?: string; receivedCount?: number; condition?: string; note?: string }
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';

const NEXT: Record<string, { to: string; label: string }[]> = {
  requested: [{ to: 'shipped', label: 'Shipped' }, { to: 'received', label: 'Received' }],
  shipped: [{ to: 'received', label: 'Received' }],
  received: [{ to: 'with_reviewer', label: 'Given to the reviewer' }, { to: 'returned', label: 'Returned' }],
  with_reviewer: [{ to: 'returned', label: 'Returned' }],
  returned: [],
};
const ROI_STATUS: Record<string, string> = { prepared: 'Prepared', sent: 'Sent', partially_received: 'Partly received', received: 'Received' };

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
  const [step, setStep] = useState<{ id: string; to: string; label: string } | null>(null);
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
        <Title order={3} id="h-specimens">Glass slides and tissue blocks</Title>
        {isCoordinator && <Button size="xs" variant="default" onClick={() => setAdding(true)}>Track slides or blocks…</Button>}
      </Group>
      <ErrorNote error={list.error} />
      {list.data?.length === 0 && <Text size="sm" c="dimmed">Nothing is being tracked yet.</Text>}
      {list.data && list.data.length > 0 && (
        <Table.ScrollContainer minWidth={520}>
        <Table verticalSpacing={4} data-testid="specimens">
          <Table.Thead><Table.Tr><Table.Th>Material</Table.Th><Table.Th>Status</Table.Th><Table.Th>Tracking</Table.Th><Table.Th /></Table.Tr></Table.Thead>
          <Table.Tbody>
            {list.data.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td><Text size="sm" fw={500}>{s.kind === 'slides' ? 'Slides' : 'Blocks'}: {s.label} ({s.expectedCount})</Text><Text size="xs" c="dimmed">From {s.sourceFacility} · {s.barcode}</Text></Table.Td>
                <Table.Td><Badge variant="light">{s.statusLabel}</Badge>{s.conditionNote && <Text size="xs">{s.receivedCount} arrived, {s.conditionNote}</Text>}</Table.Td>
                <Table.Td><Text size="xs">{s.carrier && `${s.carrier} ${s.trackingNumber}`}{s.returnCarrier && ` · back: ${s.returnCarrier} ${s.returnTrackingNumber}`}</Text></Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    <Anchor size="xs" href={`/api/cases/${caseId}/specimens/${s.id}/label.pdf`} target="_blank">Label</Anchor>
                    {isCoordinator && NEXT[s.status]!.map((n) => <Button key={n.to} size="compact-xs" variant="default" onClick={() => setStep({ id: s.id, to: n.to, label: n.label })}>{n.label}…</Button>)}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={adding} onClose={() => setAdding(false)} title="Track slides or blocks">
        <form onSubmit={(e) => { e.preventDefault(); add.mutate(); }}>
          <Stack>
            <Select label="What" data={[{ value: 'slides', label: 'Glass slides' }, { value: 'blocks', label: 'Tissue blocks' }]} value={form.kind} onChange={(v) => setForm({ ...form, kind: v ?? 'slides' })} allowDeselect={false} />
            <TextInput label="Label (accession and parts)" value={form.label} onChange={(e) => setForm({ ...form, label: e.currentTarget.value })} required />
            <NumberInput label="How many" min={1} max={500} value={form.expectedCount} onChange={(v) => setForm({ ...form, expectedCount: Number(v) || 1 })} />
            <TextInput label="From which facility" value={form.sourceFacility} onChange={(e) => setForm({ ...form, sourceFacility: e.currentTarget.value })} required />
            <ErrorNote error={add.error} />
            <Button type="submit" loading={add.isPending}>Start tracking</Button>
          </Stack>
        </form>
      </Modal>
      <Modal opened={!!step} onClose={() => setStep(null)} title={step?.label ?? ''}>
        <form onSubmit={(e) => { e.preventDefault(); move.mutate(); }}>
          <Stack>
            {(step?.to === 'shipped' || step?.to === 'returned') && (
              <>
                <TextInput label="Carrier" value={stepForm.carrier ?? ''} onChange={(e) => setStepForm({ ...stepForm, carrier: e.currentTarget.value })} />
                <TextInput label="Tracking number" value={stepForm.trackingNumber ?? ''} onChange={(e) => setStepForm({ ...stepForm, trackingNumber: e.currentTarget.value })} />
              </>
            )}
            {step?.to === 'received' && (
              <>
                <NumberInput label="How many arrived" min={0} value={stepForm.receivedCount ?? ''} onChange={(v) => setStepForm({ ...stepForm, receivedCount: v === '' ? undefined : Number(v) })} />
                <Select label="Condition" data={[{ value: 'intact', label: 'Intact' }, { value: 'damaged', label: 'Damaged' }, { value: 'incomplete', label: 'Incomplete' }]} value={stepForm.condition ?? null} onChange={(v) => setStepForm({ ...stepForm, condition: v ?? undefined })} />
                <Textarea label="Note" value={stepForm.note ?? ''} onChange={(e) => setStepForm({ ...stepForm, note: e.currentTarget.value })} />
              </>
            )}
            <ErrorNote error={move.error} />
            <Button type="submit" loading={move.isPending}>Save</Button>
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
  const [open, setOpen] = useState(false);
  const [form, setForm] = useState({ facilityName: '', facilityAddress: '', facilityFax: '', items: ['pathology_slides', 'pathology_blocks', 'pathology_report', 'imaging_files', 'imaging_reports'] });
  const create = useMutation({ mutationFn: () => post(`/cases/${caseId}/roi-requests`, { ...form, facilityFax: form.facilityFax || undefined }), onSuccess: () => (qc.invalidateQueries({ queryKey: key }), setOpen(false)) });
  const status = useMutation({ mutationFn: (v: { id: string; status: string }) => put(`/cases/${caseId}/roi-requests/${v.id}/status`, { status: v.status }), onSuccess: () => qc.invalidateQueries({ queryKey: key }) });
  return (
    <section aria-labelledby="h-roi">
      <Group justify="space-between" mb="xs">
        <Title order={3} id="h-roi">Requests to other facilities</Title>
        {isCoordinator && <Button size="xs" variant="default" onClick={() => setOpen(true)}>Write a records request…</Button>}
      </Group>
      <ErrorNote error={list.error ?? status.error} />
      {list.data?.length === 0 && <Text size="sm" c="dimmed">No requests yet.</Text>}
      {list.data && list.data.length > 0 && (
        <Table.ScrollContainer minWidth={440}>
        <Table verticalSpacing={4} data-testid="roi-requests">
          <Table.Tbody>
            {list.data.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td><Text size="sm" fw={500}>{r.facilityName}</Text><Text size="xs" c="dimmed">{r.items.length} items · {r.sentAt ? `sent ${formatDate(r.sentAt)}` : 'not sent yet'}</Text></Table.Td>
                <Table.Td>
                  {isCoordinator
                    ? <Select aria-label={`Status of the request to ${r.facilityName}`} size="xs" data={Object.entries(ROI_STATUS).map(([value, label]) => ({ value, label }))} value={r.status} onChange={(v) => v && status.mutate({ id: r.id, status: v })} allowDeselect={false} />
                    : <Badge variant="light">{ROI_STATUS[r.status]}</Badge>}
                </Table.Td>
                <Table.Td><Anchor size="sm" href={`/api/cases/${caseId}/roi-requests/${r.id}/letter.pdf`} target="_blank">Letter (PDF)</Anchor></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        </Table.ScrollContainer>
      )}
      <Modal opened={open} onClose={() => setOpen(false)} title="Request records from a facility" size="lg">
        <form onSubmit={(e) => { e.preventDefault(); create.mutate(); }}>
          <Stack>
            <TextInput label="Facility and department" value={form.facilityName} onChange={(e) => setForm({ ...form, facilityName: e.currentTarget.value })} required />
            <Textarea label="Address" value={form.facilityAddress} onChange={(e) => setForm({ ...form, facilityAddress: e.currentTarget.value })} required />
            <TextInput label="Fax (optional)" value={form.facilityFax} onChange={(e) => setForm({ ...form, facilityFax: e.currentTarget.value })} />
            <Checkbox.Group label="Ask them to send" value={form.items} onChange={(v) => setForm({ ...form, items: v })}>
              <Stack gap={4} mt="xs">{(items.data ?? []).map((i) => <Checkbox key={i.id} value={i.id} label={i.label} />)}</Stack>
            </Checkbox.Group>
            <ErrorNote error={create.error} />
            <Button type="submit" loading={create.isPending}>Prepare the letter</Button>
          </Stack>
        </form>
      </Modal>
    </section>
  );
}

