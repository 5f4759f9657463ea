import { Alert, Anchor, Badge, Card, Group, Image, Loader, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';

export type Slide = Schema<'Slide'>;

const STATUS_COLOR = { processing: 'gray', ready: 'teal', failed: 'red' } as const;
const LOOK_AGAIN_FOR_MS = 10 * 60_000;

/** The Deep Zoom level at which the whole slide fits in one tile: its overview picture. */
export function overviewLevel(slide: Pick<Slide, 'width' | 'height' | 'tiles'>): number {
  const longest = Math.max(slide.width ?? 1, slide.height ?? 1);
  const top = Math.ceil(Math.log2(longest));
  return Math.max(0, top - Math.max(0, Math.ceil(Math.log2(longest / (slide.tiles?.size ?? 254)))));
}

/**
 * The case's whole-slide images: each with its state and the way into the viewer; reviewers also
 * see size and scale (the patient's side does not need them).
 */
export function SlidesPanel({ caseId, reviewer }: { caseId: string; reviewer: boolean }) {
  const { t } = useTranslation();
  const openedAt = useRef(Date.now());
  const slides = useQuery({
    queryKey: caseKeys.part(caseId, 'slides'),
    queryFn: () => get<Slide[]>(`/cases/${caseId}/slides`),
    // While a slide is being prepared the list looks again now and then, for ten minutes at most.
    refetchInterval: (q) => (q.state.data?.some((s) => s.status === 'processing') && Date.now() - openedAt.current < LOOK_AGAIN_FOR_MS ? 10_000 : false),
  });
  const waitedLong = Date.now() - openedAt.current >= LOOK_AGAIN_FOR_MS;
  if (slides.isLoading) return <Loader role="status" aria-label={t('records:slides.loading')} />;
  if (slides.error) return <ErrorNote error={slides.error} />;
  if (!slides.data?.length) return null;
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">{t('records:slides.title')}</Title>
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
        {slides.data.map((s) => (
          <Card key={s.id} withBorder padding="sm" data-testid="slide-card">
            <Stack gap={6}>
              {s.status === 'ready' && (
                <Anchor component={Link} to={`/cases/${caseId}/slides/${s.id}`} aria-label={t('records:slides.openNamed', { name: s.filename })}>
                  <Image src={`/api/cases/${caseId}/slides/${s.id}/tiles/${overviewLevel(s)}/0_0.jpeg`} alt={t('records:slides.thumbnail', { name: s.filename })} h={140} fit="contain" bg="gray.1" />
                </Anchor>
              )}
              <Group justify="space-between" wrap="nowrap" gap="xs">
                <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{s.filename}</Text>
                <Badge color={STATUS_COLOR[s.status]} variant="light" style={{ flexShrink: 0 }}>{t(`records:slides.status.${s.status}`)}</Badge>
              </Group>
              {reviewer && s.status === 'ready' && (
                <Text size="xs" c="dimmed">
                  {[
                    t('records:slides.size', { width: s.width?.toLocaleString(), height: s.height?.toLocaleString() }),
                    s.micronsPerPixel ? t('records:slides.mpp', { mpp: s.micronsPerPixel.toPrecision(3) }) : t('records:slides.noScale'),
                    s.objectivePower ? t('records:slides.objective', { power: s.objectivePower }) : null,
                  ].filter(Boolean).join(' · ')}
                </Text>
              )}
              {s.status === 'processing' && <Text size="xs" c="dimmed">{waitedLong ? t('records:slides.slowHelp') : t('records:slides.processingHelp')}</Text>}
              {s.status === 'failed' && <Text size="xs" c="red.8">{t(`records:slides.failure.${s.failure ?? 'unreadable'}`)}</Text>}
              {s.labelMayShowName && <Alert color="gray" p="xs"><Text size="xs">{t('records:slides.label')}</Text></Alert>}
              {s.status === 'ready' && <Anchor size="sm" component={Link} to={`/cases/${caseId}/slides/${s.id}`}>{t('records:slides.open')}</Anchor>}
            </Stack>
          </Card>
        ))}
      </SimpleGrid>
    </Stack>
  );
}
