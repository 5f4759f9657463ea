import { Alert, Group, Loader, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

type Cornerstone = typeof import('../imaging/cornerstone.ts');
type StackViewport = import('@cornerstonejs/core').Types.IStackViewport;
type SavedMeasurement = import('../imaging/cornerstone.ts').SavedMeasurement;

export interface ViewerPosition { index: number; voi?: { lower: number; upper: number } }

const DICOMWEB = `${window.location.origin}/dicomweb`;
let engines = 0;

/**
 * One series in the board room, driven from outside: the presenter's scrolling and window/level
 * go out through `onMove`; a follower's viewer goes where `position` says. The images load through
 * DICOMweb like the diagnostic viewer's (each member's own access is checked and audited there).
 */
export function SharedViewer({ studyUid, seriesUid, position, onMove, showSop, measurements }: {
  studyUid: string; seriesUid: string; position: ViewerPosition | null; onMove?: (p: ViewerPosition) => void;
  /** The reviewers' measurements on this series, drawn where they were made. */
  measurements: SavedMeasurement[];
  /** Go to the image a measurement was made on (the presenter's page; followers follow the slice). */
  showSop?: { sop: string; at: number } | null;
}) {
  const { t } = useTranslation();
  const element = useRef<HTMLDivElement>(null);
  const viewport = useRef<StackViewport | null>(null);
  const cs = useRef<Cornerstone | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [shown, setShown] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [stackShown, setStackShown] = useState(false);
  const onMoveRef = useRef(onMove);
  onMoveRef.current = onMove;
  // A change we make because the presenter moved is not sent back as our own move.
  const applying = useRef(false);

  useEffect(() => {
    let cancelled = false;
    const engineId = `board-viewer-${++engines}`;
    const groupId = `${engineId}-tools`;
    let cleanup = () => {};
    (async () => {
      const mod = await import('../imaging/cornerstone.ts');
      await mod.initCornerstone();
      if (cancelled || !element.current) return;
      cs.current = mod;
      const engine = new mod.cs.RenderingEngine(engineId);
      const group = mod.createToolGroup(groupId);
      engine.enableElement({ viewportId: 'shared', element: element.current, type: mod.cs.Enums.ViewportType.STACK });
      group.addViewport('shared', engineId);
      // Followers look; only the presenter's hand moves the shared view.
      if (!onMoveRef.current) for (const name of [mod.tools.StackScrollTool.toolName, mod.tools.WindowLevelTool.toolName]) group.setToolDisabled(name);
      const vp = engine.getViewport('shared') as StackViewport;
      viewport.current = vp;
      const ids = await mod.loadSeriesImageIds(DICOMWEB, studyUid, seriesUid);
      if (cancelled) return;
      setTotal(ids.length);
      const el = element.current;
      const onNewImage = () => {
        setShown(vp.getCurrentImageIdIndex());
        if (!applying.current) onMoveRef.current?.({ index: vp.getCurrentImageIdIndex(), voi: vp.getProperties().voiRange });
      };
      const onVoi = () => {
        if (!applying.current) onMoveRef.current?.({ index: vp.getCurrentImageIdIndex(), voi: vp.getProperties().voiRange });
      };
      el.addEventListener(mod.cs.Enums.Events.STACK_NEW_IMAGE, onNewImage);
      el.addEventListener(mod.cs.Enums.Events.VOI_MODIFIED, onVoi);
      cleanup = () => {
        el.removeEventListener(mod.cs.Enums.Events.STACK_NEW_IMAGE, onNewImage);
        el.removeEventListener(mod.cs.Enums.Events.VOI_MODIFIED, onVoi);
        mod.tools.ToolGroupManager.destroyToolGroup(groupId);
        engine.destroy();
      };
      await vp.setStack(ids, Math.min(ids.length - 1, Math.max(0, position?.index ?? Math.floor(ids.length / 2))));
      if (position?.voi) vp.setProperties({ voiRange: position.voi });
      vp.render();
      setStackShown(true);
      setShown(vp.getCurrentImageIdIndex());
      for (const id of ids) void mod.cs.imageLoader.loadAndCacheImage(id).catch(() => undefined);
    })().catch((e: Error) => setError(e.message));
    return () => {
      cancelled = true;
      cleanup();
      viewport.current = null;
      setStackShown(false);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [studyUid, seriesUid]);

  useEffect(() => {
    if (viewport.current && cs.current && stackShown) cs.current.drawSavedMeasurements(viewport.current, measurements);
  }, [stackShown, measurements]);

  useEffect(() => {
    const vp = viewport.current;
    if (!vp || !showSop) return;
    const index = vp.getImageIds().findIndex((id) => id.includes(`/instances/${showSop.sop}/`));
    if (index >= 0) void vp.setImageIdIndex(index);
  }, [showSop]);

  // Follow the presenter: slice, then window/level.
  useEffect(() => {
    const vp = viewport.current;
    if (!vp || !position || !total) return;
    applying.current = true;
    (async () => {
      if (vp.getCurrentImageIdIndex() !== position.index) await vp.setImageIdIndex(Math.min(total - 1, position.index));
      if (position.voi) {
        vp.setProperties({ voiRange: position.voi });
        vp.render();
      }
    })().finally(() => {
      applying.current = false;
    });
  }, [position?.index, position?.voi?.lower, position?.voi?.upper, total]);

  return (
    <div>
      {error && <Alert color="red" title={t('boards:viewer.failed')}>{error}</Alert>}
      <div ref={element} data-testid="shared-viewport" onContextMenu={(e) => e.preventDefault()} style={{ width: '100%', height: 420, background: '#000', position: 'relative' }} />
      <Group gap="xs" mt={4}>
        {total === null && !error && <Loader size="xs" role="status" aria-label={t('boards:viewer.loading')} />}
        <Text size="xs" c="dimmed" data-testid="shared-slice" data-index={shown}>{total === null ? t('boards:viewer.loadingText') : t('boards:viewer.position', { index: shown + 1, total })}</Text>
      </Group>
    </div>
  );
}
