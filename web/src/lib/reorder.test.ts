import { describe, expect, it } from "vitest";
import { afterIdOf, dropIndex, followIndex, keyStep, moveEntry } from "./reorder";

const ids = (list: { id: string }[]) => list.map((x) => x.id).join("");
const abcd = ["a", "b", "c", "d"].map((id) => ({ id }));

describe("reordering", () => {
  it("moves an entry up and down", () => {
    expect(ids(moveEntry(abcd, 0, 2))).toBe("bcad");
    expect(ids(moveEntry(abcd, 3, 0))).toBe("dabc");
    expect(ids(moveEntry(abcd, 1, 9))).toBe("acdb");
    expect(ids(moveEntry(abcd, 7, 0))).toBe("abcd");
  });

  it("names the entry the moved one follows, null at the top", () => {
    const moved = moveEntry(abcd, 3, 1);
    expect(afterIdOf(moved, 1)).toBe("a");
    expect(afterIdOf(moveEntry(abcd, 2, 0), 0)).toBeNull();
  });

  it("finds where a dragged row drops", () => {
    const middles = [10, 30, 50, 70];
    expect(dropIndex(0, middles, 2)).toBe(0);
    expect(dropIndex(45, middles, 0)).toBe(1);
    expect(dropIndex(45, middles, 2)).toBe(2);
    expect(dropIndex(99, middles, 1)).toBe(3);
  });

  it("reads Alt+arrows", () => {
    expect(keyStep({ key: "ArrowUp", altKey: true })).toBe(-1);
    expect(keyStep({ key: "ArrowDown", altKey: true })).toBe(1);
    expect(keyStep({ key: "ArrowDown", altKey: false })).toBe(0);
  });

  it("keeps the current entry current", () => {
    expect(followIndex(2, 2, 0)).toBe(0);
    expect(followIndex(2, 0, 3)).toBe(1);
    expect(followIndex(1, 3, 0)).toBe(2);
    expect(followIndex(1, 2, 3)).toBe(1);
  });
});
