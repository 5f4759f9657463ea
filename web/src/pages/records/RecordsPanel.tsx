import '@uppy/core/css/style.min.css';
import '@uppy/dashboard/css/style.min.css';
import './uppy-overrides.css';
import { Alert, Anchor, Badge, Button, Group, Modal, ScrollArea, Select, SimpleGrid, Stack, Table, Text, Textarea, Title, Tooltip } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import Uppy from '@uppy/core';
import Dashboard from '@uppy/react/dashboard';
import spanishUploads from '@uppy/locales/lib/es_MX.js';
import Tus from '@uppy/tus';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import i18n from '../../i18n.ts';
import { api, formatDate, formatDay, get, type GetResult, type Schema } from '../../api.ts';

type Doc = Schema<'Document'>;
type Checklist = Schema<'RecordsChecklist'>;
import { usePatientSide, type Me } from '../../auth.tsx';
import { useCaseReader } from '../../caseData.ts';
import { ErrorNote, WideTable } from '../../components.tsx';
import { documentLabel, documentTitle } from './documentTitle.ts';
import { MaterialPanel } from './MaterialPanel.tsx';
import type { ImagingStudy } from '../imaging/ImagingPanel.tsx';
import { Link } from 'react-router';
import { caseKeys } from '../../queryKeys.ts';

// Programs and system files that CDs carry beside the images: not records, so never sent.
/** Uppy's own words in the page's language (its language packs; English is built in). */
const uppyLocale = (language: string) => (language === 'es' ? spanishUploads : undefined);
const SKIP = /(^|\/)(autorun\.inf|.*\.(exe|dll|msi|bat|cmd|com|sys|ini|inf|cab|ocx|app|dmg|jar|class|lnk)|\.ds_store|thumbs\.db|desktop\.ini)$/i;

const STATUS_COLOR: Record<string, string> = { processing: 'blue', ready: 'green', needs_review: 'orange', failed: 'red' };
type DocStatus = keyof typeof import('../../messages/en/records.json')['status'];
const STATUSES: readonly string[] = ['processing', 'ready', 'needs_review', 'failed'] satisfies DocStatus[];
/** Document types in the order the coordinator's pick list shows them (records:type). */
const TYPES = ['pathology_report', 'radiology_report', 'operative_note', 'discharge_summary', 'laboratory_results', 'molecular_report', 'treatment_summary',
  'pulmonary_function_report', 'consultation_note', 'insurance_id', 'other'] as const;

