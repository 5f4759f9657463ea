import { Accordion, Badge, Group, Pagination, Stack, Text, TextInput, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { formatDate, get, type GetResult } from '../api.ts';
import { ErrorNote } from '../components.tsx';

/** Outgoing mail. Without an SMTP server this is where confirmation and set-password links wait. */
export function AdminOutboxPage() {
  const { t } = useTranslation();
  const [to, setTo] = useState('');
  const [page, setPage] = useState(1);
  const params = new URLSearchParams({ page: String(page), pageSize: '25', ...(to ? { to } : {}) });
  const mail = useQuery({ queryKey: ['outbox', params.toString()], queryFn: () => get<GetResult<'/api/admin/outbox'>>(`/admin/outbox?${params}`), placeholderData: keepPreviousData });
  return (
    <Stack>
      <Title order={2}>{t('common:nav.item.outbox')}</Title>
      <Text size="sm" c="dimmed">{t('admin:outbox.intro')}</Text>
      <TextInput label={t('admin:outbox.recipient')} placeholder={t('admin:outbox.recipientPlaceholder')} value={to} onChange={(e) => { setTo(e.currentTarget.value); setPage(1); }} w={{ base: '100%', sm: 300 }} />
      <ErrorNote error={mail.error} />
      <Accordion variant="separated">
        {mail.data?.items.map((m) => (
          <Accordion.Item key={m.id} value={m.id}>
            <Accordion.Control>
              <Group justify="space-between" wrap="wrap" gap="xs">
                <Text size="sm" style={{ overflowWrap: 'anywhere', minWidth: 0 }}><Trans t={t} i18nKey="admin:outbox.mail" values={{ subject: m.subject, to: m.to }} components={{ b: <b /> }} /></Text>
                <Group gap="xs" wrap="nowrap"><Text size="xs" c="dimmed">{formatDate(m.createdAt)}</Text>{m.sentAt ? <Badge color="green" variant="light">{t('admin:outbox.sent')}</Badge> : <Badge color="gray" variant="light">{t('admin:outbox.notSent')}</Badge>}</Group>
              </Group>
            </Accordion.Control>
            <Accordion.Panel><Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }} data-testid="mail-body">{m.body}</Text></Accordion.Panel>
          </Accordion.Item>
        ))}
      </Accordion>
      {mail.data && mail.data.total > 25 && <Pagination total={Math.ceil(mail.data.total / 25)} value={page} onChange={setPage} />}
    </Stack>
  );
}
