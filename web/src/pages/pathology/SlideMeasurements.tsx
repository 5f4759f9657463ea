import { formatLocale } from '../../i18n.ts';
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

const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString(formatLocale()) : v.toFixed(1));
/** An area in µm², or in mm² once it is large (as pathologists give tumour areas). */
export const fmtArea = (v: number) => (v >= 100_000 ? `${(v / 1e6).toLocaleString(formatLocale(), { maximumFractionDigits: 3 })} mm²` : `${fmt(v)} µm²`);

/** What can be drawn on a slide: a length (two points), an area (an outline) or an arrow (from, to) with a note. */
export type SlideTool = 'length' | 'area' | 'arrow';

/** The amount an annotation shows: its length or area; an arrow has none. */
export function useAmount() {
  const { t } = useTranslation();
  return (a: Pick<SlideAnnotation, 'kind' | 'value'>) => (a.value === null ? t('records:slides.measure.arrow') : a.kind === 'area' ? fmtArea(a.value) : t('records:slides.measure.value', { value: fmt(a.value) }));
}

/**
 * Drawing on the slide: with a tool chosen, clicks on the slide place points (a drag still moves
 * it). A length or an arrow is saved at its second point; an area when its outline is finished
 * (three points at least; the Finish button or Enter). The server computes µm and µm² from the
 * slide's scale. Escape drops what is half made.
 */
