import { describe, expect, it } from "vitest";
import { isPermutation, nextRepeat, orderMoved, orderWithInserted, orderWithout, shuffledOrder, stepIndex } from "./playorder";

/** A fixed sequence of "random" numbers, cycled. */
const seq = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length];
};

describe("shuffledOrder", () => {
  it("is a permutation with the current entry first", () => {
    for (const first of [0, 3, 6]) {
      const order = shuffledOrder(7, first, seq(0.9, 0.1, 0.5, 0.3));
      expect(isPermutation(order, 7)).toBe(true);
      expect(order[0]).toBe(first);
    }
    expect(shuffledOrder(0, -1)).toEqual([]);
    expect(isPermutation(shuffledOrder(4, -1), 4)).toBe(true);
  });

  it("tells a permutation from what is not one", () => {
    expect(isPermutation([2, 0, 1], 3)).toBe(true);
    expect(isPermutation([0, 0, 1], 3)).toBe(false);
    expect(isPermutation([0, 1], 3)).toBe(false);
    expect(isPermutation([0, 1, 3], 3)).toBe(false);
    expect(isPermutation(null, 0)).toBe(false);
  });
});

describe("stepIndex", () => {
  const list = { length: 4, order: null };

  it("repeat off: goes through the list and stops at either end", () => {
    expect(stepIndex({ ...list, index: 0, repeat: "off" }, 1)).toBe(1);
    expect(stepIndex({ ...list, index: 3, repeat: "off" }, 1)).toBeNull();
    expect(stepIndex({ ...list, index: 3, repeat: "off" }, 1, true)).toBeNull();
    expect(stepIndex({ ...list, index: 2, repeat: "off" }, -1)).toBe(1);
    expect(stepIndex({ ...list, index: 0, repeat: "off" }, -1)).toBeNull();
  });

  it("repeat all: wraps at both ends, by itself and on a press", () => {
    expect(stepIndex({ ...list, index: 3, repeat: "all" }, 1, true)).toBe(0);
    expect(stepIndex({ ...list, index: 3, repeat: "all" }, 1)).toBe(0);
    expect(stepIndex({ ...list, index: 0, repeat: "all" }, -1)).toBe(3);
    // A queue of one plays it again.
    expect(stepIndex({ length: 1, order: null, index: 0, repeat: "all" }, 1, true)).toBe(0);
  });

  it("repeat one: the track's end plays it again, a press moves on (and wraps)", () => {
    expect(stepIndex({ ...list, index: 2, repeat: "one" }, 1, true)).toBe(2);
    expect(stepIndex({ ...list, index: 2, repeat: "one" }, 1)).toBe(3);
    expect(stepIndex({ ...list, index: 3, repeat: "one" }, 1)).toBe(0);
    expect(stepIndex({ ...list, index: 0, repeat: "one" }, -1)).toBe(3);
  });

  it("shuffle: follows the order, not the list", () => {
    const shuffled = { length: 4, order: [2, 0, 3, 1] };
    expect(stepIndex({ ...shuffled, index: 2, repeat: "off" }, 1)).toBe(0);
    expect(stepIndex({ ...shuffled, index: 0, repeat: "off" }, 1)).toBe(3);
    expect(stepIndex({ ...shuffled, index: 3, repeat: "off" }, -1)).toBe(0);
    expect(stepIndex({ ...shuffled, index: 1, repeat: "off" }, 1)).toBeNull();
    expect(stepIndex({ ...shuffled, index: 2, repeat: "off" }, -1)).toBeNull();
    expect(stepIndex({ ...shuffled, index: 1, repeat: "all" }, 1, true)).toBe(2);
    expect(stepIndex({ ...shuffled, index: 2, repeat: "all" }, -1)).toBe(1);
    expect(stepIndex({ ...shuffled, index: 3, repeat: "one" }, 1, true)).toBe(3);
    expect(stepIndex({ ...shuffled, index: 3, repeat: "one" }, 1)).toBe(1);
  });

  it("skips entries that cannot play, and gives up on a list of none", () => {
    const playable = (at: number) => at !== 1 && at !== 2;
    expect(stepIndex({ ...list, index: 0, repeat: "off" }, 1, false, playable)).toBe(3);
    expect(stepIndex({ ...list, index: 3, repeat: "off" }, -1, false, playable)).toBe(0);
    expect(stepIndex({ ...list, index: 3, repeat: "all" }, 1, true, playable)).toBe(0);
    expect(stepIndex({ ...list, index: 0, repeat: "all" }, 1, false, () => false)).toBeNull();
    expect(stepIndex({ length: 0, order: null, index: -1, repeat: "all" }, 1)).toBeNull();
  });

  it("with no current entry starts from the top of the play order", () => {
    expect(stepIndex({ length: 3, order: [2, 1, 0], index: -1, repeat: "off" }, 1)).toBe(2);
    expect(stepIndex({ length: 3, order: null, index: -1, repeat: "off" }, -1)).toBeNull();
  });
});

describe("keeping the shuffled order in step with the list", () => {
  it("drops a removed entry and renumbers the rest", () => {
    expect(orderWithout([2, 0, 3, 1], 0)).toEqual([1, 2, 0]);
  });

  it("plays entries added as next right after the current one", () => {
    // List a b c d, current c (2), order c a d b; two entries go in after c (at 3).
    expect(orderWithInserted([2, 0, 3, 1], 3, 2, 2, true)).toEqual([2, 3, 4, 0, 5, 1]);
  });

  it("puts appended entries somewhere after the current one", () => {
    const order = orderWithInserted([2, 0, 3, 1], 4, 2, 0, false, seq(0, 0.99));
    expect(isPermutation(order, 6)).toBe(true);
    // The current entry (0) is second in the order: what came before it stays before it.
    expect(order.slice(0, 2)).toEqual([2, 0]);
  });

  it("follows a moved entry", () => {
    // Entry 0 moves to 2: old 1, 2 become 0, 1.
    expect(orderMoved([2, 0, 3, 1], 0, 2)).toEqual([1, 2, 3, 0]);
    expect(orderMoved([2, 0, 3, 1], 3, 0)).toEqual([3, 1, 0, 2]);
  });

  it("cycles repeat off, all, one", () => {
    expect(nextRepeat("off")).toBe("all");
    expect(nextRepeat("all")).toBe("one");
    expect(nextRepeat("one")).toBe("off");
  });
});
