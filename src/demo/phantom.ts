/**
 * A CT-like phantom slice in Hounsfield units (stored with rescale slope 1, intercept -1024): a
 * body ellipse with two lungs, a spine-like disc and a small nodule that moves through the
 * slices, so scrolling visibly changes the image. Synthetic: no patient was ever scanned.
 */
export function phantomPixels(rows: number, columns: number, slice = 0): Int16Array {
  const px = new Int16Array(rows * columns);
  const cx = columns / 2;
  const cy = rows / 2;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < columns; x++) {
      const nx = (x - cx) / (columns * 0.42);
      const ny = (y - cy) / (rows * 0.32);
      let hu = -1000;
      if (nx * nx + ny * ny < 1) hu = 40;
      const lung = (lx: number) => ((x - lx) / (columns * 0.14)) ** 2 + ((y - cy) / (rows * 0.22)) ** 2 < 1;
      if (lung(cx - columns * 0.2) || lung(cx + columns * 0.2)) hu = -850;
      if ((x - cx) ** 2 + (y - (cy + rows * 0.2)) ** 2 < (rows * 0.05) ** 2) hu = 700;
      if ((x - (cx - columns * 0.2)) ** 2 + (y - (cy - rows * 0.05 + (slice % 40) - 20)) ** 2 < (rows * 0.02) ** 2) hu = 30;
      px[y * columns + x] = hu + 1024;
    }
  }
  return px;
}