export function useMeasuring(viewer: RefObject<OpenSeadragon.Viewer | null>, ready: boolean, caseId: string, slideId: string, tool: SlideTool | null, note: { value: string; clear: () => void }, size: { width: number; height: number }) {
  const [points, setPoints] = useState<[number, number][]>([]);
  const pointsRef = useRef<[number, number][]>([]);
  const qc = useQueryClient();
  const save = useMutation({
    mutationFn: (v: { kind: SlideTool; points: [number, number][] }) => post<SlideAnnotation>(`/cases/${caseId}/slides/${slideId}/annotations`, { ...v, note: note.value.trim() || null }),
    onSuccess: () => {
      note.clear();
      return qc.invalidateQueries({ queryKey: annotationKey(caseId, slideId) });
    },
  });
  const place = (next: [number, number][]) => {
    pointsRef.current = next;
    setPoints(next);
  };
  // The click handler is registered once per viewer and tool; it saves through the latest mutation and note.
  const saveRef = useRef(save.mutate);
  saveRef.current = save.mutate;
  const noteRef = useRef(note.value);
  noteRef.current = note.value;
  const sizeRef = useRef(size);
  sizeRef.current = size;
  const finish = () => {
    if (tool !== 'area' || pointsRef.current.length < 3) return;
    saveRef.current({ kind: 'area', points: pointsRef.current });
    place([]);
  };
  const finishRef = useRef(finish);
  finishRef.current = finish;
  useEffect(() => {
    if (!tool) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') place([]);
      // Enter in the note (or any field) is the field's, not the outline's.
      const typing = e.target instanceof HTMLElement && (e.target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(e.target.tagName));
      if (e.key === 'Enter' && !typing) finishRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [tool]);
  // A new tool starts clean: no half-made points, no earlier refusal, no note meant for another mark.
  const resetRef = useRef(() => { save.reset(); note.clear(); });
  resetRef.current = () => { save.reset(); note.clear(); };
  useEffect(() => resetRef.current(), [tool]);
  useEffect(() => {
    const v = viewer.current;
    place([]);
    if (!v || !ready || !tool) return;
    const onClick = (e: OpenSeadragon.CanvasClickEvent) => {
      if (!e.quick) return; // a drag moves the slide
      e.preventDefaultAction = true;
      // An arrow is worth nothing without its note: it is typed first.
      if (tool === 'arrow' && !noteRef.current.trim()) return;
      const p = v.viewport.viewerElementToImageCoordinates(e.position);
      // A tap beside the slide (the grey around it, on a phone most of the screen) is no point of it.
      if (p.x < 0 || p.y < 0 || p.x > sizeRef.current.width || p.y > sizeRef.current.height) return;
      const next: [number, number][] = [...pointsRef.current, [Math.round(p.x), Math.round(p.y)]];
      if (tool !== 'area' && next.length === 2) {
        saveRef.current({ kind: tool, points: next });
        place([]);
      } else place(next);
    };
    v.addHandler('canvas-click', onClick);
    return () => v.removeHandler('canvas-click', onClick);
  }, [viewer, ready, tool]);
  return { points, save, finish };
}

/** Saved annotations drawn over the slide, kept in place as it pans, zooms and turns, and the one being drawn. */
export function MeasurementOverlay({ viewer, ready, annotations, drawing }: { viewer: RefObject<OpenSeadragon.Viewer | null>; ready: boolean; annotations: SlideAnnotation[]; drawing: [number, number][] }) {
  const amount = useAmount();
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
  const label = (x: number, y: number, text: string) => (
    <text x={x + 6} y={y - 6} fill="#000" stroke="#fff" strokeWidth={3} paintOrder="stroke" fontSize={13} fontWeight={700}>{text}</text>
  );
  return (
    <svg data-testid="slide-measurements-overlay" style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', pointerEvents: 'none' }}>
      <defs>
        <marker id="slide-arrowhead" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#ffd43b" stroke="#1c1c1c" strokeWidth={1} />
        </marker>
      </defs>
      {annotations.map((a) => {
        const pts = a.points.map(at);
        const text = a.kind === 'arrow' ? String(a.number) : `${a.number}: ${amount(a)}`;
        if (a.kind === 'area') {
          const outline = pts.map((p) => `${p.x},${p.y}`).join(' ');
          const top = pts.reduce((m, p) => (p.y < m.y ? p : m), pts[0]!);
          return (
            <g key={a.id}>
              <polygon points={outline} fill="rgba(255, 212, 59, 0.15)" stroke="#ffd43b" strokeWidth={3} />
              <polygon points={outline} fill="none" stroke="#1c1c1c" strokeWidth={1} />
              {label(top.x, top.y, text)}
            </g>
          );
        }
        const [p, q] = [pts[0]!, pts[1]!];
        return (
          <g key={a.id}>
            <line x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke="#ffd43b" strokeWidth={3} markerEnd={a.kind === 'arrow' ? 'url(#slide-arrowhead)' : undefined} />
            <line x1={p.x} y1={p.y} x2={q.x} y2={q.y} stroke="#1c1c1c" strokeWidth={1} />
            {a.kind === 'arrow' ? label(p.x, p.y, text) : label((p.x + q.x) / 2, (p.y + q.y) / 2, text)}
          </g>
        );
      })}
      {drawing.length > 0 && (() => {
        const pts = drawing.map(at);
        return (
          <g>
            {pts.length > 1 && <polyline points={pts.map((p) => `${p.x},${p.y}`).join(' ')} fill="none" stroke="#ffd43b" strokeWidth={2} strokeDasharray="6 4" />}
            {pts.map((p, i) => <circle key={i} cx={p.x} cy={p.y} r={5} fill="#ffd43b" stroke="#000" />)}
          </g>
        );
      })()}
    </svg>
  );
}

/**
 * The list of the slide's measurements: number, length, note; for reviewers, a reference to cite
 * in the opinion and the GeoJSON and DICOM files. One card per measurement, so it fits a phone.
 */
export function MeasurementList({ caseId, slideId, slideName, annotations, myId, reviewer, patientSide, delivered, onGoTo }: { caseId: string; slideId: string; slideName: string; annotations: SlideAnnotation[]; myId: string; reviewer: boolean; patientSide: boolean; delivered: boolean; onGoTo: (a: SlideAnnotation) => void }) {
  const { t } = useTranslation();
  const amount = useAmount();
  const qc = useQueryClient();
  const remove = useMutation({
    mutationFn: (id: string) => api('DELETE', `/cases/${caseId}/slides/${slideId}/annotations/${id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: annotationKey(caseId, slideId) }),
  });
  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Title order={3} size="h5">{t('records:slides.measure.title')}</Title>
        {reviewer && annotations.length > 0 && (
          // GeoJSON for QuPath and GIS-minded tools; the DICOM file for DICOM slide viewers and archives.
          <Group gap="sm">
            <Anchor size="sm" href={`/api/cases/${caseId}/slides/${slideId}/annotations.geojson`}>{t('records:slides.measure.export')}</Anchor>
            <Anchor size="sm" href={`/api/cases/${caseId}/slides/${slideId}/annotations.dcm`}>{t('records:slides.measure.exportDicom')}</Anchor>
          </Group>
        )}
      </Group>
      {remove.error && <ErrorNote error={remove.error} />}
      {/* The patient's side sees the reviewers' measurements once the opinion is delivered; until then none are listed. */}
      {annotations.length === 0 ? <Text size="sm" c="dimmed">{!patientSide ? t('records:slides.measure.none') : delivered ? t('records:slides.measure.nonePatientDelivered') : t('records:slides.measure.nonePatient')}</Text> : (
        <Stack gap={6} data-testid="slide-measurements">
          {annotations.map((a) => {
            const reference = t('records:slides.measure.reference', { number: a.number, slide: slideName });
            return (
              <Group key={a.id} gap="xs" wrap="wrap" justify="space-between" p={6} style={{ borderBottom: '1px solid var(--mantine-color-gray-3)' }}>
                <Group gap="xs" wrap="wrap">
                  <Anchor component="button" fw={700} onClick={() => onGoTo(a)} aria-label={t('records:slides.measure.goTo', { number: a.number })}>{a.number}</Anchor>
                  <Text size="sm" fw={600}>{amount(a)}</Text>
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
export function NoteInput({ value, onChange, required }: { value: string; onChange: (v: string) => void; required?: boolean }) {
  const { t } = useTranslation();
  return <TextInput size="xs" w={260} maw="100%" aria-label={t('records:slides.measure.note')} placeholder={required ? t('records:slides.measure.arrowNotePlaceholder') : t('records:slides.measure.notePlaceholder')} value={value} onChange={(e) => onChange(e.currentTarget.value)} maxLength={500} />;
}
