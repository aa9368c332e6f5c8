/**
 * The order a queue plays in: its own, or a shuffled permutation of its indexes (the
 * server's `shuffle_order`), and what Next, Previous and a track's end do under each
 * repeat mode. Pure: the queue store keeps the state, these compute on it.
 */
import type { Repeat } from "./queue";

/** A permutation of `0..length-1` with `first` in front (where it is a valid index). */
export function shuffledOrder(length: number, first: number, random: () => number = Math.random): number[] {
  const order = Array.from({ length }, (_, i) => i);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  if (first >= 0 && first < length) {
    order.splice(order.indexOf(first), 1);
    order.unshift(first);
  }
  return order;
}

/** Whether `order` holds every index of a list of `length` once. */
export function isPermutation(order: readonly number[] | null | undefined, length: number): order is number[] {
  if (!order || order.length !== length) return false;
  const seen = new Set<number>();
  for (const i of order) {
    if (!Number.isInteger(i) || i < 0 || i >= length || seen.has(i)) return false;
    seen.add(i);
  }
  return true;
}

export interface PlayOrder {
  length: number;
  /** The current entry (an index of the list); -1: none. */
  index: number;
  /** The shuffled order; null (or shuffle off): the list's own. */
  order: readonly number[] | null;
  repeat: Repeat;
}

/**
 * The entry to play after (+1) or before (-1) the current one; null: none (the end, with
 * repeat off). `auto`: the current track ended by itself, so repeat one plays it again;
 * a press moves on even then (and wraps, as repeat all does). `playable` skips entries
 * that cannot be played now.
 */
export function stepIndex(
  { length, index, order, repeat }: PlayOrder,
  direction: 1 | -1,
  auto = false,
  playable: (at: number) => boolean = () => true,
): number | null {
  if (length === 0) return null;
  if (auto && repeat === "one" && index >= 0 && index < length && playable(index)) return index;
  const sequence = order && order.length === length ? order : null;
  const at = (pos: number) => (sequence ? sequence[pos] : pos);
  // The current entry not in the order (or none): start from the top.
  const pos = index < 0 ? -1 : sequence ? sequence.indexOf(index) : index;
  if (pos === -1) {
    if (direction === -1) return null;
    for (let p = 0; p < length; p++) if (playable(at(p))) return at(p);
    return null;
  }
  const wraps = repeat === "all" || (repeat === "one" && !auto);
  // With wrapping, the last step comes back to the current entry (a queue of one repeats).
  for (let step = 1; step <= length; step++) {
    let p = pos + direction * step;
    if (p < 0 || p >= length) {
      if (!wraps) return null;
      p = (p + length) % length;
    }
    if (playable(at(p))) return at(p);
  }
  return null;
}

/** The shuffled order after the entry at `at` left the list. */
export function orderWithout(order: readonly number[], at: number): number[] {
  return order.filter((i) => i !== at).map((i) => (i > at ? i - 1 : i));
}

/**
 * The shuffled order after `count` entries were put into the list at `at`: they play
 * right after the current one (`next`), else each at a random place still to come.
 */
export function orderWithInserted(
  order: readonly number[],
  at: number,
  count: number,
  current: number,
  next: boolean,
  random: () => number = Math.random,
): number[] {
  const result = order.map((i) => (i >= at ? i + count : i));
  const shiftedCurrent = current >= at ? current + count : current;
  const pos = result.indexOf(shiftedCurrent);
  const added = Array.from({ length: count }, (_, k) => at + k);
  if (next) {
    result.splice(pos + 1, 0, ...added);
    return result;
  }
  for (const i of added) {
    // Anywhere after the current entry (the ones before it were played already).
    const from = pos + 1;
    const place = from + Math.floor(random() * (result.length - from + 1));
    result.splice(place, 0, i);
  }
  return result;
}

/** The shuffled order after the entry at `from` moved to `to` (it keeps its turn). */
export function orderMoved(order: readonly number[], from: number, to: number): number[] {
  return order.map((i) => {
    if (i === from) return to;
    if (from < to && i > from && i <= to) return i - 1;
    if (from > to && i >= to && i < from) return i + 1;
    return i;
  });
}

/** The next repeat mode a press on the repeat button gives. */
export function nextRepeat(repeat: Repeat): Repeat {
  return repeat === "off" ? "all" : repeat === "all" ? "one" : "off";
}
