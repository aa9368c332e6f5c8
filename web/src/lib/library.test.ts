import { describe, expect, it } from "vitest";
import type { Track } from "./api";
import { appendPage, mergeFirstPage, needsPolling, ownerBadge, statusText } from "./library";
import { track } from "../testing/tracks";

const t = (id: string, created: string, over: Partial<Track> = {}) =>
  track(id, { created_at: created, ...over });

describe("mergeFirstPage", () => {
  it("puts new tracks on top, refreshes known ones, keeps later pages, drops deleted", () => {
    const shown = [t("c", "03", { status: "processing" }), t("b", "02"), t("a", "01")];
    const fresh = [t("d", "04"), t("c", "03"), t("b", "02")].map((x) => ({ ...x }));
    // a is older than the fresh page: it came from a later page and stays.
    expect(mergeFirstPage(shown, fresh).map((x) => [x.id, x.status])).toEqual([
      ["d", "ready"],
      ["c", "ready"],
      ["b", "ready"],
      ["a", "ready"],
    ]);
    // b was deleted: within the fresh page's span but absent.
    expect(mergeFirstPage(shown, [t("d", "04"), t("c", "03"), t("a", "01")]).map((x) => x.id)).toEqual(
      ["d", "c", "a"],
    );
    expect(mergeFirstPage(shown, [])).toEqual([]);
  });

  it("appends later pages without duplicates", () => {
    expect(appendPage([t("b", "02")], [t("b", "02"), t("a", "01")]).map((x) => x.id)).toEqual([
      "b",
      "a",
    ]);
  });
});

describe("polling and labels", () => {
  it("polls while something is being processed or awaited", () => {
    expect(needsPolling([t("a", "1")], [])).toBe(false);
    expect(needsPolling([t("a", "1", { status: "processing" })], [])).toBe(true);
    expect(needsPolling([], ["x"])).toBe(true);
  });

  it("words statuses for people", () => {
    expect(
      statusText(t("a", "1", { status: "processing", progress: { percent: 41.6, step: "encoding", attempt: 1 } })),
    ).toBe("Encoding 42%");
    expect(statusText(t("a", "1", { status: "failed" }))).toBe("Failed");
    expect(statusText(t("a", "1", { status: "uploaded" }))).toBe("Waiting to process");
    expect(statusText(t("a", "1"))).toBe("Ready");
    // A status this page does not know yet is shown as the server says it.
    expect(statusText(t("a", "1", { status: "re_encoding" }))).toBe("Re encoding");
  });
});

describe("ownerBadge", () => {
  const names = new Map([["u-ann", "ann"]]);

  it("names the owner of someone else's track where the page knows them", () => {
    expect(ownerBadge({ owner_id: "u-ann" }, "u-me", names)).toEqual({ text: "ann", spoken: "Shared by ann" });
    expect(ownerBadge({ owner_id: "u-ben" }, "u-me", names)).toEqual({
      text: "Shared",
      spoken: "Shared by someone else",
    });
  });

  it("badges nothing of one's own, for a visitor, or without an owner", () => {
    expect(ownerBadge({ owner_id: "u-cy", owner_name: "cy" }, "u-me", names)).toEqual({
      text: "cy",
      spoken: "Shared by cy",
    });
    expect(ownerBadge({ owner_id: "u-me" }, "u-me", names)).toBeNull();
    expect(ownerBadge({ owner_id: "u-ann" }, null, names)).toBeNull();
    expect(ownerBadge({ owner_id: null }, "u-me", names)).toBeNull();
  });
});
