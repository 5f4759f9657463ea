import { Alert, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { formatDate, get, post, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';

type SyncState = Schema<'TrialSyncState'>;
const KEY = ['admin', 'trials'];

/** The local copy of ClinicalTrials.gov that trial suggestions come from: how fresh it is, and refreshing it now. */
export function AdminTrialsPage() {
  const { t } = useTranslation();
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
      <Title order={2}>{t('common:nav.item.trials')}</Title>
      <Text size="sm" c="dimmed">{t('trials:admin.intro')}</Text>
      <ErrorNote error={state.error} />
      {s && (
        <Card withBorder data-testid="trial-copy">
          <Stack gap={4}>
            <Text><Trans t={t} i18nKey="trials:admin.studies" count={s.studiesOnFile} components={{ b: <b /> }} /></Text>
            <Text size="sm">{s.syncEveryHours > 0 ? t('trials:admin.every', { count: s.syncEveryHours }) : t('trials:admin.notAuto')}</Text>
            {!last && <Text size="sm">{t('trials:admin.never')}</Text>}
            {last && (
              <Text size="sm">
                {last.outcome === 'done' ? (last.skipped ? t('trials:admin.doneSkipped', { date: formatDate(last.startedAt), count: last.studies, skipped: last.skipped }) : t('trials:admin.done', { date: formatDate(last.startedAt), count: last.studies }))
                  : last.outcome === 'running' ? t('trials:admin.running', { date: formatDate(last.startedAt) }) : t('trials:admin.failed', { date: formatDate(last.startedAt) })}
              </Text>
            )}
            {last?.outcome === 'failed' && last.error && <Alert color="orange" title={t('trials:admin.failedTitle')}>{last.error}</Alert>}
          </Stack>
        </Card>
      )}
      <Group>
        <Button onClick={() => refresh.mutate()} loading={refresh.isPending} disabled={underWay}>{t('trials:admin.refresh')}</Button>
        <Text size="sm" c="dimmed" aria-live="polite">{underWay ? t('trials:admin.underWay') : ''}</Text>
      </Group>
      <ErrorNote error={refresh.error} />
    </Stack>
  );
}
