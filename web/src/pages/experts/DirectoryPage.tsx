import { Alert, Anchor, Badge, FileButton, Group, List, Pagination, Stack, Table, Text, TextInput, Title, Button } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { get, type GetResult, type PostResult } from '../../api.ts';
import type { Me } from '../../auth.tsx';
import { ErrorNote, WideTable } from '../../components.tsx';
import { languageName } from '../../languages.ts';

/** The expert directory: search for coordinators and admins; CSV import and CSV/FHIR export for admins. */
export function DirectoryPage({ me }: { me: Me }) {
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const list = useQuery({ queryKey: ['directory', q, page], queryFn: () => get<GetResult<'/api/directory/experts'>>(`/directory/experts?pageSize=25&page=${page}${q ? `&q=${encodeURIComponent(q)}` : ''}`) });
  const importCsv = useMutation({
    mutationFn: async (file: File) => {
      const res = await fetch('/api/admin/experts/import', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: await file.text() });
      const body = await res.json();
      if (!res.ok) throw new Error(body.detail ?? 'Import failed');
      return body as PostResult<'/api/admin/experts/import'>;
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['directory'] }),
  });
  const isAdmin = me.user.role === 'admin';
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Expert directory</Title>
        {isAdmin && (
          <Group>
            <FileButton onChange={(f) => f && importCsv.mutate(f)} accept=".csv,text/csv">{(props) => <Button {...props} variant="default" loading={importCsv.isPending}>Import CSV…</Button>}</FileButton>
            <Anchor href="/api/admin/experts/export.csv">Export CSV</Anchor>
            <Anchor href="/api/admin/experts/export.fhir.json">Export FHIR</Anchor>
          </Group>
        )}
      </Group>
      {importCsv.data && (
        <Alert color={importCsv.data.errors.length ? 'orange' : 'green'} title={`${importCsv.data.saved} saved, ${importCsv.data.created} new accounts`}>
          {importCsv.data.errors.length > 0 && <List size="sm">{importCsv.data.errors.map((e) => <List.Item key={e.line}>Line {e.line}: {e.message}</List.Item>)}</List>}
        </Alert>
      )}
      <ErrorNote error={list.error ?? importCsv.error} />
      <TextInput label="Search by name, institution or NPI" value={q} onChange={(e) => (setQ(e.currentTarget.value), setPage(1))} maw={400} />
      <WideTable minWidth={820}>
        <Table verticalSpacing="xs">
          <Table.Thead><Table.Tr><Table.Th>Expert</Table.Th><Table.Th>Specialties</Table.Th><Table.Th>Focus</Table.Th><Table.Th>Licensed in</Table.Th><Table.Th>Languages</Table.Th><Table.Th>Load</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {list.data?.items.map((e) => (
              <Table.Tr key={e.userId}>
                <Table.Td><Text size="sm" fw={500}>{e.name} {!e.active && <Badge color="gray">disabled</Badge>}</Text><Text size="xs" c="dimmed">{e.institution.name}{e.npi && ` · NPI ${e.npi}`}</Text></Table.Td>
                <Table.Td><Text size="xs">{e.taxonomy.map((t) => t.display).join('; ')}</Text></Table.Td>
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
      <Text size="sm" c="dimmed">{list.data?.total === 1 ? '1 expert' : `${list.data?.total ?? 0} experts`}</Text>
    </Stack>
  );
}
