import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import { Alert, Anchor, Badge, Button, Group, Modal, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Textarea, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Uppy from '@uppy/core';
import Dashboard from '@uppy/react/dashboard';
import Tus from '@uppy/tus';
import { useEffect, useState } from 'react';
import { api, formatDate, get, type GetResult, type Schema } from '../../api.ts';

type Doc = Schema<'Document'>;
type Checklist = Schema<'RecordsChecklist'>;
import type { Me } from '../../auth.tsx';
import { ErrorNote } from '../../components.tsx';
import { MaterialPanel } from './MaterialPanel.tsx';
import { caseKeys } from '../../queryKeys.ts';

// Programs and system files that CDs carry beside the images: not records, so never sent.
const SKIP = /(^|\/)(autorun\.inf|.*\.(exe|dll|msi|bat|cmd|com|sys|ini|inf|cab|ocx|app|dmg|jar|class|lnk)|\.ds_store|thumbs\.db|desktop\.ini)$/i;

const STATUS_COLOR: Record<string, string> = { processing: 'blue', ready: 'green', needs_review: 'orange', failed: 'red' };
const STATUS_TEXT: Record<string, string> = { processing: 'Reading', ready: 'Ready', needs_review: 'Needs review', failed: 'Could not read' };
const TYPES = [
  ['pathology_report', 'Pathology report'], ['radiology_report', 'Radiology report'], ['operative_note', 'Operative note'], ['discharge_summary', 'Discharge summary'],
  ['laboratory_results', 'Laboratory results'], ['molecular_report', 'Molecular or genomic report'], ['treatment_summary', 'Treatment summary or medication list'],
  ['pulmonary_function_report', 'Pulmonary function report'], ['consultation_note', 'Consultation note'], ['insurance_id', 'Insurance or ID document'], ['other', 'Other'],
].map(([value, label]) => ({ value: value!, label: label! }));

const size = (n: number) => (n > 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** Uploading records (files and whole folders, resumable), what arrived, and the checklist. */
/** The document beside the text read from it: for reviewers reading records without leaving the case. */
function DocumentReader({ caseId, doc, onClose }: { caseId: string; doc: Doc; onClose: () => void }) {
  const text = useQuery({ queryKey: ['doc-text', doc.id], queryFn: () => get<GetResult<'/api/cases/{id}/documents/{documentId}/text'>>(`/cases/${caseId}/documents/${doc.id}/text`) });
  return (
    <Modal opened onClose={onClose} title={doc.filename} size="90%">
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <iframe title={`${doc.filename} (original)`} src={`/api/cases/${caseId}/documents/${doc.id}/content?inline=true`} style={{ width: '100%', height: '70vh', border: '1px solid #ddd' }} data-testid="document-frame" />
        <ScrollArea h="70vh">
          <Text size="sm" fw={600}>Text read from the document</Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="document-text">{text.data?.text ?? (text.isLoading ? 'Loading…' : 'No text was read from this file (a scan or photo waits for a person).')}</Text>
        </ScrollArea>
      </SimpleGrid>
    </Modal>
  );
}

export function RecordsPanel({ caseId, me, canUpload }: { caseId: string; me: Me; canUpload: boolean }) {
  const [reading, setReading] = useState<Doc | null>(null);
  const qc = useQueryClient();
  const isCoordinator = me.user.role === 'coordinator';
  const refresh = () => {
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'documents') });
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'checklist') });
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'assessment') });
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'clinical') });
  };
  const [uppy] = useState(() =>
    new Uppy({ autoProceed: true, onBeforeFileAdded: (file) => !SKIP.test(String(file.meta.relativePath ?? file.name)) })
      .use(Tus, { endpoint: '/api/uploads', chunkSize: 8 * 1024 * 1024, retryDelays: [0, 1000, 3000, 10000], removeFingerprintOnSuccess: true, allowedMetaFields: ['caseId', 'filename', 'relativePath'] }));
  useEffect(() => {
    const onAdded = (file: { id: string; name?: string; meta: Record<string, unknown> }) =>
      uppy.setFileMeta(file.id, { caseId, filename: file.name ?? 'file', relativePath: String(file.meta.relativePath ?? '') });
    uppy.on('file-added', onAdded);
    uppy.on('upload-success', refresh);
    uppy.on('complete', refresh);
    return () => {
      uppy.off('file-added', onAdded);
      uppy.off('upload-success', refresh);
      uppy.off('complete', refresh);
    };
  }, [uppy, caseId]);
  useEffect(() => () => uppy.destroy(), [uppy]);

  // Keep polling while something is still being read in the background.
  const docs = useQuery({
    queryKey: caseKeys.part(caseId, 'documents'), queryFn: () => get<GetResult<'/api/cases/{id}/documents'>>(`/cases/${caseId}/documents?pageSize=100`),
    refetchInterval: (q) => (q.state.data?.items.some((d) => d.status === 'processing') ? 1500 : false),
  });
  const checklist = useQuery({ queryKey: caseKeys.part(caseId, 'checklist'), queryFn: () => get<Checklist>(`/cases/${caseId}/checklist`) });
  useEffect(() => {
    if (docs.data) qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'checklist') });
  }, [docs.data]);
  // What the case's commands say blocks them (e.g. Mark ready for review) follows the checklist.
  const outstanding = checklist.data?.outstanding.join('\n');
  useEffect(() => {
    if (outstanding !== undefined) void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'detail') });
  }, [outstanding]);

  return (
    <Stack gap="lg">
      {canUpload && (
        <section aria-labelledby="h-upload">
          <Title order={3} id="h-upload" mb="xs">Add records</Title>
          <Text size="sm" mb="xs">Drop files or a whole folder, such as the contents of an imaging CD. Large files can be paused and resumed, and an upload that is cut off picks up where it stopped.</Text>
          <Dashboard uppy={uppy} height={300} width="100%" fileManagerSelectionType="both" proudlyDisplayPoweredByUppy={false}
            note="PDF, DICOM, zip, photos, whole-slide images, FHIR or C-CDA. Viewer programs on CDs are skipped." />
        </section>
      )}
      <ChecklistSection caseId={caseId} data={checklist.data} error={checklist.error} isCoordinator={isCoordinator} />
      <section aria-labelledby="h-docs">
        <Title order={3} id="h-docs" mb="xs">Documents on file ({docs.data?.total ?? 0})</Title>
        <ErrorNote error={docs.error} />
        <Table.ScrollContainer minWidth={760}>
          <Table verticalSpacing="xs" data-testid="documents">
            <Table.Thead><Table.Tr><Table.Th>File</Table.Th><Table.Th>What it is</Table.Th><Table.Th>Status</Table.Th><Table.Th>Added</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>
              {docs.data?.items.map((d) => (
                <Table.Tr key={d.id} data-testid={`doc-${d.filename}`}>
                  <Table.Td>
                    <Anchor href={`/api/cases/${caseId}/documents/${d.id}/content`} size="sm">{d.relativePath || d.filename}</Anchor>
                    <Text size="xs" c="dimmed">{d.contentLabel} · {size(d.size)}</Text>
                    {['pdf', 'text', 'jpeg', 'png'].includes(d.contentType) && <Button size="compact-xs" variant="subtle" onClick={() => setReading(d)} aria-label={`Read ${d.filename}`}>Read</Button>}
                  </Table.Td>
                  <Table.Td><DocumentType caseId={caseId} d={d} isCoordinator={isCoordinator} /></Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[d.status]} variant="light">{STATUS_TEXT[d.status] ?? d.status}</Badge>
                    {d.statusDetail && <Text size="xs">{d.statusDetail}</Text>}
                    {d.flags.map((f) => <Alert key={f.kind} color="orange" p={6} mt={4}><Text size="xs">{f.message}</Text></Alert>)}
                  </Table.Td>
                  <Table.Td><Text size="xs">{formatDate(d.createdAt)}</Text><Text size="xs" c="dimmed">{d.uploadedBy}</Text></Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </section>
      {reading && <DocumentReader caseId={caseId} doc={reading} onClose={() => setReading(null)} />}
      <MaterialPanel caseId={caseId} isCoordinator={isCoordinator} />
      <ClinicalSection caseId={caseId} />
    </Stack>
  );
}

function DocumentType({ caseId, d, isCoordinator }: { caseId: string; d: Doc; isCoordinator: boolean }) {
  const qc = useQueryClient();
  const fix = useMutation({
    mutationFn: (documentType: string) => api('PATCH', `/cases/${caseId}/documents/${d.id}`, { documentType }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
    },
  });
  if (d.category !== 'document') return <Text size="sm">{d.category === 'imaging' ? 'Imaging' : d.category === 'digital_slide' ? 'Digital slide' : 'Imported health record'}</Text>;
  const why = d.typeEvidence.length ? `Decided by: ${d.typeEvidence.join(', ')}` : 'No telling words found';
  return (
    <Stack gap={2}>
      {isCoordinator ? (
        <Select aria-label={`Document type of ${d.filename}`} size="xs" data={TYPES} value={d.documentType ?? null} placeholder="Choose the type" onChange={(v) => v && fix.mutate(v)} allowDeselect={false} />
      ) : (
        <Text size="sm">{d.documentTypeLabel}</Text>
      )}
      <Tooltip label={why} multiline w={260}>
        <Text size="xs" c="dimmed" tabIndex={0}>
          {d.typeSource === 'coordinator' ? 'Set by the coordinator' : d.typeConfidence != null ? `${Math.round(d.typeConfidence * 100)}% sure · ${d.typeEvidence.slice(0, 3).join(', ')}` : ''}
        </Text>
      </Tooltip>
      <ErrorNote error={fix.error} />
    </Stack>
  );
}

function ChecklistSection({ caseId, data, error, isCoordinator }: { caseId: string; data: Checklist | undefined; error: unknown; isCoordinator: boolean }) {
  const qc = useQueryClient();
  const [waiving, setWaiving] = useState<{ id: string; label: string } | null>(null);
  const [reason, setReason] = useState('');
  const waive = useMutation({
    mutationFn: () => api('PUT', `/cases/${caseId}/checklist/${waiving!.id}/waiver`, { reason }),
    onSuccess: (d) => {
      qc.setQueryData(caseKeys.part(caseId, 'checklist'), d);
      setWaiving(null);
      setReason('');
    },
  });
  const undo = useMutation({ mutationFn: (id: string) => api('DELETE', `/cases/${caseId}/checklist/${id}/waiver`), onSuccess: (d) => qc.setQueryData(caseKeys.part(caseId, 'checklist'), d) });
  return (
    <section aria-labelledby="h-checklist-case">
      <Group justify="space-between" mb="xs">
        <Title order={3} id="h-checklist-case">Records checklist</Title>
        {data && <Badge size="lg" color={data.complete ? 'green' : 'orange'} data-testid="checklist-state">{data.complete ? 'Complete' : `${data.outstanding.length} still needed`}</Badge>}
      </Group>
      <ErrorNote error={error ?? undo.error} />
      <Table verticalSpacing={4} data-testid="case-checklist">
        <Table.Tbody>
          {data?.items.map((i) => (
            <Table.Tr key={i.id} data-testid={`item-${i.id}`}>
              <Table.Td><Text size="sm" fw={500}>{i.label}</Text><Text size="xs" c="dimmed">Ask: {i.from}</Text></Table.Td>
              <Table.Td>
                {i.have ? <Text size="sm" c="green.9" fw={600}>On file</Text> : i.waiver ? <Text size="sm">Waived: {i.waiver.reason} <Text span size="xs" c="dimmed">({i.waiver.waivedBy})</Text></Text> : <Text size="sm" c="orange.9" fw={600}>Missing</Text>}
              </Table.Td>
              {isCoordinator && (
                <Table.Td>
                  {!i.have && !i.waiver && <Button size="xs" variant="default" onClick={() => setWaiving(i)}>Waive…</Button>}
                  {i.waiver && <Button size="xs" variant="subtle" onClick={() => undo.mutate(i.id)}>Undo waiver</Button>}
                </Table.Td>
              )}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Modal opened={!!waiving} onClose={() => setWaiving(null)} title={`Waive “${waiving?.label ?? ''}”`}>
        <form onSubmit={(e) => { e.preventDefault(); waive.mutate(); }}>
          <Stack>
            <Textarea label="Why is this record not needed?" value={reason} onChange={(e) => setReason(e.currentTarget.value)} minRows={3} required data-autofocus />
            <ErrorNote error={waive.error} />
            <Button type="submit" loading={waive.isPending} disabled={reason.trim().length < 5}>Waive with this reason</Button>
          </Stack>
        </form>
      </Modal>
    </section>
  );
}

function ClinicalSection({ caseId }: { caseId: string }) {
  const q = useQuery({ queryKey: caseKeys.part(caseId, 'clinical'), queryFn: () => get<GetResult<'/api/cases/{id}/clinical'>>(`/cases/${caseId}/clinical`) });
  const rows = (q.data ?? []).filter((r) => r.kind !== 'patient');
  if (!rows.length) return null;
  const labs = rows.filter((r) => r.kind === 'observation');
  const history = rows.filter((r) => r.kind !== 'observation');
  return (
    <section aria-labelledby="h-clinical">
      <Title order={3} id="h-clinical" mb="xs">From imported health records</Title>
      {history.length > 0 && (
        <>
          <Text fw={600} size="sm">Conditions, procedures and medicines</Text>
          <Table verticalSpacing={2} mb="sm"><Table.Tbody>{history.map((r) => <Table.Tr key={r.id}><Table.Td>{r.effective ?? '—'}</Table.Td><Table.Td>{r.kind}</Table.Td><Table.Td>{r.display ?? r.code}</Table.Td><Table.Td>{r.status}</Table.Td></Table.Tr>)}</Table.Tbody></Table>
        </>
      )}
      {labs.length > 0 && (
        <>
          <Text fw={600} size="sm">Lab results over time</Text>
          <Table verticalSpacing={2} data-testid="labs"><Table.Tbody>{labs.map((r) => <Table.Tr key={r.id}><Table.Td>{r.effective ?? '—'}</Table.Td><Table.Td>{r.display ?? r.code}</Table.Td><Table.Td>{r.value} {r.unit}</Table.Td></Table.Tr>)}</Table.Tbody></Table>
        </>
      )}
    </section>
  );
}
