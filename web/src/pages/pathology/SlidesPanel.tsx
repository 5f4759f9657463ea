import { formatLocale } from '../../i18n.ts';
import { Alert, Anchor, Badge, Button, Card, Group, Image, Loader, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { get, patch, type Schema } from '../../api.ts';
import { usePatientSide } from '../../auth.tsx';
import { useCaseCan } from '../../caseData.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';
import { slideTitle } from './slideTitle.ts';

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
 * see size and scale (the patient's side does not need them). Each is called by its slideTitle.
 */
export function SlidesPanel({ caseId, reviewer }: { caseId: string; reviewer: boolean }) {
  const { t } = useTranslation();
  const patientSide = usePatientSide();
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
  // Grouped by part/block when any is named, as a pathologist lays the glass out.
  const groups = new Map<string | null, Slide[]>();
  for (const sl of slides.data) groups.set(sl.block, [...(groups.get(sl.block) ?? []), sl]);
  const named = [...groups.keys()].some((b) => b !== null);
  return (
    <Stack gap="xs">
      <Title order={3} size="h4">{t('records:slides.title')}</Title>
      {[...groups].map(([block, list]) => (
        <Stack key={block ?? ''} gap={4}>
          {named && <Title order={4} size="h5">{block ? t('records:slides.block', { block }) : t('records:slides.noBlock')}</Title>}
          <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
            {list.map((sl) => <SlideCard key={sl.id} caseId={caseId} s={sl} title={slideTitle(sl, slides.data, patientSide, t)} reviewer={reviewer} waitedLong={waitedLong} />)}
          </SimpleGrid>
        </Stack>
      ))}
    </Stack>
  );
}

/** One slide: its overview, title (see slideTitle) and state; for the reviewing staff also its scale, label photo, and block and stain to fill in. */
function SlideCard({ caseId, s, title: { name, number }, reviewer, waitedLong }: { caseId: string; s: Slide; title: ReturnType<typeof slideTitle>; reviewer: boolean; waitedLong: boolean }) {
  const { t } = useTranslation();
  const byNumber = number !== null;
  const can = useCaseCan(caseId);
  const [describing, setDescribing] = useState(false);
  return (
    <Card withBorder padding="sm" data-testid="slide-card">
      <Stack gap={6}>
        {s.status === 'ready' && (
          <Group gap={6} wrap="nowrap" align="stretch">
            <Anchor component={Link} to={`/cases/${caseId}/slides/${s.id}`} aria-label={byNumber ? t('records:slides.openNumbered', { number }) : t('records:slides.openNamed', { name })} style={{ flex: 1, minWidth: 0 }}>
              <Image src={`/api/cases/${caseId}/slides/${s.id}/tiles/${overviewLevel(s)}/0_0.jpeg`} alt={byNumber ? t('records:slides.thumbnailNumbered', { number }) : t('records:slides.thumbnail', { name })} h={140} fit="contain" bg="gray.1" />
            </Anchor>
            {reviewer && s.pictures.includes('label') && (
              <Image src={`/api/cases/${caseId}/slides/${s.id}/pictures/label.jpeg`} alt={t('records:slides.labelPhoto', { name })} h={140} w={90} fit="contain" bg="gray.1" data-testid="slide-label" />
            )}
          </Group>
        )}
        <Group justify="space-between" wrap="nowrap" gap="xs">
          <Text size="sm" fw={500} style={{ overflowWrap: 'anywhere' }}>{name}</Text>
          <Badge color={STATUS_COLOR[s.status]} variant="light" style={{ flexShrink: 0 }}>{t(`records:slides.status.${s.status}`)}</Badge>
        </Group>
        {reviewer && s.status === 'ready' && (
          <Text size="xs" c="dimmed">
            {[
              t('records:slides.size', { width: s.width?.toLocaleString(formatLocale()), height: s.height?.toLocaleString(formatLocale()) }),
              s.micronsPerPixel ? t('records:slides.mpp', { mpp: s.micronsPerPixel.toPrecision(3) }) : t('records:slides.noScale'),
              s.objectivePower ? t('records:slides.objective', { power: s.objectivePower }) : null,
            ].filter(Boolean).join(' · ')}
          </Text>
        )}
        {s.status === 'processing' && <Text size="xs" c="dimmed">{waitedLong ? t('records:slides.slowHelp') : t('records:slides.processingHelp')}</Text>}
        {s.status === 'failed' && <Text size="xs" c="red.8">{t(`records:slides.failure.${s.failure ?? 'unreadable'}`)}</Text>}
        {s.labelMayShowName && <Alert color="gray" p="xs"><Text size="xs">{reviewer ? t('records:slides.labelStaff') : t('records:slides.label')}</Text></Alert>}
        {s.status === 'ready' && (
          <Group gap="md">
            <Anchor size="sm" component={Link} to={`/cases/${caseId}/slides/${s.id}`}>{t('records:slides.open')}</Anchor>
            {reviewer && can?.annotateImaging && <Anchor size="sm" component="button" type="button" onClick={() => setDescribing((d) => !d)}>{t('records:slides.describe.button')}</Anchor>}
          </Group>
        )}
        {describing && <DescribeSlide caseId={caseId} s={s} onDone={() => setDescribing(false)} />}
      </Stack>
    </Card>
  );
}

/** Part/block and stain, which scanners rarely record: the slide list groups by the block, and the report names both. */
function DescribeSlide({ caseId, s, onDone }: { caseId: string; s: Slide; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [form, setForm] = useState({ block: s.block ?? '', stain: s.stain ?? '' });
  const save = useMutation({
    mutationFn: () => patch<Slide>(`/cases/${caseId}/slides/${s.id}`, { block: form.block.trim() || null, stain: form.stain.trim() || null }),
    onSuccess: () => { void qc.invalidateQueries({ queryKey: caseKeys.part(caseId, 'slides') }); onDone(); },
  });
  return (
    <form onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <Stack gap={6}>
        <Group grow gap="xs" align="flex-start">
          <TextInput size="xs" label={t('records:slides.describe.block')} placeholder={t('records:slides.describe.blockExample')} maxLength={40} value={form.block} onChange={(e) => setForm({ ...form, block: e.currentTarget.value })} />
          <TextInput size="xs" label={t('records:slides.describe.stain')} placeholder={t('records:slides.describe.stainExample')} maxLength={80} value={form.stain} onChange={(e) => setForm({ ...form, stain: e.currentTarget.value })} />
        </Group>
        <ErrorNote error={save.error} />
        <Group gap="xs"><Button size="xs" type="submit" loading={save.isPending}>{t('records:slides.describe.save')}</Button><Button size="xs" variant="default" onClick={onDone}>{t('records:slides.describe.cancel')}</Button></Group>
      </Stack>
    </form>
  );
}
