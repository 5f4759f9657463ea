import { ActionIcon, Alert, Anchor, Button, Checkbox, Group, Image, Loader, Select, SimpleGrid, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import OpenSeadragon from 'openseadragon';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams, useSearchParams } from 'react-router';
import { get } from '../../api.ts';
import { usePatientSide, type Me } from '../../auth.tsx';
import { useCaseCan, useOpinionDelivered } from '../../caseData.ts';
import { ErrorNote } from '../../components.tsx';
import { caseKeys } from '../../queryKeys.ts';
import { magnification, scaleBar } from './scaleBar.ts';
import type { Slide } from './SlidesPanel.tsx';
import { slideTitle } from './slideTitle.ts';
import { MeasurementList, MeasurementOverlay, NoteInput, useMeasuring, useSlideAnnotations, type SlideAnnotation, type SlideTool } from './SlideMeasurements.tsx';

/**
 * OpenSeadragon adds a <style> of its own unless one marked as its own is there; the page's
 * Content-Security-Policy admits it only with the page's nonce, so it is put there first, with it.
 */
function ensureViewerStyle() {
  if (document.querySelector('style[data-openseadragon-mobile-css]')) return;
  const style = document.createElement('style');
  style.setAttribute('data-openseadragon-mobile-css', 'true');
  style.nonce = (document.querySelector('meta[property="csp-nonce"]') as HTMLMetaElement | null)?.nonce ?? '';
  style.textContent = '@media (hover: none) { .openseadragon-canvas:focus { outline: none !important; } }';
  document.head.appendChild(style);
}

/** An OpenSeadragon viewer over a slide's Deep Zoom tiles from the server. */
function openViewer(element: HTMLElement, caseId: string, s: Slide, navigatorPosition: 'BOTTOM_RIGHT' | 'BOTTOM_LEFT' = 'BOTTOM_RIGHT'): OpenSeadragon.Viewer {
  ensureViewerStyle();
  const tiles = s.tiles!;
  return OpenSeadragon({
    element,
    tileSources: {
      Image: {
        xmlns: 'http://schemas.microsoft.com/deepzoom/2008', Url: `/api/cases/${caseId}/slides/${s.id}/tiles/`,
        Format: tiles.format, Overlap: String(tiles.overlap), TileSize: String(tiles.size), Size: { Width: String(s.width), Height: String(s.height) },
      },
    } as unknown as OpenSeadragon.TileSourceOptions,
    showNavigationControl: false, showNavigator: true, navigatorPosition, navigatorSizeRatio: 0.18, navigatorAutoFade: false,
    maxZoomPixelRatio: 2, visibilityRatio: 0.5, animationTime: 0.6,
    gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
  });
}

/**
 * Keeps two viewers on the same place, zoom and turn (serial sections, e.g. H&E beside an
 * immunostain, are scanned alike): whichever one is moved leads, the other follows at once.
 */
function linkViewers(a: OpenSeadragon.Viewer, b: OpenSeadragon.Viewer): () => void {
  let leading: OpenSeadragon.Viewer | null = null;
  const follow = (from: OpenSeadragon.Viewer, to: OpenSeadragon.Viewer) => () => {
    if (leading) return;
    leading = from;
    try {
      to.viewport.setRotation(from.viewport.getRotation());
      to.viewport.zoomTo(from.viewport.getZoom(), undefined, true);
      to.viewport.panTo(from.viewport.getCenter(), true);
    } finally {
      leading = null;
    }
  };
  const fromA = follow(a, b);
  const fromB = follow(b, a);
  for (const e of ['zoom', 'pan', 'rotate'] as const) {
    a.addHandler(e, fromA);
    b.addHandler(e, fromB);
  }
  fromA();
  return () => {
    for (const e of ['zoom', 'pan', 'rotate'] as const) {
      a.removeHandler(e, fromA);
      b.removeHandler(e, fromB);
    }
  };
}

/**
 * The slide viewer (OpenSeadragon over the server's Deep Zoom tiles): pan and zoom to full
 * resolution, a scale bar from the slide's own microns per pixel, the magnification, an overview
 * map, rotation. Opening the page is the one audited read of the slide; tiles follow unaudited.
 */
