import { formatLocale } from '../../i18n.ts';
import { useMediaQuery } from '@mantine/hooks';
import { Alert, Anchor, Badge, Button, Combobox, Group, Input, InputBase, Kbd, Loader, Progress, SegmentedControl, Stack, Switch, Table, Text, Title, Tooltip, useCombobox } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, formatDay, get } from '../../api.ts';
import { Trans, useTranslation } from 'react-i18next';
import type { Me } from '../../auth.tsx';
import { ErrorNote } from '../../components.tsx';
import { PRESET_SOURCES, WINDOW_PRESETS } from './presets.ts';
import type { ImagingStudy } from './ImagingPanel.tsx';
import { modalityLabel } from '../../labels.ts';
import { caseKeys } from '../../queryKeys.ts';
import { useCaseCan } from '../../caseData.ts';

type Cornerstone = typeof import('./cornerstone.ts');
type StackViewport = import('@cornerstonejs/core').Types.IStackViewport;

const ENGINE_ID = 'consilium-viewer';
const TOOL_GROUP_ID = 'consilium-viewer-tools';
const DICOMWEB = `${window.location.origin}/dicomweb`;

interface Pane { key: 'main' | 'compare'; studyUid: string; seriesUid: string }

const parsePane = (key: Pane['key'], value: string | null): Pane | null => {
  const [studyUid, seriesUid] = (value ?? '').split(':');
  return studyUid && seriesUid ? { key, studyUid, seriesUid } : null;
};

/**
 * The diagnostic viewer: one series, or two side by side (prior and current) with linked
 * scrolling; window/level presets, zoom and pan, length and angle measurements saved with the
 * case, keyboard shortcuts and a loading bar. Time from opening to the first image is measured
 * and shown, so slow links are visible.
 */
