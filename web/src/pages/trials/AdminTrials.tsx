import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { formatDate, get, post, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';

type SyncState = Schema<'TrialSyncState'>;
const KEY = ['admin', 'trials'];

/** The local copy of ClinicalTrials.gov that trial suggestions come from: how fresh it is, and refreshing it now. */
export function AdminTrialsPage() {
  const qc = useQueryClient();
  // Followed every two seconds while a refresh is asked for or running (it runs in the background).
  const state = useQuery({
    queryKey: KEY, queryFn: () => get<SyncState>('/admin/trials/sync'),
    refetchInterval: (q) => (q.state.data?.refreshRequested || q.state.data?.lastRun?.outcome === 'running' ? 2000 : false),
  });
  const refresh = useMutation({
    mutationFn: () => post<SyncState>('/admin/trials/sync', {}),
    onSuccess: (s) => qc.setQueryData(KEY, s),
    onSettled: () => qc.invalidateQueries({ queryKey: KEY }),
  });
  const s = state.data;
  const last = s?.lastRun;
  const underWay = !!s && (s.refreshRequested || last?.outcome === 'running');
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
        <Button onClick={() => refresh.mutate()} loading={refresh.isPending} disabled={underWay}>Refresh now</Button>
        <Text size="sm" c="dimmed" aria-live="polite">{underWay ? 'Refreshing: every page of the registry is read, which can take a few minutes. You can leave this page.' : ''}</Text>
      </Group>
      <ErrorNote error={refresh.error} />
    </Stack>
  );
}