export function SlideViewerPage({ me }: { me: Me }) {
  const { id: caseId = '', slideId = '' } = useParams();
  const { t } = useTranslation();
  const slide = useQuery({
    // Not under the case's keys: a notice about the case refreshes those, and each fetch of this
    // one is an audited opening of the slide.
    queryKey: ['slide-opened', caseId, slideId],
    queryFn: () => get<Slide>(`/cases/${caseId}/slides/${slideId}`),
    staleTime: Infinity, refetchOnWindowFocus: false,
  });
  const element = useRef<HTMLDivElement>(null);
  const viewer = useRef<OpenSeadragon.Viewer | null>(null);
  // Image pixels per screen pixel at the current zoom (1 = full resolution).
  const [imagePerScreen, setImagePerScreen] = useState<number | null>(null);
  const [ready, setReady] = useState(false);
  const [tool, setTool] = useState<SlideTool | null>(null);
  const [note, setNote] = useState('');
  const s = slide.data;
  const can = useCaseCan(caseId);
  const delivered = useOpinionDelivered(caseId);
  const annotations = useSlideAnnotations(caseId, slideId);
  const { points: drawing, save, finish } = useMeasuring(viewer, ready, caseId, slideId, tool, { value: note, clear: () => setNote('') }, { width: s?.width ?? 0, height: s?.height ?? 0 });
  const mayMeasure = Boolean(can?.annotateImaging && s?.micronsPerPixel);
  const patientSide = usePatientSide();
  const [photos, setPhotos] = useState(false);
  const [params, setParams] = useSearchParams();
  const otherId = params.get('with');
  const [linked, setLinked] = useState(true);
  const narrow = useMediaQuery('(max-width: 62em)');
  const others = useQuery({ queryKey: caseKeys.part(caseId, 'slides'), queryFn: () => get<Slide[]>(`/cases/${caseId}/slides`), enabled: Boolean(s?.tiles) });
  const titleOf = (o: Slide) => slideTitle(o, others.data ?? [], patientSide, t).name;
  const choices = (others.data ?? []).filter((o) => o.status === 'ready' && o.id !== slideId).map((o) => ({ value: o.id, label: titleOf(o) }));
  const compareWith = (id: string | null) => setParams((p) => {
    const next = new URLSearchParams(p);
    if (id) next.set('with', id);
    else next.delete('with');
    return next;
  }, { replace: true });
  const viewerHeight = otherId ? (narrow ? 'calc(50dvh - 140px)' : 'calc(100dvh - 280px)') : 'calc(100dvh - 220px)';

  useEffect(() => {
    if (!s?.tiles || !element.current) return;
    const v = openViewer(element.current, caseId, s);
    const update = () => {
      const zoom = v.viewport.viewportToImageZoom(v.viewport.getZoom(true));
      if (zoom > 0) setImagePerScreen(1 / zoom);
    };
    v.addHandler('open', () => setReady(true));
    v.addHandler('open', update);
    v.addHandler('animation', update);
    v.addHandler('animation-finish', update);
    viewer.current = v;
    return () => {
      viewer.current = null;
      setReady(false);
      v.destroy();
    };
  }, [s, caseId, slideId]);

  const hint = (k: SlideTool, placed: number, noted: boolean) => {
    if (k === 'length') return placed ? t('records:slides.measure.hintSecond') : t('records:slides.measure.hint');
    if (k === 'arrow') return !noted ? t('records:slides.measure.hintArrowNote') : placed ? t('records:slides.measure.hintArrowHead') : t('records:slides.measure.hintArrow');
    return placed >= 3 ? t('records:slides.measure.hintAreaFinish') : t('records:slides.measure.hintArea');
  };
  const act = (fn: (vp: OpenSeadragon.Viewport) => void) => () => {
    if (viewer.current) fn(viewer.current.viewport);
  };
  const goTo = (a: SlideAnnotation) => act((vp) => {
    const xs = a.points.map((p) => p[0]);
    const ys = a.points.map((p) => p[1]);
    const pad = Math.max(50, (Math.max(...xs) - Math.min(...xs) + Math.max(...ys) - Math.min(...ys)) / 2);
    vp.fitBounds(vp.imageToViewportRectangle(Math.min(...xs) - pad, Math.min(...ys) - pad, Math.max(...xs) - Math.min(...xs) + 2 * pad, Math.max(...ys) - Math.min(...ys) + 2 * pad));
  })();
  const bar = s?.micronsPerPixel && imagePerScreen ? scaleBar(s.micronsPerPixel * imagePerScreen) : null;
  const shownAt = s && imagePerScreen ? magnification(s.objectivePower, imagePerScreen) : null;

  return (
    <Stack gap="xs">
      <Group justify="space-between" wrap="wrap">
        <Stack gap={0}>
          <Anchor component={Link} to={`/cases/${caseId}?tab=imaging`} size="sm">{t('records:slides.viewer.back')}</Anchor>
          <Title order={2} size="h3" style={{ overflowWrap: 'anywhere' }}>{s ? titleOf(s) : t('records:slides.title')}</Title>
        </Stack>
        {s?.tiles && (
          <Group gap={4}>
            <Control label={t('records:slides.viewer.zoomIn')} onClick={act((vp) => vp.zoomBy(2))}>+</Control>
            <Control label={t('records:slides.viewer.zoomOut')} onClick={act((vp) => vp.zoomBy(0.5))}>−</Control>
            <Control label={t('records:slides.viewer.home')} onClick={act((vp) => vp.goHome())}>⌂</Control>
            <Control label={t('records:slides.viewer.full')} onClick={act((vp) => vp.zoomTo(vp.imageToViewportZoom(1)))}>⤢</Control>
            <Control label={t('records:slides.viewer.rotateLeft')} onClick={act((vp) => vp.setRotation(vp.getRotation() - 90))}>⟲</Control>
            <Control label={t('records:slides.viewer.rotateRight')} onClick={act((vp) => vp.setRotation(vp.getRotation() + 90))}>⟳</Control>
          </Group>
        )}
      </Group>
      {slide.isLoading && <Loader role="status" aria-label={t('records:slides.loading')} />}
      {slide.error && <ErrorNote error={slide.error} />}
      {s && s.status === 'processing' && <Alert color="gray">{t('records:slides.viewer.notReady')}</Alert>}
      {s && s.status === 'failed' && <Alert color="red">{t('records:slides.viewer.failed')}</Alert>}
      {s?.tiles && (
        <>
          {can?.annotateImaging && (
            <Group gap="xs">
              {(['length', 'area', 'arrow'] as const).filter((k) => k === 'arrow' || mayMeasure).map((k) => (
                <Button key={k} size="xs" variant={tool === k ? 'filled' : 'light'} onClick={() => setTool((x) => (x === k ? null : k))}>{tool === k ? t('records:slides.measure.stop') : t(`records:slides.measure.tools.${k}`)}</Button>
              ))}
              {!mayMeasure && <Text size="sm" c="dimmed">{t('records:slides.measure.noScale')}</Text>}
              {tool && <NoteInput value={note} onChange={setNote} required={tool === 'arrow'} />}
              {tool === 'area' && drawing.length >= 3 && <Button size="xs" onClick={finish}>{t('records:slides.measure.finish')}</Button>}
              {tool && <Text size="sm" role="status">{hint(tool, drawing.length, Boolean(note.trim()))}</Text>}
            </Group>
          )}
          {save.error && <ErrorNote error={save.error} />}
          {choices.length > 0 && (
            <Group gap="sm" align="flex-end">
              <Select size="xs" label={t('records:slides.compare.label')} placeholder={t('records:slides.compare.placeholder')} data={choices} value={otherId} onChange={compareWith} clearable w={280} maw="100%" />
              {otherId && <Checkbox size="xs" mb={6} label={t('records:slides.compare.linked')} checked={linked} onChange={(e) => setLinked(e.currentTarget.checked)} />}
            </Group>
          )}
          <SimpleGrid cols={{ base: 1, md: otherId ? 2 : 1 }} spacing="xs">
          <div style={{ position: 'relative' }}>
            <div ref={element} role="img" aria-label={otherId ? t('records:slides.compare.first', { name: titleOf(s) }) : t('records:slides.viewer.area')} data-testid="slide-viewer" style={{ width: '100%', height: viewerHeight, minHeight: 240, background: '#f4f4f4', border: '1px solid #ddd' }} />
            <MeasurementOverlay viewer={viewer} ready={ready} annotations={annotations.data ?? []} drawing={drawing} />
            {bar && (
              <div data-testid="scale-bar" data-microns={bar.microns} style={{ position: 'absolute', insetInlineStart: 12, bottom: 12, background: 'rgba(255,255,255,0.85)', padding: '4px 8px', borderRadius: 4 }}>
                <div style={{ width: bar.px, height: 6, borderInlineStart: '2px solid #000', borderInlineEnd: '2px solid #000', borderBottom: '2px solid #000' }} />
                <Text size="xs" fw={600}>{bar.label}</Text>
              </div>
            )}
          </div>
          {otherId && <CompareViewer caseId={caseId} slideId={otherId} primary={viewer} primaryReady={ready} linked={linked} height={viewerHeight} titleOf={titleOf} />}
          </SimpleGrid>
          <Group gap="md">
            {shownAt && <Text size="sm" data-testid="magnification">{t('records:slides.viewer.magnification', { value: shownAt })}</Text>}
            {!s.micronsPerPixel && <Text size="sm" c="dimmed">{t('records:slides.noScale')}</Text>}
            <Text size="sm" c="dimmed">{t('records:slides.viewer.help')}</Text>
          </Group>
          {s.labelMayShowName && <Text size="xs" c="dimmed">{patientSide ? t('records:slides.label') : t('records:slides.labelStaff')}</Text>}
          {!patientSide && s.pictures.length > 0 && (
            <Stack gap={4}>
              <Anchor size="sm" component="button" type="button" onClick={() => setPhotos((p) => !p)} style={{ alignSelf: 'flex-start' }}>{photos ? t('records:slides.photos.hide') : t('records:slides.photos.show')}</Anchor>
              {photos && (
                <Group gap="sm" align="flex-start" data-testid="slide-photos">
                  {s.pictures.map((p) => <Image key={p} src={`/api/cases/${caseId}/slides/${slideId}/pictures/${p}.jpeg`} alt={p === 'label' ? t('records:slides.labelPhoto', { name: titleOf(s) }) : t('records:slides.photos.macro', { name: titleOf(s) })} h={160} w="auto" maw="100%" fit="contain" />)}
                </Group>
              )}
            </Stack>
          )}
          {annotations.error && <ErrorNote error={annotations.error} />}
          {annotations.data && <MeasurementList caseId={caseId} slideId={slideId} slideName={titleOf(s)} annotations={annotations.data} myId={me.user.id} reviewer={Boolean(can?.annotateImaging)} patientSide={patientSide} delivered={delivered} onGoTo={goTo} />}
        </>
      )}
    </Stack>
  );
}

