import { Alert, Button, Card, FileButton, Group, Image, Loader, SimpleGrid, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, get, post, sendFile, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';

type CardPhoto = Schema<'CoverageCard'>;
const SIDES = ['front', 'back'] as const;
type Side = (typeof SIDES)[number];
/** The server's limit; checked here first so a phone does not send a photo only to hear it is too large. */
const MAX_BYTES = 15 * 1024 * 1024;
const TYPES = ['image/jpeg', 'image/png'];

/** What was read from the photos, for the intake's fields. */
export interface ReadIds { memberId: string | null; groupNumber: string | null }

/**
 * Photos of the insurance card, front and back: added, replaced and removed by the patient side
 * and the coordinator, never seen by reviewers. When the card's numbers are read from a photo,
 * the intake offers them to fill in (`onUse`); they are never used without the person's say.
 */
export function InsuranceCardPhotos({ caseId, onUse, current, staff = false }: { caseId: string; onUse?: (ids: ReadIds) => void; current?: ReadIds; staff?: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const key = caseKeys.part(caseId, 'estimate', 'card');
  const cards = useQuery({
    queryKey: key,
    queryFn: () => get<CardPhoto[]>(`/cases/${caseId}/coverage/cards`),
    // While a photo is being read, look again shortly: reading takes a second or two.
    // Not for ever: after two minutes the page stops asking (the reading shows on the next visit).
    refetchInterval: (q) => (q.state.data?.some((c) => c.reading === 'waiting') && q.state.dataUpdateCount < 80 ? 1500 : false),
  });
  const [tooBig, setTooBig] = useState<Side | null>(null);
  const [notPhoto, setNotPhoto] = useState<Side | null>(null);
  const [used, setUsed] = useState(false);
  const resets = { front: useRef<() => void>(null), back: useRef<() => void>(null) };
  const send = useMutation({
    mutationFn: ({ side, file }: { side: Side; file: File }) => sendFile<CardPhoto[]>('PUT', `/cases/${caseId}/coverage/cards/${side}`, file),
    onSuccess: (list) => { qc.setQueryData(key, list); setUsed(false); },
  });
  // On a sent request, a person puts the numbers read on the request (for its coverage, bills and superbills).
  const apply = useMutation({
    mutationFn: () => post<ReadIds>(`/cases/${caseId}/coverage/cards/use`),
    onSuccess: () => { setUsed(true); void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'detail') }); },
  });
  const remove = useMutation({
    mutationFn: (side: Side) => api<CardPhoto[]>('DELETE', `/cases/${caseId}/coverage/cards/${side}`),
    onSuccess: (list) => qc.setQueryData(key, list),
  });
  const choose = (side: Side, file: File | null) => {
    setTooBig(null);
    setNotPhoto(null);
    send.reset();
    if (!file) return;
    if (!TYPES.includes(file.type)) return setNotPhoto(side);
    if (file.size > MAX_BYTES) return setTooBig(side);
    send.mutate({ side, file });
  };
  const list = cards.data ?? [];
  // Each number from whichever side shows it (the front first): cards print them on either.
  const read = list.filter((c) => c.reading === 'read');
  const numbers = { memberId: read.find((c) => c.memberId)?.memberId ?? null, groupNumber: read.find((c) => c.groupNumber)?.groupNumber ?? null };
  const found = numbers.memberId || numbers.groupNumber ? numbers : null;
  const differs = found && current && ((found.memberId && found.memberId !== current.memberId) || (found.groupNumber && found.groupNumber !== current.groupNumber));
  return (
    <Stack gap="xs" data-testid="insurance-card">
      <Text fw={500}>{staff ? t('cases:costs.card.titleStaff') : t('cases:costs.card.title')}</Text>
      <Text size="sm" c="dimmed">{staff ? t('cases:costs.card.whyStaff') : t('cases:costs.card.why')}</Text>
      <ErrorNote error={cards.error} />
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
        {SIDES.map((side) => {
          const photo = list.find((c) => c.side === side);
          const busy = (send.isPending && send.variables?.side === side) || (remove.isPending && remove.variables === side);
          return (
            <Card key={side} withBorder p="xs" data-testid={`card-${side}`}>
              <Stack gap={6}>
                <Text size="sm" fw={500}>{t(`cases:costs.card.side.${side}`)}</Text>
                {photo
                  ? <Image src={`/api/cases/${caseId}/coverage/cards/${side}/image?at=${encodeURIComponent(photo.uploadedAt)}`} alt={t(`cases:costs.card.photoOf.${side}`)} radius="sm" mah={180} fit="contain" />
                  : <Text size="sm" c="dimmed">{t('cases:costs.card.none')}</Text>}
                {photo?.reading === 'waiting' && <Group gap={6}><Loader size="xs" /><Text size="sm">{t('cases:costs.card.reading')}</Text></Group>}
                {photo && (photo.reading === 'nothing_found' || photo.reading === 'failed') && <Text size="sm" c="dimmed">{t('cases:costs.card.nothingRead')}</Text>}
                {notPhoto === side && <Alert color="red" p="xs" role="alert">{t('cases:costs.card.notPhoto')}</Alert>}
                {tooBig === side && <Alert color="red" p="xs" role="alert">{t('cases:costs.card.tooLarge')}</Alert>}
                {/* The server's refusal shows with the side it is about. */}
                {send.variables?.side === side && <ErrorNote error={send.error} />}
                {remove.variables === side && <ErrorNote error={remove.error} />}
                <Group gap="xs">
                  {/* Cleared after each choice, so the same photo can be chosen again (after removing it, or to read it again). */}
                  <FileButton accept={TYPES.join(',')} resetRef={resets[side]} onChange={(f) => { choose(side, f); resets[side].current?.(); }}>
                    {(props) => <Button {...props} size="compact-sm" variant={photo ? 'default' : 'light'} loading={busy} aria-label={photo ? t(`cases:costs.card.replaceLabel.${side}`) : t(`cases:costs.card.addLabel.${side}`)}>{photo ? t('cases:costs.card.replace') : t('cases:costs.card.add')}</Button>}
                  </FileButton>
                  {photo && <Button size="compact-sm" variant="subtle" color="red" disabled={busy} onClick={() => remove.mutate(side)} aria-label={t(`cases:costs.card.removeLabel.${side}`)}>{t('cases:costs.card.remove')}</Button>}
                </Group>
              </Stack>
            </Card>
          );
        })}
      </SimpleGrid>
      {found && (
        <Alert color="blue" p="xs" data-testid="card-read">
          <Text size="sm">{found.memberId && found.groupNumber ? t('cases:costs.card.readBoth', { member: found.memberId, group: found.groupNumber })
            : found.memberId ? t('cases:costs.card.readMember', { member: found.memberId }) : t('cases:costs.card.readGroup', { group: found.groupNumber })}</Text>
          {onUse && differs && !used && (
            <Button mt={6} size="compact-sm" onClick={() => { onUse({ memberId: found.memberId, groupNumber: found.groupNumber }); setUsed(true); }}>{t('cases:costs.card.use')}</Button>
          )}
          {onUse && used && <Text size="sm" mt={4}>{t('cases:costs.card.used')}</Text>}
          {!onUse && <Text size="xs" c="dimmed" mt={4}>{t('cases:costs.card.checkAgainst')}</Text>}
          {!onUse && differs && !used && <Button mt={6} size="compact-sm" variant="light" onClick={() => apply.mutate()} loading={apply.isPending}>{t('cases:costs.card.putOnRequest')}</Button>}
          {!onUse && used && <Text size="sm" mt={4}>{t('cases:costs.card.putDone')}</Text>}
          <ErrorNote error={apply.error} />
        </Alert>
      )}
    </Stack>
  );
}
