import { Alert, Anchor, Badge, Button, Card, Group, Loader, Select, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { formatDate, get, post, type GetResult } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';
import { useCaseCan } from '../../caseData.ts';
import { useMe, usePatientSide } from '../../auth.tsx';
import { documentLabel, documentTitle } from '../records/documentTitle.ts';
import { AttachFile } from './AttachFile.tsx';

type Threads = GetResult<'/api/cases/{id}/threads'>;
type Thread = GetResult<'/api/cases/{id}/threads/{threadId}'>;
type Documents = GetResult<'/api/cases/{id}/documents'>;

/** The case's message centre: conversations with the care team, the follow-up questions among them. */
export function MessagesPanel({ caseId }: { caseId: string }) {
  const { t } = useTranslation();
  const patientSide = usePatientSide();
  const [open, setOpen] = useState<string | null>(null);
  const threads = useQuery({ queryKey: caseKeys.part(caseId, 'messages'), queryFn: () => get<Threads>(`/cases/${caseId}/threads`) });
  if (threads.isLoading) return <Loader role="status" aria-label={t('messages:panel.loading')} />;
  if (threads.error || !threads.data) return <ErrorNote error={threads.error} />;
  if (open) return <ThreadView caseId={caseId} threadId={open} onBack={() => setOpen(null)} />;
  return (
    <Stack gap="md">
      <Text size="sm" c="dimmed">{patientSide ? t('messages:panel.intro') : t('messages:panel.introStaff')}</Text>
      {threads.data.length === 0 && <Text size="sm">{t('messages:panel.none')}</Text>}
      <Stack gap="xs" data-testid="threads">
        {threads.data.map((th) => (
          <Card key={th.id} withBorder padding="sm">
            <Group justify="space-between" wrap="nowrap">
              <Stack gap={0} style={{ minWidth: 0 }}>
                <Anchor component="button" type="button" onClick={() => setOpen(th.id)} fw={600} ta="left">{th.subject}</Anchor>
                <Text size="xs" c="dimmed">{formatDate(th.lastMessageAt)}</Text>
              </Stack>
              {th.unread > 0 && <Badge color="red">{t('messages:panel.unread', { count: th.unread })}</Badge>}
            </Group>
          </Card>
        ))}
      </Stack>
      <NewThread caseId={caseId} onStarted={setOpen} />
    </Stack>
  );
}

function useRecords(caseId: string, enabled = true) {
  return useQuery({ queryKey: caseKeys.part(caseId, 'documents'), queryFn: () => get<Documents>(`/cases/${caseId}/documents`), enabled });
}

/**
 * A record of the request to send with the message: one already there, or a file from the device
 * (who may add records). Staff pick by file name; the patient's side by the names its Records tab
 * gives (see documentTitle), with the file's name beneath only for their own uploads.
 */
function RecordPicker({ caseId, value, onChange, onBusy }: { caseId: string; value: string | null; onChange: (v: string | null) => void; onBusy: (busy: boolean) => void }) {
  const { t } = useTranslation();
  const docs = useRecords(caseId);
  // Files are added while the request still takes records (not once the opinion is signed).
  const mayUpload = useCaseCan(caseId)?.uploadRecords ?? false;
  const patientSide = usePatientSide();
  const reader = { userId: useMe().data?.user.id ?? '', patientSide };
  const ready = (docs.data?.items ?? []).filter((d) => d.status === 'ready' || d.status === 'needs_review');
  const fileNames = new Map(ready.map((d) => [d.id, documentTitle(d, reader, t).fileName]));
  const options = ready.map((d) => ({ value: d.id, label: documentLabel(d, reader, t) }));
  return (
    <Stack gap={4}>
      {ready.length > 0 && (
        <Select label={patientSide ? t('messages:panel.attach') : t('messages:panel.attachStaff')} placeholder={t('messages:panel.noRecord')} clearable data={options} value={value} onChange={onChange} maw={420}
          renderOption={({ option }) => <OptionWithFile label={option.label} fileName={fileNames.get(option.value) ?? null} />} />
      )}
      {mayUpload && <AttachFile caseId={caseId} attached={value} onReady={onChange} onBusy={onBusy} />}
    </Stack>
  );
}

function OptionWithFile({ label, fileName }: { label: string; fileName: string | null }) {
  return (
    <Stack gap={0} style={{ minWidth: 0, overflowWrap: 'anywhere' }}>
      <Text size="sm">{label}</Text>
      {fileName && <Text size="xs" c="dimmed">{fileName}</Text>}
    </Stack>
  );
}

function NewThread({ caseId, onStarted }: { caseId: string; onStarted: (id: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [doc, setDoc] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = useMutation({
    mutationFn: () => post<{ threadId: string }>(`/cases/${caseId}/threads`, { subject, body, ...(doc ? { documentId: doc } : {}) }),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
      onStarted(r.threadId);
    },
  });
  return (
    <Card withBorder>
      <Title order={4}>{t('messages:panel.newTitle')}</Title>
      <Stack gap="xs" mt="xs">
        <TextInput label={t('messages:panel.subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} maxLength={200} />
        <Textarea label={t('messages:panel.message')} autosize minRows={3} value={body} onChange={(e) => setBody(e.currentTarget.value)} maxLength={4000} />
        <RecordPicker caseId={caseId} value={doc} onChange={setDoc} onBusy={setBusy} />
        <Group><Button onClick={() => start.mutate()} loading={start.isPending} disabled={subject.trim().length < 3 || !body.trim() || busy}>{t('messages:panel.send')}</Button></Group>
        <ErrorNote error={start.error} />
      </Stack>
    </Card>
  );
}

function ThreadView({ caseId, threadId, onBack }: { caseId: string; threadId: string; onBack: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const thread = useQuery({ queryKey: caseKeys.part(caseId, 'messages', threadId), queryFn: () => get<Thread>(`/cases/${caseId}/threads/${threadId}`) });
  const [body, setBody] = useState('');
  const [doc, setDoc] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const followup = thread.data?.kind === 'followup';
  const reply = useMutation({
    // Follow-up questions keep their own rule (who, and for how long after delivery).
    mutationFn: () => (followup ? post(`/cases/${caseId}/followups`, { body }) : post(`/cases/${caseId}/threads/${threadId}/messages`, { body, ...(doc ? { documentId: doc } : {}) })),
    onSuccess: () => {
      setBody('');
      setDoc(null);
      return qc.invalidateQueries({ queryKey: caseKeys.all(caseId) });
    },
  });
  // A record someone else added reaches the patient's side without its file's name: it is named
  // as the Records tab names it, or plainly when it is not on the list's first page.
  const patientSide = usePatientSide();
  // Staff read every record's own name in the thread: the list is fetched for the patient's side only.
  const docs = useRecords(caseId, patientSide);
  const reader = { userId: useMe().data?.user.id ?? '', patientSide };
  const isSlide = (id: string) => patientSide && docs.data?.items.find((x) => x.id === id)?.contentType === 'wsi';
  const attachedLink = (id: string, name: string | null) => {
    const d = name ? null : docs.data?.items.find((x) => x.id === id);
    const shown = name ?? (d ? documentLabel(d, reader, t) : null);
    return shown ? t('messages:panel.record', { name: shown }) : t('messages:panel.recordUnnamed');
  };
  if (thread.isLoading) return <Loader role="status" aria-label={t('messages:panel.loading')} />;
  if (thread.error || !thread.data) return <ErrorNote error={thread.error} />;
  return (
    <Stack gap="sm">
      <Anchor component="button" type="button" onClick={onBack} size="sm" ta="left">{t('messages:panel.back')}</Anchor>
      <Title order={3} size="h4">{thread.data.subject}</Title>
      {followup && <Text size="sm" c="dimmed">{t('messages:panel.followupNote')}</Text>}
      <Stack gap="xs" data-testid="thread-messages">
        {thread.data.messages.map((m) => (
          <Card key={m.id} withBorder padding="sm" bg={m.mine ? 'var(--mantine-color-blue-light)' : undefined}>
            <Text size="xs" c="dimmed">{m.mine ? t('messages:panel.you') : m.author} · {formatDate(m.createdAt)}</Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{m.body}</Text>
            {m.documentId && (isSlide(m.documentId)
              // A slide file opens in the viewer on the patient's side: the scanner's file opens in nothing they have.
              ? <Anchor component={Link} to={`/cases/${caseId}/slides/${m.documentId}`} size="sm">{attachedLink(m.documentId, m.documentName)}</Anchor>
              : <Anchor href={`/api/cases/${caseId}/documents/${m.documentId}/content`} size="sm">{attachedLink(m.documentId, m.documentName)}</Anchor>)}
          </Card>
        ))}
      </Stack>
      <Textarea label={t('messages:panel.reply')} autosize minRows={2} value={body} onChange={(e) => setBody(e.currentTarget.value)} maxLength={4000} />
      {!followup && <RecordPicker caseId={caseId} value={doc} onChange={setDoc} onBusy={setBusy} />}
      <Group><Button onClick={() => reply.mutate()} loading={reply.isPending} disabled={!body.trim() || busy}>{t('messages:panel.replySend')}</Button></Group>
      {reply.isSuccess && <Alert color="green" role="status">{t('messages:panel.sent')}</Alert>}
      <ErrorNote error={reply.error} />
    </Stack>
  );
}
