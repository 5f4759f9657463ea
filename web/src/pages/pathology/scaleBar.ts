/**
 * The scale bar of the slide viewer: the longest round length (1, 2 or 5 times a power of ten,
 * in µm or mm) that fits in `maxPx` screen pixels at the current zoom.
 */
export function scaleBar(micronsPerScreenPixel: number, maxPx = 150): { px: number; microns: number; label: string } | null {
  if (!(micronsPerScreenPixel > 0) || !Number.isFinite(micronsPerScreenPixel)) return null;
  const most = micronsPerScreenPixel * maxPx;
  const power = 10 ** Math.floor(Math.log10(most));
  const microns = [5, 2, 1].map((m) => m * power).find((v) => v <= most)!;
  const label = microns >= 1000 ? `${trim(microns / 1000)} mm` : `${trim(microns)} µm`;
  return { px: microns / micronsPerScreenPixel, microns, label };
}

const trim = (n: number) => String(Number(n.toPrecision(3)));

/** The magnification a zoom corresponds to, from the scanner's objective (e.g. 40× scanned, shown at half size: 20×). */
export function magnification(objectivePower: number | null, imagePixelsPerScreenPixel: number): string | null {
  if (!objectivePower || !(imagePixelsPerScreenPixel > 0)) return null;
  const m = objectivePower / imagePixelsPerScreenPixel;
  return `${m >= 10 ? Math.round(m) : trim(m)}×`;
}
