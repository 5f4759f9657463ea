import { Button, FileButton, Group, Progress, Stack, Text } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Upload } from 'tus-js-client';
import { get, type GetResult } from '../../api.ts';
import { caseKeys } from '../../queryKeys.ts';

type Doc = GetResult<'/api/cases/{id}/documents/{documentId}'>;

/** The server's own words for a refused upload (problem details), when it gave them. */
function refusalOf(err: unknown): string | null {
  try {
    const body = (err as { originalResponse?: { getBody(): string } | null }).originalResponse?.getBody();
    const detail = body ? (JSON.parse(body) as { detail?: unknown }).detail : undefined;
    return typeof detail === 'string' && detail ? detail : null;
  } catch {
    return null;
  }
}

/**
 * Sends a file from the device with a message: it goes through the records pipeline like any
 * upload (resumable, checked, encrypted) and becomes a record of the request; the message can
 * carry it once it has been read.
 */
export function AttachFile({ caseId, attached, onReady, onBusy }: { caseId: string; attached: string | null; onReady: (documentId: string) => void; onBusy: (busy: boolean) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [progress, setProgress] = useState<number | null>(null);
  const [name, setName] = useState<string | null>(null);
  const [documentId, setDocumentId] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | boolean>(false);
  // Only the latest file counts: choosing another stops the one still going.
  const current = useRef<Upload | null>(null);
  useEffect(() => () => void current.current?.abort(), []);
  const doc = useQuery({
    queryKey: caseKeys.part(caseId, 'documents', documentId),
    queryFn: () => get<Doc>(`/cases/${caseId}/documents/${documentId}`),
    enabled: !!documentId,
    refetchInterval: (q) => (q.state.data?.status === 'processing' ? 1000 : false),
  });
  const status = doc.data?.status;
  useEffect(() => {
    if (documentId && (status === 'ready' || status === 'needs_review')) {
      onReady(documentId);
      void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'documents') });
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [documentId, status]);

  const send = (file: File | null) => {
    if (!file) return;
    setName(file.name);
    setFailed(false);
    setDocumentId(null);
    setProgress(0);
    void current.current?.abort();
    const upload: Upload = new Upload(file, {
      endpoint: '/api/uploads', chunkSize: 8 * 1024 * 1024, retryDelays: [0, 1000, 3000, 10000], removeFingerprintOnSuccess: true,
      metadata: { caseId, filename: file.name },
      // A refusal (a file we do not take, a request that takes no more records) is not retried.
      onShouldRetry: (err) => {
        const status = (err as { originalResponse?: { getStatus(): number } | null }).originalResponse?.getStatus() ?? 0;
        return status === 0 || status >= 500 || status === 423;
      },
      onProgress: (sent, total) => current.current === upload && setProgress(total ? Math.round((sent / total) * 100) : 0),
      onSuccess: ({ lastResponse }) => {
        if (current.current !== upload) return;
        setProgress(null);
        let id: string | undefined;
        try {
          id = (JSON.parse(lastResponse.getBody() ?? '{}') as { document?: { id?: string } }).document?.id;
        } catch {
          id = undefined;
        }
        if (id) setDocumentId(id);
        else setFailed(true);
      },
      onError: (err) => {
        if (current.current !== upload) return;
        setProgress(null);
        setFailed(refusalOf(err) ?? true);
      },
    });
    current.current = upload;
    upload.start();
  };

  // Sent with a message, or another record chosen instead: the file is no longer this message's.
  useEffect(() => {
    if (documentId && attached !== documentId && (status === 'ready' || status === 'needs_review')) {
      setDocumentId(null);
      setName(null);
    }
  }, [attached]);

  const reading = !!documentId && (!status || status === 'processing');
  // The message waits for its file: sending now would go without it.
  useEffect(() => onBusy(progress !== null || reading), [progress, reading]);
  return (
    <Stack gap={4}>
      <Group gap="xs">
        <FileButton onChange={send} accept="application/pdf,image/*,.txt,.xml,.json,.zip">
          {(props) => <Button {...props} variant="default" size="xs" loading={progress !== null}>{t('messages:panel.uploadFile')}</Button>}
        </FileButton>
        {name && <Text size="sm">{name}</Text>}
      </Group>
      {progress !== null && <Progress value={progress} aria-label={t('messages:panel.uploading')} />}
      {reading && <Text size="sm" c="dimmed" role="status">{t('messages:panel.reading')}</Text>}
      {(failed || status === 'failed') && <Text size="sm" c="red" role="alert">{typeof failed === 'string' ? failed : t('messages:panel.uploadFailed')}</Text>}
    </Stack>
  );
}