/**
 * A second slide beside the first (e.g. an immunostain beside the H&E): its own opening (audited
 * like any), its own overview map, and, while linked, the same place and zoom as the first.
 */
function CompareViewer({ caseId, slideId, primary, primaryReady, linked, height, titleOf }: { caseId: string; slideId: string; primary: React.RefObject<OpenSeadragon.Viewer | null>; primaryReady: boolean; linked: boolean; height: string; titleOf: (s: Slide) => string }) {
  const { t } = useTranslation();
  const other = useQuery({ queryKey: ['slide-opened', caseId, slideId], queryFn: () => get<Slide>(`/cases/${caseId}/slides/${slideId}`), staleTime: Infinity, refetchOnWindowFocus: false });
  const element = useRef<HTMLDivElement>(null);
  const [viewer, setViewer] = useState<OpenSeadragon.Viewer | null>(null);
  const o = other.data;
  useEffect(() => {
    if (!o?.tiles || !element.current) return;
    const v = openViewer(element.current, caseId, o, 'BOTTOM_LEFT');
    v.addHandler('open', () => setViewer(v));
    return () => {
      setViewer(null);
      v.destroy();
    };
  }, [o, caseId]);
  useEffect(() => {
    if (!linked || !viewer || !primaryReady || !primary.current) return;
    return linkViewers(primary.current, viewer);
  }, [linked, viewer, primaryReady, primary]);
  if (other.error) return <ErrorNote error={other.error} />;
  return (
    <Stack gap={2}>
      <div ref={element} role="img" aria-label={t('records:slides.compare.second', { name: o ? titleOf(o) : '' })} data-testid="slide-viewer-second" style={{ width: '100%', height, minHeight: 240, background: '#f4f4f4', border: '1px solid #ddd' }} />
      {o && <Text size="xs" c="dimmed" style={{ overflowWrap: 'anywhere' }}>{titleOf(o)}</Text>}
    </Stack>
  );
}

function Control({ label, onClick, children }: { label: string; onClick: () => void; children: string }) {
  return (
    <Tooltip label={label}>
      <ActionIcon variant="default" size="lg" aria-label={label} onClick={onClick}>{children}</ActionIcon>
    </Tooltip>
  );
}
