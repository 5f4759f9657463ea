import { cs, initCornerstone, loadSeriesImageIds } from '../../web/src/pages/imaging/cornerstone.ts';

/**
 * The product's viewer code (Cornerstone3D set up by web/src/pages/imaging/cornerstone.ts) on a
 * bare page, pointed at a DICOMweb root given in the address: the same code reads our server and
 * the reference, and reports the time to the first image and to each slice while scrolling.
 */

interface ViewerRun { firstImageMs: number; seriesLoadedMs: number; scrollMs: number; slices: number }

const renderedOnce = (element: HTMLElement) =>
  new Promise<void>((resolve) => element.addEventListener(cs.Enums.Events.IMAGE_RENDERED, () => resolve(), { once: true }));

/** As the viewer page opens a series: the middle slice first, then the rest fetched behind it. */
async function run(base: string, studyUid: string, seriesUid: string): Promise<ViewerRun> {
  await initCornerstone();
  const element = document.getElementById('viewport') as HTMLDivElement;
  const engine = new cs.RenderingEngine('bench');
  engine.enableElement({ viewportId: 'ct', type: cs.Enums.ViewportType.STACK, element });
  const viewport = engine.getViewport('ct') as cs.Types.IStackViewport;
  const t0 = performance.now();
  const imageIds = await loadSeriesImageIds(base, studyUid, seriesUid);
  const middle = Math.floor(imageIds.length / 2);
  const first = renderedOnce(element);
  await viewport.setStack(imageIds, middle);
  await first;
  const firstImageMs = performance.now() - t0;
  const loaded = Promise.all(imageIds.map((id) => cs.imageLoader.loadAndCacheImage(id)));
  // The reviewer scrolls at once, through every other slice, each drawn before the next.
  const s0 = performance.now();
  for (let k = 1; k < imageIds.length; k++) {
    const drawn = renderedOnce(element);
    await viewport.setImageIdIndex((middle + k) % imageIds.length);
    await drawn;
  }
  const scrollMs = performance.now() - s0;
  await loaded;
  return { firstImageMs, seriesLoadedMs: performance.now() - t0, scrollMs, slices: imageIds.length - 1 };
}

const q = new URLSearchParams(location.search);
(window as unknown as { benchResult: Promise<ViewerRun> }).benchResult = run(q.get('base')!, q.get('study')!, q.get('series')!);