export function ViewerPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  const { id: caseId = '' } = useParams();
  const [params, setParams] = useSearchParams();
  const main = parsePane('main', params.get('series'));
  const compare = parsePane('compare', params.get('compare'));
  const studies = useQuery({ queryKey: caseKeys.part(caseId, 'imaging'), queryFn: () => get<ImagingStudy[]>(`/cases/${caseId}/imaging/studies`) });
  const [cs, setCs] = useState<Cornerstone | null>(null);
  const narrow = useMediaQuery('(max-width: 36em)');
  const [loadError, setLoadError] = useState<string | null>(null);
  const [tool, setTool] = useState('WindowLevel');
  const [linked, setLinked] = useState(true);
  const [progress, setProgress] = useState<Record<string, { loaded: number; total: number }>>({});
  const [firstImageMs, setFirstImageMs] = useState<number | null>(null);
  const [slice, setSlice] = useState<Record<string, { index: number; total: number }>>({});
  const openedAt = useRef(performance.now());
  const mainEl = useRef<HTMLDivElement>(null);
  const compareEl = useRef<HTMLDivElement>(null);
  const viewports = useRef<Record<string, StackViewport>>({});
  const queryClient = useQueryClient();
  const canMeasure = useCaseCan(caseId)?.annotateImaging ?? false;
  const saved = useQuery({ queryKey: caseKeys.part(caseId, 'measurements'), queryFn: () => get<MeasurementRow[]>(`/cases/${caseId}/imaging/measurements`) });
  // Bumped when a pane's images are in place, so saved measurements are drawn on them.
  const [stacksShown, setStacksShown] = useState(0);

  useEffect(() => {
    let alive = true;
    import('./cornerstone.ts').then(async (mod) => {
      await mod.initCornerstone();
      if (alive) setCs(mod);
    }).catch((e: Error) => setLoadError(`The viewer could not start: ${e.message}`));
    return () => {
      alive = false;
    };
  }, []);

  // (Re)build the rendering engine whenever the panes change (the panes exist once studies load).
  const panesReady = studies.isSuccess;
  useEffect(() => {
    if (!cs || !main || !panesReady) return;
    const panes = [main, ...(compare ? [compare] : [])];
    const engine = new cs.cs.RenderingEngine(ENGINE_ID);
    const group = cs.createToolGroup(TOOL_GROUP_ID);
    const cleanups: (() => void)[] = [];
    openedAt.current = performance.now();
    setFirstImageMs(null);
    let cancelled = false;
    (async () => {
      for (const pane of panes) {
        const element = pane.key === 'main' ? mainEl.current : compareEl.current;
        if (!element) continue;
        engine.enableElement({ viewportId: pane.key, element, type: cs.cs.Enums.ViewportType.STACK });
        group.addViewport(pane.key, ENGINE_ID);
        const viewport = engine.getViewport(pane.key) as StackViewport;
        viewports.current[pane.key] = viewport;
        const imageIds = await cs.loadSeriesImageIds(DICOMWEB, pane.studyUid, pane.seriesUid);
        if (cancelled) return;
        setProgress((p) => ({ ...p, [pane.key]: { loaded: 0, total: imageIds.length } }));
        const onLoaded = (evt: Event) => {
          const id = (evt as CustomEvent).detail?.image?.imageId as string | undefined;
          if (id && imageIds.includes(id)) setProgress((p) => ({ ...p, [pane.key]: { loaded: Math.min(imageIds.length, (p[pane.key]?.loaded ?? 0) + 1), total: imageIds.length } }));
        };
        cs.cs.eventTarget.addEventListener(cs.cs.Enums.Events.IMAGE_LOADED, onLoaded);
        cleanups.push(() => cs.cs.eventTarget.removeEventListener(cs.cs.Enums.Events.IMAGE_LOADED, onLoaded));
        const onRendered = () => {
          setFirstImageMs((ms) => ms ?? Math.round(performance.now() - openedAt.current));
        };
        element.addEventListener(cs.cs.Enums.Events.IMAGE_RENDERED, onRendered);
        cleanups.push(() => element.removeEventListener(cs.cs.Enums.Events.IMAGE_RENDERED, onRendered));
        const onNewImage = () => {
          setSlice((s) => ({ ...s, [pane.key]: { index: viewport.getCurrentImageIdIndex(), total: imageIds.length } }));
          const other = viewports.current[pane.key === 'main' ? 'compare' : 'main'];
          if (linkedRef.current && other && other !== viewport) {
            const target = Math.round((viewport.getCurrentImageIdIndex() / Math.max(1, imageIds.length - 1)) * (other.getImageIds().length - 1));
            if (other.getCurrentImageIdIndex() !== target) void other.setImageIdIndex(target);
          }
        };
        element.addEventListener(cs.cs.Enums.Events.STACK_NEW_IMAGE, onNewImage);
        cleanups.push(() => element.removeEventListener(cs.cs.Enums.Events.STACK_NEW_IMAGE, onNewImage));
        await viewport.setStack(imageIds, Math.floor(imageIds.length / 2));
        viewport.render();
        setStacksShown((n) => n + 1);
        setSlice((s) => ({ ...s, [pane.key]: { index: viewport.getCurrentImageIdIndex(), total: imageIds.length } }));
        // Fetch the rest of the stack in the background so scrolling is smooth.
        for (const imageId of imageIds) void cs.cs.imageLoader.loadAndCacheImage(imageId).catch(() => undefined);
      }
    })().catch((e: Error) => setLoadError(e.message));
    return () => {
      cancelled = true;
      for (const c of cleanups) c();
      viewports.current = {};
      cs.tools.ToolGroupManager.destroyToolGroup(TOOL_GROUP_ID);
      engine.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [cs, panesReady, main?.seriesUid, compare?.seriesUid]);

  useEffect(() => {
    if (!cs || !saved.data) return;
    for (const vp of Object.values(viewports.current)) cs.drawSavedMeasurements(vp, saved.data);
  }, [cs, saved.data, stacksShown]);

  const linkedRef = useRef(linked);
  linkedRef.current = linked;

  // Saving a measurement as soon as it is drawn.
  useEffect(() => {
    if (!cs || !canMeasure) return;
    const onCompleted = (evt: Event) => {
      const annotation = (evt as CustomEvent).detail?.annotation;
      if (!annotation) return;
      const kind = annotation.metadata?.toolName === cs.tools.AngleTool.toolName ? 'angle' : annotation.metadata?.toolName === cs.tools.LengthTool.toolName ? 'length' : null;
      const uids = cs.uidsOfImageId(annotation.metadata?.referencedImageId ?? '');
      if (!kind || !uids) return;
      // Computed from the final handles (patient coordinates, in mm): the tool's cached
      // statistics can still hold the value from the last drag step.
      const points = (annotation.data?.handles?.points ?? []).map((p: number[]) => [...p]) as number[][];
      const value = kind === 'length' ? lengthMm(points) : angleDeg(points);
      if (value === null || !Number.isFinite(value)) return;
      void api('POST', `/cases/${caseId}/imaging/measurements`, { ...uids, kind, points, value, unit: kind === 'angle' ? 'deg' : 'mm' })
        // The drawing gives way to the saved measurement, which is drawn from the list.
        .then(() => cs.tools.annotation.state.removeAnnotation(annotation.annotationUID))
        .then(() => queryClient.invalidateQueries({ queryKey: caseKeys.part(caseId, 'measurements') }))
        .catch((e: Error) => setLoadError(`The measurement could not be saved: ${e.message}`));
    };
    cs.cs.eventTarget.addEventListener(cs.tools.Enums.Events.ANNOTATION_COMPLETED, onCompleted);
    return () => cs.cs.eventTarget.removeEventListener(cs.tools.Enums.Events.ANNOTATION_COMPLETED, onCompleted);
  }, [cs, caseId, canMeasure, queryClient]);

  const applyPreset = (presetId: string) => {
    const p = WINDOW_PRESETS.find((x) => x.id === presetId);
    if (!p) return;
    for (const vp of Object.values(viewports.current)) {
      vp.setProperties({ voiRange: { lower: p.center - p.width / 2, upper: p.center + p.width / 2 } });
      vp.render();
    }
    setPresetShown(p.id);
  };
  const [presetShown, setPresetShown] = useState<string | null>(null);

  const chooseTool = (t: string) => {
    setTool(t);
    const group = cs?.tools.ToolGroupManager.getToolGroup(TOOL_GROUP_ID);
    if (group && cs) cs.selectPrimaryTool(group, t as never);
  };

  const step = (delta: number) => {
    const vp = viewports.current.main;
    if (!vp) return;
    const next = Math.min(vp.getImageIds().length - 1, Math.max(0, vp.getCurrentImageIdIndex() + delta));
    void vp.setImageIdIndex(next);
  };

  const reset = () => {
    for (const vp of Object.values(viewports.current)) {
      vp.resetCamera();
      vp.resetProperties();
      vp.render();
    }
    setPresetShown(null);
  };

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement)?.closest('input, textarea, [role="combobox"]')) return;
      const preset = WINDOW_PRESETS.find((p) => p.key === e.key);
      if (preset) applyPreset(preset.id);
      else if (e.key === 'ArrowDown' || e.key === 'ArrowRight') step(1);
      else if (e.key === 'ArrowUp' || e.key === 'ArrowLeft') step(-1);
      else if (e.key === 'l' && canMeasure) chooseTool('Length');
      else if (e.key === 'a' && canMeasure) chooseTool('Angle');
      else if (e.key === 'w') chooseTool('WindowLevel');
      else if (e.key === 'z') chooseTool('Zoom');
      else if (e.key === 'p') chooseTool('Pan');
      else if (e.key === 'r') reset();
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  if (studies.isLoading) return <Loader role="status" aria-label={t('records:viewer.loading')} />;
  if (studies.error) return <ErrorNote error={studies.error} />;
  const allSeries = (studies.data ?? []).flatMap((s) => s.series.map((se) => ({ value: `${s.studyUid}:${se.seriesUid}`, label: t('records:viewer.seriesOption', { day: s.date ? `${formatDay(s.date)} ` : '', study: s.description ?? t('records:viewer.study'), modality: se.modality ? modalityLabel(se.modality).short : '', series: se.description ?? '', count: se.frames }) })));
  const seriesLabel = (p: Pane | null) => allSeries.find((s) => s.value === `${p?.studyUid}:${p?.seriesUid}`)?.label ?? '';
  const loading = Object.values(progress).reduce((a, p) => ({ loaded: a.loaded + p.loaded, total: a.total + p.total }), { loaded: 0, total: 0 });

  return (
    <Stack gap="sm">
      <Group justify="space-between">
        <Title order={2}>{t('records:viewer.title')}</Title>
        <Anchor component={Link} to={`/cases/${caseId}`}>{t('records:viewer.back')}</Anchor>
      </Group>
      {loadError && <Alert color="red" title={t('records:viewer.failed')}>{loadError}</Alert>}
      <Group align="end" wrap="wrap">
        <SeriesPicker label={t('records:viewer.series')} data={allSeries} value={main ? `${main.studyUid}:${main.seriesUid}` : null}
          onChange={(v) => v && setParams((p) => { p.set('series', v); return p; })} />
        <SeriesPicker label={t('records:viewer.compare')} none={t('records:viewer.none')} data={allSeries} value={compare ? `${compare.studyUid}:${compare.seriesUid}` : null}
          onChange={(v) => setParams((p) => { if (v) p.set('compare', v); else p.delete('compare'); return p; })} />
        {compare && <Switch label={t('records:viewer.link')} checked={linked} onChange={(e) => setLinked(e.currentTarget.checked)} />}
      </Group>
      <Group gap="xs" wrap="wrap" role="toolbar" aria-label={t('records:viewer.tools')}>
        {/* Five tools do not fit a phone's width side by side: there they stand in a column. */}
        <SegmentedControl value={tool} onChange={chooseTool} aria-label={t('records:viewer.tool')} orientation={narrow ? 'vertical' : 'horizontal'} data={[
          { value: 'WindowLevel', label: t('records:viewer.toolWindow') }, { value: 'Zoom', label: t('records:viewer.toolZoom') }, { value: 'Pan', label: t('records:viewer.toolPan') },
          ...(canMeasure ? [{ value: 'Length', label: t('records:viewer.toolLength') }, { value: 'Angle', label: t('records:viewer.toolAngle') }] : []),
        ]} />
        {WINDOW_PRESETS.map((p) => (
          <Tooltip key={p.id} label={t('records:viewer.presetHint', { width: p.width, center: p.center, key: p.key })}>
            <Button size="xs" variant={presetShown === p.id ? 'filled' : 'light'} onClick={() => applyPreset(p.id)}>{t(`records:viewer.preset.${p.id}`, { defaultValue: p.label })}</Button>
          </Tooltip>
        ))}
        <Button size="xs" variant="default" onClick={reset}>{t('records:viewer.reset')}</Button>
      </Group>
      {loading.total > 0 && loading.loaded < loading.total && (
        <Progress value={(loading.loaded / loading.total) * 100} aria-label={t('records:viewer.loadingImages', { loaded: loading.loaded, total: loading.total })} />
      )}
      <Group grow align="start" gap="xs">
        {[main, compare].filter(Boolean).map((pane) => (
          <Stack key={pane!.key} gap={4}>
            <Text size="sm" fw={600}>{pane!.key === 'compare' ? t('records:viewer.prior') : ''}{seriesLabel(pane)}</Text>
            <div ref={pane!.key === 'main' ? mainEl : compareEl} data-testid={`viewport-${pane!.key}`} onContextMenu={(e) => e.preventDefault()}
              style={{ width: '100%', height: 520, background: '#000', position: 'relative' }} />
            <Text size="xs" c="dimmed" data-testid={`slice-${pane!.key}`}>
              {t('records:viewer.position', { index: (slice[pane!.key]?.index ?? 0) + 1, total: slice[pane!.key]?.total ?? '…' })}
            </Text>
          </Stack>
        ))}
      </Group>
      {!main && <Text>{t('records:viewer.choose')}</Text>}
      <Group gap="md">
        {/* The time to the first image is measured for everyone and shown to staff (the patient sees only that it loads). */}
        <Text size="xs" c="dimmed" data-testid="first-image-ms" data-ms={firstImageMs ?? ''}>
          {/* Nothing loads until a series is chosen: the page says to choose one instead. */}
          {!main ? '' : firstImageMs === null ? t('records:viewer.firstLoading') : me.user.role === 'patient' ? '' : t('records:viewer.firstAfter', { ms: firstImageMs })}
        </Text>
        {me.user.role !== 'patient' && <Text size="xs" c="dimmed" visibleFrom="sm"><Trans t={t} i18nKey="records:viewer.keys" values={{ sources: PRESET_SOURCES }} components={{ kbd: <Kbd /> }} /></Text>}
      </Group>
      <Measurements caseId={caseId} onShow={(sop) => {
        // Jump to the image the measurement was made on, in whichever pane shows it.
        for (const vp of Object.values(viewports.current)) {
          const index = vp.getImageIds().findIndex((id) => id.includes(`/instances/${sop}/`));
          if (index >= 0) void vp.setImageIdIndex(index);
        }
      }} />
    </Stack>
  );
}

