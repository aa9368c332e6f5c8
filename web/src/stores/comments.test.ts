import { afterEach, describe, expect, it, vi } from "vitest";
import { type TrackComment, commentMarkers, listComments, postComment } from "../lib/comments";
import { ApiError, setCsrfToken } from "../lib/http";
import { fakeFetch, header, json, problem } from "../testing/fetch";
import { type CommentsApi, TrackComments } from "./comments.svelte";

const comment = (id: string, position_s: number, over: Partial<TrackComment> = {}): TrackComment => ({
  id,
  track_id: "t",
  author_id: "u",
  author_name: "ann",
  position_s,
  body: `at ${position_s}`,
  created_at: `2025-01-01T00:00:0${id.length}Z`,
  deletable: true,
  ...over,
});

function fakeApi(initial: TrackComment[]) {
  let stored = initial;
  let refuse: ApiError | null = null;
  const api: CommentsApi = {
    listComments: async () => ({ items: stored, total: stored.length }),
    postComment: async (_t, position_s, body) => {
      if (refuse) throw refuse;
      const made = comment(`n${stored.length}`, position_s, { body });
      stored = [...stored, made];
      return made;
    },
    deleteComment: async (_t, id) => {
      if (refuse) throw refuse;
      stored = stored.filter((c) => c.id !== id);
    },
  };
  return { api, refuse: (e: ApiError | null) => (refuse = e) };
}

describe("TrackComments", () => {
  it("lists comments in track order and marks them on the waveform", async () => {
    const { api } = fakeApi([comment("b", 90), comment("a", 12)]);
    const comments = new TrackComments("t", api);
    await comments.load();
    expect(comments.items.map((c) => c.id)).toEqual(["a", "b"]);
    expect(commentMarkers(comments.items)).toEqual([
      { at: 12, label: "ann: at 12" },
      { at: 90, label: "ann: at 90" },
    ]);
  });

  it("adds a comment at the whole second playback is at", async () => {
    const { api } = fakeApi([comment("a", 100)]);
    const comments = new TrackComments("t", api);
    await comments.load();
    await comments.add(83.7, "  the bridge  ");
    expect(comments.items.map((c) => [c.position_s, c.body])).toEqual([
      [83, "the bridge"],
      [100, "at 100"],
    ]);
    await expect(comments.add(1, "   ")).rejects.toThrow("Write something first.");
  });

  it("passes the server's refusal on to the form", async () => {
    const { api, refuse } = fakeApi([]);
    const comments = new TrackComments("t", api);
    refuse(new ApiError(422, "The position is past the end of the track."));
    await expect(comments.add(999, "late")).rejects.toThrow("past the end");
    expect(comments.items).toHaveLength(0);
  });

  it("puts a comment back when its deletion is refused", async () => {
    const { api, refuse } = fakeApi([comment("a", 1)]);
    const comments = new TrackComments("t", api);
    await comments.load();
    refuse(new ApiError(404, "This no longer exists on the server."));
    await comments.remove(comments.items[0]);
    expect(comments.items).toHaveLength(1);
    expect(comments.error).toBe("This no longer exists on the server.");
  });
});

describe("comment API", () => {
  afterEach(() => {
    setCsrfToken(null);
    vi.unstubAllGlobals();
  });

  it("posts with the CSRF token and shows the problem's words", async () => {
    setCsrfToken("tok");
    const sent = fakeFetch(
      json(200, { items: [], total: 0 }),
      problem(422, "validation", "The comment is past the end of the track."),
    );
    await listComments("t/1");
    expect(sent[0].url).toBe("/api/tracks/t%2F1/comments?limit=500");
    await expect(postComment("t", 400, "x")).rejects.toThrow("The comment is past the end of the track.");
    expect(sent[1].init.body).toBe('{"position_s":400,"body":"x"}');
    expect(header(sent[1].init, "X-CSRF-Token")).toBe("tok");
  });
});
