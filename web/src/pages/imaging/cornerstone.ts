import * as cs from '@cornerstonejs/core';
import * as tools from '@cornerstonejs/tools';
import * as dicomLoader from '@cornerstonejs/dicom-image-loader';

/**
 * Cornerstone3D set up once per page: the WADO-RS image loader (its codecs run as WebAssembly in
 * web workers), the tools we offer, and a tool group per viewer. Loaded on demand, so pages
 * without images never download it.
 */

let ready: Promise<void> | null = null;

export function initCornerstone(): Promise<void> {
  ready ??= (async () => {
    // Without a GPU (some remote desktops, headless browsers) render on the CPU instead.
    const webgl = Boolean(document.createElement('canvas').getContext('webgl2'));
    cs.init({ rendering: { useCPURendering: !webgl }, debug: {} });
    dicomLoader.init({ maxWebWorkers: Math.max(1, Math.min(2, navigator.hardwareConcurrency || 1)) });
    tools.init();
    for (const Tool of [tools.StackScrollTool, tools.WindowLevelTool, tools.PanTool, tools.ZoomTool, tools.LengthTool, tools.AngleTool]) tools.addTool(Tool);
  })();
  return ready;
}

export type ToolName = 'WindowLevel' | 'Pan' | 'Zoom' | 'Length' | 'Angle';
const TOOL_CLASS: Record<ToolName, string> = {
  WindowLevel: tools.WindowLevelTool.toolName, Pan: tools.PanTool.toolName, Zoom: tools.ZoomTool.toolName, Length: tools.LengthTool.toolName, Angle: tools.AngleTool.toolName,
};

/** A tool group for the viewer's viewports: wheel scrolls, right drag zooms, middle drag pans. */
export function createToolGroup(id: string) {
  tools.ToolGroupManager.destroyToolGroup(id);
  const group = tools.ToolGroupManager.createToolGroup(id)!;
  for (const name of Object.values(TOOL_CLASS)) group.addTool(name);
  group.addTool(tools.StackScrollTool.toolName);
  const { MouseBindings } = tools.Enums;
  group.setToolActive(tools.StackScrollTool.toolName, { bindings: [{ mouseButton: MouseBindings.Wheel }] });
  group.setToolActive(tools.ZoomTool.toolName, { bindings: [{ mouseButton: MouseBindings.Secondary }] });
  group.setToolActive(tools.PanTool.toolName, { bindings: [{ mouseButton: MouseBindings.Auxiliary }] });
  group.setToolActive(tools.WindowLevelTool.toolName, { bindings: [{ mouseButton: MouseBindings.Primary }] });
  // Measurements are shown from the start, saved ones included; drawing them needs a tool chosen.
  group.setToolEnabled(tools.LengthTool.toolName);
  group.setToolEnabled(tools.AngleTool.toolName);
  return group;
}

/** Makes `tool` the left-button tool; the others stay passive so their annotations remain visible. */
export function selectPrimaryTool(group: tools.Types.IToolGroup, tool: ToolName) {
  const { MouseBindings } = tools.Enums;
  for (const [n, className] of Object.entries(TOOL_CLASS)) {
    if (n === tool) continue;
    if (n === 'Pan' || n === 'Zoom') group.setToolActive(className, { bindings: [{ mouseButton: n === 'Pan' ? MouseBindings.Auxiliary : MouseBindings.Secondary }] });
    else group.setToolPassive(className);
  }
  group.setToolActive(TOOL_CLASS[tool], { bindings: [{ mouseButton: MouseBindings.Primary }] });
}

interface DicomJsonAttr { vr: string; Value?: unknown[] }

/**
 * Loads a series' metadata from WADO-RS and registers it with the image loader; returns the
 * image ids in instance order (one per frame).
 */
export async function loadSeriesImageIds(base: string, studyUid: string, seriesUid: string): Promise<string[]> {
  const res = await fetch(`${base}/studies/${studyUid}/series/${seriesUid}/metadata`, { credentials: 'same-origin', headers: { accept: 'application/dicom+json' } });
  if (!res.ok) throw new Error(res.status === 404 ? 'This series was not found, or you no longer have access to it.' : `The images could not be loaded (${res.status}).`);
  const instances = (await res.json()) as Record<string, DicomJsonAttr>[];
  const num = (i: Record<string, DicomJsonAttr>, tag: string) => Number(i[tag]?.Value?.[0] ?? 0);
  instances.sort((a, b) => num(a, '00200013') - num(b, '00200013'));
  const ids: string[] = [];
  for (const instance of instances) {
    const sop = String(instance['00080018']?.Value?.[0]);
    const frames = Math.max(1, num(instance, '00280008'));
    for (let f = 1; f <= frames; f++) {
      const imageId = `wadors:${base}/studies/${studyUid}/series/${seriesUid}/instances/${sop}/frames/${f}`;
      dicomLoader.wadors.metaDataManager.add(imageId, instance as never);
      ids.push(imageId);
    }
  }
  return ids;
}

/** The instance UIDs an image id points at (for saving measurements against them). */
export function uidsOfImageId(imageId: string): { studyUid: string; seriesUid: string; sopInstanceUid: string } | null {
  const m = /studies\/([0-9.]+)\/series\/([0-9.]+)\/instances\/([0-9.]+)/.exec(imageId);
  return m ? { studyUid: m[1]!, seriesUid: m[2]!, sopInstanceUid: m[3]! } : null;
}

export interface SavedMeasurement { id: string; kind: 'length' | 'angle'; sopInstanceUid: string; points: number[][] }

const SAVED_PREFIX = 'saved-';

/**
 * Draws the measurements saved with the case on the images of `viewport` that they were made on.
 * They are locked: the saved record is what the list beside the viewer shows and removes. The
 * points are patient coordinates, so they land where the reviewer drew them on any screen.
 */
export function drawSavedMeasurements(viewport: cs.Types.IStackViewport, saved: SavedMeasurement[]) {
  const ids = viewport.getImageIds();
  const wanted = new Set(saved.map((m) => SAVED_PREFIX + m.id));
  for (const a of tools.annotation.state.getAllAnnotations()) {
    if (a.annotationUID?.startsWith(SAVED_PREFIX) && !wanted.has(a.annotationUID)) tools.annotation.state.removeAnnotation(a.annotationUID);
  }
  for (const m of saved) {
    const annotationUID = SAVED_PREFIX + m.id;
    const sliceIndex = ids.findIndex((id) => id.includes(`/instances/${m.sopInstanceUid}/frames/1`));
    if (sliceIndex < 0 || tools.annotation.state.getAnnotation(annotationUID)) continue;
    const reference = viewport.getViewReference({ sliceIndex });
    if (!reference) continue;
    const Tool = m.kind === 'angle' ? tools.AngleTool : tools.LengthTool;
    const annotation = Tool.createAnnotation({
      annotationUID, highlighted: false, isLocked: true,
      metadata: { ...reference, toolName: Tool.toolName }, data: { handles: { points: m.points.map((p) => [...p]) } },
    });
    tools.annotation.state.addAnnotation(annotation, viewport.element);
  }
  viewport.render();
}

export { cs, tools };