const sub = (a: number[], b: number[]) => a.map((v, i) => v - (b[i] ?? 0));
const norm = (v: number[]) => Math.hypot(...v);

/** Distance between a length's two handles (world coordinates are millimetres). */
export function lengthMm(points: number[][]): number | null {
  return points.length === 2 ? norm(sub(points[1]!, points[0]!)) : null;
}

/** The angle at the middle handle of three, in degrees. */
export function angleDeg(points: number[][]): number | null {
  if (points.length !== 3) return null;
  const a = sub(points[0]!, points[1]!);
  const b = sub(points[2]!, points[1]!);
  const cos = a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0) / (norm(a) * norm(b));
  return (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI;
}

/** Units as signs: an angle in degrees reads 34.5 °. */
const UNIT_SIGNS: Record<string, string> = { deg: '\u00b0' };

interface MeasurementRow { id: string; kind: 'length' | 'angle'; value: number; unit: string; author: string; createdAt: string; sopInstanceUid: string; points: number[][] }

function Measurements({ caseId, onShow }: { caseId: string; onShow: (sopInstanceUid: string) => void }) {
  const list = useQuery({ queryKey: caseKeys.part(caseId, 'measurements'), queryFn: () => get<MeasurementRow[]>(`/cases/${caseId}/imaging/measurements`) });
  const { t } = useTranslation();
  if (!list.data?.length) return <Text size="sm" c="dimmed">{t('records:viewer.noMeasurements')}</Text>;
  return (
    <Stack gap={4}>
      <Title order={3} size="h5">{t('records:viewer.measurements')}</Title>
      <Table data-testid="measurements">
        <Table.Thead><Table.Tr><Table.Th>{t('records:viewer.kind')}</Table.Th><Table.Th>{t('records:viewer.value')}</Table.Th><Table.Th>{t('records:viewer.by')}</Table.Th><Table.Th>{t('records:viewer.when')}</Table.Th><Table.Th>{t('records:viewer.image')}</Table.Th></Table.Tr></Table.Thead>
        <Table.Tbody>
          {list.data.map((m) => (
            <Table.Tr key={m.id}>
              <Table.Td><Badge variant="light">{t(`records:viewer.${m.kind}`)}</Badge></Table.Td>
              <Table.Td>{m.value.toFixed(1)} {UNIT_SIGNS[m.unit] ?? m.unit}</Table.Td>
              <Table.Td>{m.author}</Table.Td>
              <Table.Td>{new Date(m.createdAt).toLocaleString(formatLocale())}</Table.Td>
              <Table.Td><Button size="compact-xs" variant="subtle" onClick={() => onShow(m.sopInstanceUid)}>{t('records:viewer.goTo')}</Button></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}

/**
 * A series picker whose choice shows in full: a series is named by its day, study, kind, name and
 * image count, which a one-line box cut short on a phone ("12 sept 2026 TOMOGRAFÍA DE TÓ…"). The
 * box and the choices wrap their words instead. With `none`, the first choice is to pick none.
 */
function SeriesPicker({ label, data, value, onChange, none }: { label: string; data: { value: string; label: string }[]; value: string | null; onChange: (v: string | null) => void; none?: string }) {
  const combobox = useCombobox({ onDropdownClose: () => combobox.resetSelectedOption() });
  const chosen = data.find((d) => d.value === value);
  const choices = [...(none ? [{ value: '', label: none }] : []), ...data];
  return (
    <Combobox store={combobox} onOptionSubmit={(v) => { onChange(v || null); combobox.closeDropdown(); }}>
      <Combobox.Target>
        <InputBase component="button" type="button" label={label} pointer multiline w={{ base: '100%', sm: 380 }} rightSection={<Combobox.Chevron />} rightSectionPointerEvents="none"
          onClick={() => combobox.toggleDropdown()} styles={{ input: { height: 'auto', paddingBlock: 6, whiteSpace: 'normal', textAlign: 'start' } }}>
          {chosen?.label ?? <Input.Placeholder>{none}</Input.Placeholder>}
        </InputBase>
      </Combobox.Target>
      <Combobox.Dropdown>
        <Combobox.Options mah={320} style={{ overflowY: 'auto' }}>
          {choices.map((c) => <Combobox.Option key={c.value || 'none'} value={c.value} active={c.value === (value ?? '')} style={{ whiteSpace: 'normal' }}>{c.label}</Combobox.Option>)}
        </Combobox.Options>
      </Combobox.Dropdown>
    </Combobox>
  );
}
