/**
 * Moving one entry of a list to another place: the pure half of drag-to-reorder (pointer
 * or keyboard), shared by the playlist and the queue.
 */

/** `list` with the entry at `from` moved to index `to` (indexes of the result). */
export function moveEntry<T>(list: readonly T[], from: number, to: number): T[] {
  const next = [...list];
  if (from < 0 || from >= next.length) return next;
  const [moved] = next.splice(from, 1);
  next.splice(Math.max(0, Math.min(to, next.length)), 0, moved);
  return next;
}

/**
 * The id of the entry the moved one lands after, as the server wants it (null: first).
 * `list` is the order after the move.
 */
export function afterIdOf<T extends { id: string }>(list: readonly T[], at: number): string | null {
  return at > 0 ? (list[at - 1]?.id ?? null) : null;
}

/**
 * Where a dragged row lands: the index among `middles` (the vertical middle of each row,
 * top to bottom, the dragged one included) for a pointer at `y`, as an index of the list
 * after the move.
 */
export function dropIndex(y: number, middles: readonly number[], from: number): number {
  let before = middles.findIndex((middle) => y < middle);
  if (before === -1) before = middles.length;
  // Rows above the dragged one shift up once it is taken out.
  return before > from ? before - 1 : before;
}

/** Alt+ArrowUp / Alt+ArrowDown on a row: the step it asks for, else 0. */
export function keyStep(event: Pick<KeyboardEvent, "key" | "altKey">): -1 | 0 | 1 {
  if (!event.altKey) return 0;
  if (event.key === "ArrowUp") return -1;
  if (event.key === "ArrowDown") return 1;
  return 0;
}

/**
 * The current index after the entry at `from` moved to `to`: it follows the current
 * entry, whichever moved.
 */
export function followIndex(current: number, from: number, to: number): number {
  if (current === from) return to;
  if (from < current && to >= current) return current - 1;
  if (from > current && to <= current) return current + 1;
  return current;
}
