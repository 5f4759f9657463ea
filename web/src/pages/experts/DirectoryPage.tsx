import { Alert, Anchor, Badge, FileButton, Group, List, Pagination, Stack, Table, Text, TextInput, Title, Button } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { get, type GetResult, type PostResult } from '../../api.ts';
import type { Me } from '../../auth.tsx';
import { ErrorNote, WideTable } from '../../components.tsx';
import { languageName } from '../../languages.ts';

/** The expert directory: search for coordinators and admins; CSV import and CSV/FHIR export for admins. */
export function DirectoryPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const list = useQuery({ queryKey: ['directory', q, page], queryFn: () => get<GetResult<'/api/directory/experts'>>(`/directory/experts?pageSize=25&page=${page}${q ? `&q=${encodeURIComponent(q)}` : ''}`) });
  const importCsv = useMutation({
    mutationFn: async (file: File) => {
      const res = await fetch('/api/admin/experts/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: await file.text() });
      const body = await res.json();
      if (!res.ok) throw new Error(body.detail ?? t('experts:directory.importFailed'));
      return body as PostResult<'/api/admin/experts/import'>;
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['directory'] }),
  });
  const isAdmin = me.user.role === 'admin';
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('common:nav.item.directory')}</Title>
        {isAdmin && (
          <Group>
            <FileButton onChange={(f) => f && importCsv.mutate(f)} accept=".csv,text/csv">{(props) => <Button {...props} variant="default" loading={importCsv.isPending}>{t('experts:directory.importCsv')}</Button>}</FileButton>
            <Anchor href="/api/admin/experts/export.csv">{t('experts:directory.exportCsv')}</Anchor>
            <Anchor href="/api/admin/experts/export.fhir.json">{t('experts:directory.exportFhir')}</Anchor>
          </Group>
        )}
      </Group>
      {importCsv.data && (
        <Alert color={importCsv.data.errors.length ? 'orange' : 'green'} title={t('experts:directory.imported', { saved: t('experts:directory.saved', { count: importCsv.data.saved }), created: t('experts:directory.created', { count: importCsv.data.created }) })}>
          {importCsv.data.errors.length > 0 && <List size="sm">{importCsv.data.errors.map((e) => <List.Item key={e.line}>{t('experts:directory.line', { line: e.line, message: e.message })}</List.Item>)}</List>}
        </Alert>
      )}
      <ErrorNote error={list.error ?? importCsv.error} />
      <TextInput label={t('experts:directory.search')} value={q} onChange={(e) => (setQ(e.currentTarget.value), setPage(1))} maw={400} />
      <WideTable minWidth={820}>
        <Table verticalSpacing="xs">
          <Table.Thead><Table.Tr>{(['expert', 'specialties', 'focus', 'licensed', 'languages', 'load'] as const).map((k) => <Table.Th key={k}>{t(`experts:directory.column.${k}`)}</Table.Th>)}</Table.Tr></Table.Thead>
          <Table.Tbody>
            {list.data?.items.map((e) => (
              <Table.Tr key={e.userId}>
                <Table.Td><Text size="sm" fw={500}>{e.name} {!e.active && <Badge color="gray">{t('experts:directory.disabled')}</Badge>}</Text><Text size="xs" c="dimmed">{e.institution.name}{e.npi && <> · {t('experts:directory.npi', { npi: e.npi })}</>}</Text></Table.Td>
                <Table.Td><Text size="xs">{e.taxonomy.map((x) => x.display).join('; ')}</Text></Table.Td>
                <Table.Td><Text size="xs">{e.focusCodes.join(', ')}</Text></Table.Td>
                <Table.Td><Text size="xs">{e.licensure.join(', ')}</Text></Table.Td>
                <Table.Td><Text size="xs">{e.languages.map(languageName).join(', ')}</Text></Table.Td>
                <Table.Td><Text size="xs">{e.openCases} / {e.capacityMax}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </WideTable>
      {list.data && list.data.total > 25 && <Pagination total={Math.ceil(list.data.total / 25)} value={page} onChange={setPage} />}
      <Text size="sm" c="dimmed">{t('experts:directory.count', { count: list.data?.total ?? 0 })}</Text>
    </Stack>
  );
}
