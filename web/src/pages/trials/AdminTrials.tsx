import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { formatDate, get, post, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';

type SyncState = Schema<'TrialSyncState'>;
const KEY = ['admin', 'trials'];

/** The local copy of ClinicalTrials.gov that trial suggestions come from: how fresh it is, and refreshing it now. */
export function AdminTrialsPage() {
  const qc = useQueryClient();
  const state = useQuery({ queryKey: KEY, queryFn: () => get<SyncState>('/admin/trials/sync') });
  const refresh = useMutation({
    mutationFn: () => post<SyncState>('/admin/trials/sync', {}),
    onSuccess: (s) => qc.setQueryData(KEY, s),
    onSettled: () => qc.invalidateQueries({ queryKey: KEY }),
  });
  const s = state.data;
  const last = s?.lastRun;
  return (
    <Stack>
      <Title order={2}>Clinical trial registry</Title>
      <Text size="sm" c="dimmed">Reviewers get trial suggestions from a copy of the recruiting interventional studies on ClinicalTrials.gov for the conditions the service covers. The copy is kept when the registry cannot be reached.</Text>
      <ErrorNote error={state.error} />
      {s && (
        <Card withBorder data-testid="trial-copy">
          <Stack gap={4}>
            <Text><b>{s.studiesOnFile.toLocaleString()}</b> {s.studiesOnFile === 1 ? 'study' : 'studies'} in the copy.</Text>
            <Text size="sm">{s.syncEveryHours > 0 ? `Refreshed by itself every ${s.syncEveryHours} hours.` : 'Not refreshed by itself on this server (TRIALS_SYNC_HOURS is 0).'}</Text>
            {!last && <Text size="sm">Never refreshed from the registry yet.</Text>}
            {last && (
              <Text size="sm">
                Last refresh {formatDate(last.startedAt)}: {last.outcome === 'done' ? `finished, ${last.studies.toLocaleString()} studies read${last.skipped ? `, ${last.skipped} unreadable skipped` : ''}.` : last.outcome === 'running' ? 'still running.' : 'failed.'}
              </Text>
            )}
            {last?.outcome === 'failed' && last.error && <Alert color="orange" title="The last refresh failed">{last.error}</Alert>}
          </Stack>
        </Card>
      )}
      <Group>
        <Button onClick={() => refresh.mutate()} loading={refresh.isPending}>Refresh now</Button>
        {refresh.isPending && <Text size="sm" c="dimmed" aria-live="polite">Reading every page of the registry; this can take a few minutes.</Text>}
      </Group>
      <ErrorNote error={refresh.error} />
    </Stack>
  );
}
