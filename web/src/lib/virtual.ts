/**
 * A long list drawn a window at a time: only the rows on screen (and a few either side)
 * exist in the page, each at its place in a box as tall as the whole list, and the rows
 * are fetched a page at a time by offset as they come into view.
 */

export interface Range {
  /** First row drawn. */
  start: number;
  /** One past the last row drawn. */
  end: number;
}

/**
 * The rows to draw: those between the top and the bottom of the viewport, plus
 * `overscan` either side, within 0..total.
 *
 * @param top where the viewport's top is, measured from the list's top (px; negative
 *   while the list starts below the top of the viewport)
 */
export function visibleRange(top: number, viewport: number, rowHeight: number, total: number, overscan = 8): Range {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, top) / rowHeight);
  const last = Math.ceil(Math.max(0, top + viewport) / rowHeight);
  return {
    start: Math.max(0, Math.min(total, first - overscan)),
    end: Math.max(0, Math.min(total, last + overscan)),
  };
}

/** The pages (by index) that hold the rows of `range`. */
export function pagesFor(range: Range, pageSize: number): number[] {
  if (range.end <= range.start) return [];
  const first = Math.floor(range.start / pageSize);
  const last = Math.floor((range.end - 1) / pageSize);
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}

/** The indices from a to b, both included, in either order. */
export function span(a: number, b: number): number[] {
  const [lo, hi] = a <= b ? [a, b] : [b, a];
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}