const size = (n: number) => (n > 1024 ** 2 ? `${(n / 1024 ** 2).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/** Uploading records (files and whole folders, resumable), what arrived, and the checklist. */
/** The document beside the text read from it: for reviewers reading records without leaving the case. */
function DocumentReader({ caseId, doc, title, onClose }: { caseId: string; doc: Doc; title: string; onClose: () => void }) {
  const { t } = useTranslation();
  const text = useQuery({ queryKey: ['doc-text', doc.id], queryFn: () => get<GetResult<'/api/cases/{id}/documents/{documentId}/text'>>(`/cases/${caseId}/documents/${doc.id}/text`) });
  return (
    <Modal opened onClose={onClose} title={title} size="90%">
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <iframe title={t('records:reader.original', { name: title })} src={`/api/cases/${caseId}/documents/${doc.id}/content?inline=true`} style={{ width: '100%', height: '70vh', border: '1px solid #ddd' }} data-testid="document-frame" />
        <ScrollArea h="70vh">
          <Text size="sm" fw={600}>{t('records:reader.text')}</Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap' }} data-testid="document-text">{text.data?.text ?? (text.isLoading ? t('records:reader.loading') : t('records:reader.noText'))}</Text>
        </ScrollArea>
      </SimpleGrid>
    </Modal>
  );
}

export function RecordsPanel({ caseId, me, canUpload }: { caseId: string; me: Me; canUpload: boolean }) {
  const [reading, setReading] = useState<Doc | null>(null);
  const qc = useQueryClient();
  const { t, i18n } = useTranslation();
  const isCoordinator = me.user.role === 'coordinator';
  const patientSide = usePatientSide();
  const titleOf = (d: Doc) => documentTitle(d, { userId: me.user.id, patientSide }, t);
  const labelOf = (d: Doc) => documentLabel(d, { userId: me.user.id, patientSide }, t);
  const refresh = () => {
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'documents') });
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'checklist') });
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'assessment') });
    qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'clinical') });
  };
  const [uppy] = useState(() =>
    new Uppy({ autoProceed: true, locale: uppyLocale(i18n.language), onBeforeFileAdded: (file) => !SKIP.test(String(file.meta.relativePath ?? file.name)) })
      .use(Tus, { endpoint: '/api/uploads', chunkSize: 8 * 1024 * 1024, retryDelays: [0, 1000, 3000, 10000], removeFingerprintOnSuccess: true, allowedMetaFields: ['caseId', 'filename', 'relativePath'] }));
  // The upload box speaks the page's language, and follows it when the reader switches.
  useEffect(() => uppy.setOptions({ locale: uppyLocale(i18n.language) }), [uppy, i18n.language]);
  useEffect(() => {
    const onAdded = (file: { id: string; name?: string; meta: Record<string, unknown> }) =>
      uppy.setFileMeta(file.id, { caseId, filename: file.name ?? 'file', relativePath: String(file.meta.relativePath ?? '') });
    uppy.on('file-added', onAdded);
    uppy.on('upload-success', refresh);
    // Uppy's list of files scrolls but cannot take focus: keyboard users could not scroll it. With
    // one file it draws the file as a list item outside any list: it is made the list it is.
    const focusableList = () => requestAnimationFrame(() => document.querySelectorAll('.uppy-Dashboard-files').forEach((el) => {
      el.setAttribute('tabindex', '0');
      el.setAttribute('aria-label', i18n.t('records:upload.files'));
      if (!el.getAttribute('role')) el.setAttribute('role', 'list');
    }));
    uppy.on('files-added', focusableList);
    uppy.on('complete', focusableList);
    uppy.on('complete', refresh);
    return () => {
      uppy.off('file-added', onAdded);
      uppy.off('upload-success', refresh);
      uppy.off('files-added', focusableList);
      uppy.off('complete', focusableList);
      uppy.off('complete', refresh);
    };
  }, [uppy, caseId]);
  useEffect(() => () => uppy.destroy(), [uppy]);

  // Keep polling while something is still being read in the background.
  const docs = useQuery({
    queryKey: caseKeys.part(caseId, 'documents'), queryFn: () => get<GetResult<'/api/cases/{id}/documents'>>(`/cases/${caseId}/documents?pageSize=100&except=imaging`),
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
          <Title order={3} id="h-upload" mb="xs">{t('records:upload.title')}</Title>
          <Text size="sm" mb="xs">{t('records:upload.intro')}</Text>
          <Dashboard uppy={uppy} height={300} width="100%" fileManagerSelectionType="both" proudlyDisplayPoweredByUppy={false}
            note={t('records:upload.note')} />
        </section>
      )}
      <ChecklistSection caseId={caseId} data={checklist.data} error={checklist.error} isCoordinator={isCoordinator} canUpload={canUpload} />
      <ImagesOnFile caseId={caseId} />
      <section aria-labelledby="h-docs">
        <Title order={3} id="h-docs" mb="xs">{t('records:documents.title', { count: docs.data?.total ?? 0 })}</Title>
        <ErrorNote error={docs.error} />
        {/* One block per document whose parts sit side by side when there is room and stack on a phone. */}
        <Stack gap={0} data-testid="documents">
          {docs.data?.items.map((d) => {
            const { title, fileName } = titleOf(d);
            return (
              <SimpleGrid key={d.id} cols={{ base: 1, sm: 2, lg: 4 }} spacing="xs" verticalSpacing={4} py="xs" style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid={`doc-${d.filename}`}>
                <div style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
                  {/* A slide file is for the viewer on the patient's side: the scanner's file opens in nothing they have. */}
                  {patientSide && d.contentType === 'wsi'
                    ? <Anchor component={Link} to={`/cases/${caseId}/slides/${d.id}`} size="sm">{title}</Anchor>
                    : <Anchor href={`/api/cases/${caseId}/documents/${d.id}/content`} size="sm">{title}</Anchor>}
                  {fileName && <Text size="xs" c="dimmed">{fileName}</Text>}
                  <Text size="xs" c="dimmed">{t('records:documents.kindAndSize', { kind: t(`records:content.${d.contentType}`, { defaultValue: d.contentLabel }), size: size(d.size) })}</Text>
                  {['pdf', 'text', 'jpeg', 'png'].includes(d.contentType) && <Button size="compact-xs" variant="subtle" onClick={() => setReading(d)} aria-label={t('records:documents.readLabel', { name: labelOf(d) })}>{t('records:documents.read')}</Button>}
                </div>
                {/* The patient's side reads the kind in the title already. */}
                {!patientSide && <div><DocumentType caseId={caseId} d={d} isCoordinator={isCoordinator} /></div>}
                <div>
                  <Badge color={STATUS_COLOR[d.status]} variant="light">{STATUSES.includes(d.status) ? t(`records:status.${d.status as DocStatus}`) : d.status}</Badge>
                  {d.statusDetail && <Text size="xs">{d.statusDetail}</Text>}
                  {d.flags.map((f) => <Alert key={f.kind} color="orange" p={6} mt={4}><Text size="xs">{f.message}</Text></Alert>)}
                </div>
                <div><Text size="xs">{t('records:documents.added', { date: formatDate(d.createdAt) })}</Text><Text size="xs" c="dimmed">{d.uploadedBy}</Text></div>
              </SimpleGrid>
            );
          })}
        </Stack>
      </section>
      {reading && <DocumentReader caseId={caseId} doc={reading} title={labelOf(reading)} onClose={() => setReading(null)} />}
      <MaterialPanel caseId={caseId} isCoordinator={isCoordinator} />
      <ClinicalSection caseId={caseId} />
    </Stack>
  );
}

function DocumentType({ caseId, d, isCoordinator }: { caseId: string; d: Doc; isCoordinator: boolean }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const fix = useMutation({
    mutationFn: (documentType: string) => api('PATCH', `/cases/${caseId}/documents/${d.id}`, { documentType }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
    },
  });
  if (d.category !== 'document') return <Text size="sm">{d.category === 'imaging' ? t('records:documents.imaging') : d.category === 'digital_slide' ? t('records:documents.slide') : t('records:documents.imported')}</Text>;
  const why = d.typeEvidence.length ? t('records:documents.decidedBy', { words: d.typeEvidence.join(', ') }) : t('records:documents.noWords');
  return (
    <Stack gap={2}>
      {isCoordinator ? (
        <Select aria-label={t('records:documents.typeOf', { name: d.filename })} size="xs" data={TYPES.map((value) => ({ value, label: t(`records:type.${value}`) }))} value={d.documentType ?? null} placeholder={t('records:documents.chooseType')} onChange={(v) => v && fix.mutate(v)} allowDeselect={false} />
      ) : (
        <Text size="sm">{d.documentType ? t(`records:type.${d.documentType}`, { defaultValue: d.documentTypeLabel }) : t('records:documents.notClassified')}</Text>
      )}
      {/* How sure the sorting is, and on which words: a triage aid for the coordinator, not for the patient. */}
      {isCoordinator && (
        <Tooltip label={why} multiline w={260}>
          <Text size="xs" c="dimmed" tabIndex={0}>
            {d.typeSource === 'coordinator' ? t('records:documents.setByCoordinator') : d.typeConfidence != null ? t('records:documents.sure', { percent: Math.round(d.typeConfidence * 100), words: d.typeEvidence.slice(0, 3).join(', ') }) : ''}
          </Text>
        </Tooltip>
      )}
      <ErrorNote error={fix.error} />
    </Stack>
  );
}

function ChecklistSection({ caseId, data, error, isCoordinator, canUpload }: { caseId: string; data: Checklist | undefined; error: unknown; isCoordinator: boolean; canUpload: boolean }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  // The patient reads "your doctors"; a caregiver or the referring physician, "the patient's".
  const reader = useCaseReader(caseId);
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
        <Title order={3} id="h-checklist-case">{t('records:checklist.title')}</Title>
        {data && <Badge size="lg" color={data.complete ? 'green' : isCoordinator ? 'orange' : 'gray'} data-testid="checklist-state">{data.complete ? t('records:checklist.complete') : t('records:checklist.toGather', { count: data.outstanding.length })}</Badge>}
      </Group>
      <ErrorNote error={error ?? undo.error} />
      {data && (['patient', 'service'] as const).map((who) => {
        const items = data.items.filter((i) => i.gatheredBy === who);
        if (!items.length) return null;
        return (
          <Stack key={who} gap={6} mb="md" data-testid={`checklist-${who}`}>
            <Text fw={600}>{who === 'patient' ? (isCoordinator ? t('records:checklist.patientStaff') : t('records:checklist.patient')) : isCoordinator ? t('records:checklist.serviceStaff') : t('records:checklist.service', { context: reader })}</Text>
            {who === 'service' && !isCoordinator && canUpload && <Text size="sm" c="dimmed">{t('records:checklist.uploadAnyway')}</Text>}
            <Stack gap={0} data-testid="case-checklist">
              {items.map((i) => (
                <Group key={i.id} justify="space-between" wrap="wrap" gap="xs" py={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }} data-testid={`item-${i.id}`}>
                  <Stack gap={0} style={{ flex: '1 1 220px' }}>
                    <Text size="sm" fw={500}>{i.label}</Text>
                    <Text size="xs" c="dimmed">{who === 'patient' ? t('records:checklist.from', { where: i.from }) : t('records:checklist.ask', { where: i.from })}</Text>
                  </Stack>
                  <Group gap="xs" wrap="wrap">
                    {i.have ? <Text size="sm" c="green.9" fw={600}>{t('records:checklist.onFile')}</Text> : i.waiver ? <Text size="sm">{t('records:checklist.notNeeded', { reason: i.waiver.reason })} <Text span size="xs" c="dimmed">({i.waiver.waivedBy})</Text></Text> : <Text size="sm" c={isCoordinator ? 'orange.9' : 'gray.8'} fw={600}>{who === 'service' && !isCoordinator ? t('records:checklist.weWillAsk') : t('records:checklist.missing')}</Text>}
                    {isCoordinator && !i.have && !i.waiver && <Button size="xs" variant="default" onClick={() => setWaiving(i)}>{t('records:checklist.waive')}</Button>}
                    {isCoordinator && i.waiver && !i.have && <Button size="xs" variant="subtle" onClick={() => undo.mutate(i.id)}>{t('records:checklist.undoWaiver')}</Button>}
                  </Group>
                </Group>
              ))}
            </Stack>
          </Stack>
        );
      })}
      <Modal opened={!!waiving} onClose={() => setWaiving(null)} title={t('records:checklist.waiveTitle', { label: waiving?.label ?? '' })}>
        <form onSubmit={(e) => { e.preventDefault(); waive.mutate(); }}>
          <Stack>
            <Textarea label={t('records:checklist.why')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} minRows={3} required data-autofocus />
            <ErrorNote error={waive.error} />
            <Button type="submit" loading={waive.isPending} disabled={reason.trim().length < 5}>{t('records:checklist.waiveSubmit')}</Button>
          </Stack>
        </form>
      </Modal>
    </section>
  );
}

function ClinicalSection({ caseId }: { caseId: string }) {
  const q = useQuery({ queryKey: caseKeys.part(caseId, 'clinical'), queryFn: () => get<GetResult<'/api/cases/{id}/clinical'>>(`/cases/${caseId}/clinical`) });
  const { t } = useTranslation();
  const rows = (q.data ?? []).filter((r) => r.kind !== 'patient');
  if (!rows.length) return null;
  const labs = rows.filter((r) => r.kind === 'observation');
  const history = rows.filter((r) => r.kind !== 'observation');
  return (
    <section aria-labelledby="h-clinical">
      <Title order={3} id="h-clinical" mb="xs">{t('records:clinical.title')}</Title>
      {history.length > 0 && (
        <>
          <Text fw={600} size="sm">{t('records:clinical.history')}</Text>
          <WideTable minWidth={340} mb="sm"><Table verticalSpacing={2}><Table.Tbody>{history.map((r) => <Table.Tr key={r.id}><Table.Td>{r.effective ?? '—'}</Table.Td><Table.Td>{r.kind}</Table.Td><Table.Td style={{ overflowWrap: 'anywhere' }}>{r.display ?? r.code}</Table.Td><Table.Td>{r.status}</Table.Td></Table.Tr>)}</Table.Tbody></Table></WideTable>
        </>
      )}
      {labs.length > 0 && (
        <>
          <Text fw={600} size="sm">{t('records:clinical.labs')}</Text>
          <WideTable minWidth={300}><Table verticalSpacing={2} data-testid="labs"><Table.Tbody>{labs.map((r) => <Table.Tr key={r.id}><Table.Td>{r.effective ?? '—'}</Table.Td><Table.Td style={{ overflowWrap: 'anywhere' }}>{r.display ?? r.code}</Table.Td><Table.Td>{r.value} {r.unit}</Table.Td></Table.Tr>)}</Table.Tbody></Table></WideTable>
        </>
      )}
    </section>
  );
}

/** Image files on file, as the studies they form (a CD of 400 slices is one CT, not 400 records). */
function ImagesOnFile({ caseId }: { caseId: string }) {
  const qc = useQueryClient();
  const { t } = useTranslation();
  const files = useQuery({
    queryKey: caseKeys.part(caseId, 'documents', 'imaging'),
    queryFn: async () => {
      const [all, reading] = await Promise.all([
        get<GetResult<'/api/cases/{id}/documents'>>(`/cases/${caseId}/documents?category=imaging&pageSize=1`),
        get<GetResult<'/api/cases/{id}/documents'>>(`/cases/${caseId}/documents?category=imaging&status=processing&pageSize=1`),
      ]);
      return { total: all.total, reading: reading.total };
    },
    refetchInterval: (q) => ((q.state.data?.reading ?? 0) > 0 ? 2000 : false),
  });
  // Image files are indexed in the background after they arrive: look again for a while after new ones.
  const [watchUntil, setWatchUntil] = useState(0);
  const total = files.data?.total;
  useEffect(() => { if (total) setWatchUntil(Date.now() + 90_000); }, [total]);
  const studies = useQuery({
    queryKey: caseKeys.part(caseId, 'imaging'),
    queryFn: () => get<ImagingStudy[]>(`/cases/${caseId}/imaging/studies`),
    refetchInterval: (q) => {
      const indexed = (q.state.data ?? []).reduce((n, s) => n + s.series.reduce((m, x) => m + x.instances, 0), 0);
      return Date.now() < watchUntil && indexed < (total ?? 0) ? 2000 : false;
    },
  });
  const indexedCount = (studies.data ?? []).length;
  useEffect(() => { void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'checklist') }); }, [indexedCount]); // eslint-disable-line react-hooks/exhaustive-deps
  const reading = files.data?.reading;
  if (!files.data?.total && !studies.data?.length) return null;
  return (
    <section aria-labelledby="h-images" data-testid="images-on-file">
      <Title order={3} id="h-images" mb="xs">{t('records:images.title')}</Title>
      <Text size="sm" c="dimmed" mb="xs">
        {t('records:images.files', { count: files.data?.total ?? 0 })}{reading ? t('records:images.reading', { count: reading }) : ''}. <Anchor component={Link} to={`?tab=imaging`} size="sm">{t('records:images.open')}</Anchor>
      </Text>
      <Stack gap={4} data-testid="image-studies">
        {(studies.data ?? []).map((s) => (
          <Group key={s.studyUid} justify="space-between" wrap="wrap" gap="xs" py={4} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
            <Text size="sm" fw={500}>{s.description ?? t('records:images.study')}</Text>
            <Text size="sm" c="dimmed">{t('records:images.studyLine', { day: formatDay(s.date, t('records:images.dateUnknown')), series: t('records:images.seriesCount', { count: s.series.length }), count: s.series.reduce((n, x) => n + x.instances, 0) })}</Text>
          </Group>
        ))}
      </Stack>
    </section>
  );
}

