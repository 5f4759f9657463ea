import { Anchor, Button, CopyButton, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import OpenSeadragon from 'openseadragon';
import { useEffect, useRef, useState, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { api, get, post, type Schema } from '../../api.ts';
import { ErrorNote } from '../../components.tsx';

export type SlideAnnotation = Schema<'SlideAnnotation'>;

const annotationKey = (caseId: string, slideId: string) => ['case', caseId, 'slides', slideId, 'annotations'] as const;

export function useSlideAnnotations(caseId: string, slideId: string) {
  return useQuery({ queryKey: annotationKey(caseId, slideId), queryFn: () => get<SlideAnnotation[]>(`/cases/${caseId}/slides/${slideId}/annotations`) });
}

const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString() : v.toFixed(1));

/**
 * Lengths on the slide: in measuring mode two clicks on the slide make one (the server computes
 * its µm from the slide's scale); saved ones are drawn over the slide wherever it is moved.
 */
export function useMeasuring(viewer: RefObject<OpenSeadragon.Viewer | null>, ready: boolean, caseId: string, slideId: string, on: boolean, note: { value: string; clear: () => void }) {
  const [first, setFirst] = useState<[number, number] | null>(null);
  const firstRef = useRef<[number, number] | null>(null);
  const qc = useQueryClient();
  const save = useMutation({
    mutationFn: (points: [number, number][]) => post<SlideAnnotation>(`/cases/${caseId}/slides/${slideId}/annotations`, { kind: 'length', points, note: note.value.trim() || null }),
    onSuccess: () => {
      note.clear();
      return qc.invalidateQueries({ queryKey: annotationKey(caseId, slideId) });
    },
  });
  // The click handler is registered once per viewer; it saves through the latest mutation.
  const saveRef = useRef(save.mutate);
  saveRef.current = save.mutate;
  // Escape drops a half-made measurement.
  useEffect(() => {
    if (!on) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      firstRef.current = null;
      setFirst(null);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [on]);
  useEffect(() => {
    const v = viewer.current;
    if (!v || !ready || !on) {
      firstRef.current = null;
      return setFirst(null);
    }
    const onClick = (e: OpenSeadragon.CanvasClickEvent) => {
      if (!e.quick) return; // a drag moves the slide
      e.preventDefaultAction = true;
      const p = v.viewport.viewerElementToImageCoordinates(e.position);
      const point: [number, number] = [Math.round(p.x), Math.round(p.y)];
      const start = firstRef.current;
      firstRef.current = start ? null : point;
      setFirst(firstRef.current);
      if (start) saveRef.current([start, point]);
    };
    v.addHandler('canvas-click', onClick);
    return () => v.removeHandler('canvas-click', onClick);
  }, [viewer, ready, on]);
  return { first, save };
}

/** Saved lengths drawn over the slide, kept in place as it pans, zooms and turns. */
export function MeasurementOverlay({ viewer, ready, annotations, first }: { viewer: RefObject<OpenSeadragon.Viewer | null>; ready: boolean; annotations: SlideAnnotation[]; first: [number, number] | null }) {
  const { t } = useTranslation();
  const [, redraw] = useState(0);
  useEffect(() => {
    const v = viewer.current;
    if (!v || !ready) return;
    const tick = () => redraw((n) => n + 1);
    for (const e of ['animation', 'animation-finish', 'resize', 'rotate', 'open'] as const) v.addHandler(e, tick);
    tick();
    return () => { for (const e of ['animation', 'animation-finish', 'resize', 'rotate', 'open'] as const) v.removeHandler(e, tick); };
  }, [viewer, ready]);
  const v = viewer.current;
  if (!v || !ready || !v.world.getItemCount()) return null;
  const at = ([x, y]: [number, number]) => v.viewport.imageToViewerElementCoordinates(new OpenSeadragon.Point(x, y));
  return (
    <svg data-testid="slide-measurements-overlay" style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none' }}>
      {annotations.map((a) => {
        const [p, q] = [at(a.points[0]!), at(a.points[1]!)];
        return (
          <g key={a.id}>
            <line x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke="#ffd43b" strokeWidth={3} />
            <line x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke="#1c1c1c" strokeWidth={1} />
            <text x={(p.x + q.x) / 2 + 6} y={(p.y + q.y) / 2 - 6} fill="#000" stroke="#fff" strokeWidth={3} paintOrder="stroke" fontSize={13} fontWeight={700}>
              {t('records:slides.measure.label', { number: a.number, value: fmt(a.value) })}
            </text>
          </g>
        );
      })}
      {first && (() => {
        const p = at(first);
        return <circle cx={p.x} cy={p.y} r={5} fill="#ffd43b" stroke="#000" />;
      })()}
    </svg>
  );
}

/**
 * The list of the slide's measurements: number, length, note; for reviewers, a reference to cite
 * in the opinion and the GeoJSON file. One card per measurement, so it fits a phone.
 */
export function MeasurementList({ caseId, slideId, slideName, annotations, myId, reviewer, onGoTo }: { caseId: string; slideId: string; slideName: string; annotations: SlideAnnotation[]; myId: string; reviewer: boolean; onGoTo: (a: SlideAnnotation) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `/cases/${caseId}/slides/${slideId}/annotations/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: annotationKey(caseId, slideId) }),
  });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={3} size="h5">{t('records:slides.measure.title')}</Title>
        {reviewer && annotations.length > 0 && <Anchor size="sm" href={`/api/cases/${caseId}/slides/${slideId}/annotations.geojson`}>{t('records:slides.measure.export')}</Anchor>}
      </Group>
      {remove.error && <ErrorNote error={remove.error} />}
      {annotations.length === 0 ? <Text size="sm" c="dimmed">{t('records:slides.measure.none')}</Text> : (
        <Stack gap={6} data-testid="slide-measurements">
          {annotations.map((a) => {
            const reference = t('records:slides.measure.reference', { number: a.number, slide: slideName });
            return (
              <Group key={a.id} gap="xs" wrap="wrap" justify="space-between" p={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
                <Group gap="xs" wrap="wrap">
                  <Anchor component="button" fw={700} onClick={() => onGoTo(a)} aria-label={t('records:slides.measure.goTo', { number: a.number })}>{a.number}</Anchor>
                  <Text size="sm" fw={600}>{t('records:slides.measure.value', { value: fmt(a.value) })}</Text>
                  {a.note && <Text size="sm">{a.note}</Text>}
                  <Text size="xs" c="dimmed">{a.author}</Text>
                </Group>
                {reviewer && (
                  <Group gap={4} wrap="wrap">
                    <CopyButton value={reference}>{({ copied, copy }) => <Button size="compact-xs" variant="light" onClick={copy} title={reference}>{copied ? t('records:slides.measure.copied') : t('records:slides.measure.cite')}</Button>}</CopyButton>
                    {a.authorId === myId && <Button size="compact-xs" variant="subtle" color="red" onClick={() => remove.mutate(a.id)}>{t('records:slides.measure.remove')}</Button>}
                  </Group>
                )}
              </Group>
            );
          })}
        </Stack>
      )}
    </Stack>
  );
}

/** The note for the next measurement is typed before clicking; kept here so it survives redraws. */
export function NoteInput({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const { t } = useTranslation();
  return <TextInput size="xs" w={260} aria-label={t('records:slides.measure.note')} placeholder={t('records:slides.measure.notePlaceholder')} value={value} onChange={(e) => onChange(e.currentTarget.value)} maxLength={500} />;
}
