import { ActionIcon, Alert, Anchor, Button, Group, Loader, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import OpenSeadragon from 'openseadragon';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { get } from '../../api.ts';
import type { Me } from '../../auth.tsx';
import { useCaseCan } from '../../caseData.ts';
import { ErrorNote } from '../../components.tsx';
import { magnification, scaleBar } from './scaleBar.ts';
import type { Slide } from './SlidesPanel.tsx';
import { MeasurementList, MeasurementOverlay, NoteInput, useMeasuring, useSlideAnnotations, type SlideAnnotation } from './SlideMeasurements.tsx';

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
  const [measuring, setMeasuring] = useState(false);
  const [note, setNote] = useState('');
  const s = slide.data;
  const can = useCaseCan(caseId);
  const annotations = useSlideAnnotations(caseId, slideId);
  const { first, save } = useMeasuring(viewer, ready, caseId, slideId, measuring, { value: note, clear: () => setNote('') });
  const mayMeasure = Boolean(can?.annotateImaging && s?.micronsPerPixel);

  useEffect(() => {
    if (!s?.tiles || !element.current) return;
    ensureViewerStyle();
    const v = OpenSeadragon({
      element: element.current,
      tileSources: {
        Image: {
          xmlns: 'http://schemas.microsoft.com/deepzoom/2008', Url: `/api/cases/${caseId}/slides/${slideId}/tiles/`,
          Format: s.tiles.format, Overlap: String(s.tiles.overlap), TileSize: String(s.tiles.size), Size: { Width: String(s.width), Height: String(s.height) },
        },
      } as unknown as OpenSeadragon.TileSourceOptions,
      showNavigationControl: false, showNavigator: true, navigatorPosition: 'BOTTOM_RIGHT', navigatorSizeRatio: 0.18, navigatorAutoFade: false,
      maxZoomPixelRatio: 2, visibilityRatio: 0.5, animationTime: 0.6,
      gestureSettingsMouse: { clickToZoom: false, dblClickToZoom: true },
    });
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
          <Title order={2} size="h3" style={{ overflowWrap: 'anywhere' }}>{s?.filename ?? t('records:slides.title')}</Title>
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
              {mayMeasure
                ? <Button size="xs" variant={measuring ? 'filled' : 'light'} onClick={() => setMeasuring((m) => !m)}>{measuring ? t('records:slides.measure.stop') : t('records:slides.measure.button')}</Button>
                : <Text size="sm" c="dimmed">{t('records:slides.measure.noScale')}</Text>}
              {measuring && <NoteInput value={note} onChange={setNote} />}
              {measuring && <Text size="sm" role="status">{first ? t('records:slides.measure.hintSecond') : t('records:slides.measure.hint')}</Text>}
            </Group>
          )}
          {save.error && <ErrorNote error={save.error} />}
          <div style={{ position: 'relative' }}>
            <div ref={element} role="img" aria-label={t('records:slides.viewer.area')} data-testid="slide-viewer" style={{ width: '100%', height: 'calc(100dvh - 220px)', minHeight: 320, background: '#f4f4f4', border: '1px solid #ddd' }} />
            <MeasurementOverlay viewer={viewer} ready={ready} annotations={annotations.data ?? []} first={first} />
            {bar && (
              <div data-testid="scale-bar" data-microns={bar.microns} style={{ position: 'absolute', left: 12, bottom: 12, background: 'rgba(255,255,255,0.85)', padding: '4px 8px', borderRadius: 4 }}>
                <div style={{ width: bar.px, height: 6, borderLeft: '2px solid #000', borderRight: '2px solid #000', borderBottom: '2px solid #000' }} />
                <Text size="xs" fw={600}>{bar.label}</Text>
              </div>
            )}
          </div>
          <Group gap="md">
            {shownAt && <Text size="sm" data-testid="magnification">{t('records:slides.viewer.magnification', { value: shownAt })}</Text>}
            {!s.micronsPerPixel && <Text size="sm" c="dimmed">{t('records:slides.noScale')}</Text>}
            <Text size="sm" c="dimmed">{t('records:slides.viewer.help')}</Text>
          </Group>
          {s.labelMayShowName && <Text size="xs" c="dimmed">{t('records:slides.label')}</Text>}
          {annotations.error && <ErrorNote error={annotations.error} />}
          {annotations.data && <MeasurementList caseId={caseId} slideId={slideId} slideName={s.filename} annotations={annotations.data} myId={me.user.id} reviewer={Boolean(can?.annotateImaging)} onGoTo={goTo} />}
        </>
      )}
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
