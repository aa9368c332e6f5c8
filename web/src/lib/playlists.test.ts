import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeFetch, header, json, noContent, problem } from "../testing/fetch";
import { playlist } from "../testing/playlists";
import { setCsrfToken } from "./http";
import {
  addItems,
  canEdit,
  createInvite,
  importPlaylist,
  inviteLink,
  listCollaborators,
  moveItem,
  playlistGroup,
  playlistSummary,
  removeItems,
  updatePlaylist,
} from "./playlists";
import { ProblemError } from "./problems";

describe("playlist API", () => {
  beforeEach(() => setCsrfToken("tok"));
  afterEach(() => {
    setCsrfToken(null);
    vi.unstubAllGlobals();
  });

  it("moves an entry after another, with the CSRF token", async () => {
    const sent = fakeFetch(json(200, { item: {}, version: 3 }));
    expect(await moveItem("p 1", "i/2", null)).toEqual({ item: {}, version: 3 });
    expect(sent[0].url).toBe("/api/playlists/p%201/items/i%2F2/move");
    expect(sent[0].init.method).toBe("POST");
    expect(sent[0].init.body).toBe('{"after_item_id":null}');
    expect(header(sent[0].init, "X-CSRF-Token")).toBe("tok");
  });

  it("adds at the end unless told where, and removes by a body", async () => {
    const sent = fakeFetch(json(200, { items: [], version: 2 }), json(200, { items: [], version: 3 }), json(200, { version: 4 }));
    await addItems("p", ["a", "b"]);
    await addItems("p", ["c"], null);
    await removeItems("p", ["i1"]);
    expect(sent.map((s) => s.init.body)).toEqual([
      '{"track_ids":["a","b"]}',
      '{"track_ids":["c"],"after_item_id":null}',
      '{"item_ids":["i1"]}',
    ]);
    expect(sent[2].init.method).toBe("DELETE");
  });

  it("keeps which rule a refusal is about", async () => {
    const sent = fakeFetch(
      json(422, {
        title: "x",
        detail: "The request is not valid.",
        errors: [{ where: "body.rules.rules.1.value", message: "Input should be a valid integer" }],
      }),
    );
    const error = await updatePlaylist("p", { name: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProblemError);
    expect((error as ProblemError).errors).toEqual([
      { where: "body.rules.rules.1.value", message: "Input should be a valid integer" },
    ]);
    expect((error as ProblemError).message).toBe("value: Input should be a valid integer");
    expect(header(sent[0].init, "X-CSRF-Token")).toBe("tok");
  });

  it("sends a playlist file as it is", async () => {
    const sent = fakeFetch(json(201, { playlist: playlist("n"), unmatched: ["x.mp3"] }));
    const file = Object.assign(new Blob(["#EXTM3U\nx.mp3\n"]), { name: "mix.m3u8" });
    const answer = await importPlaylist(file, "Mix");
    expect(answer.unmatched).toEqual(["x.mp3"]);
    expect(sent[0].url).toBe("/api/playlists/import?name=Mix");
    expect(header(sent[0].init, "content-type")).toBe("audio/x-mpegurl");
    expect(header(sent[0].init, "X-CSRF-Token")).toBe("tok");
    expect(sent[0].init.body).toBe(file);
  });

  it("reads collaborators, and makes invite links whole", async () => {
    fakeFetch(
      json(200, [{ user_id: "u", username: "ann", role: "editor" }]),
      json(201, { code: "abc", url: "/#/playlists/join/abc" }),
    );
    expect((await listCollaborators("p")).map((c) => c.username)).toEqual(["ann"]);
    const invite = await createInvite("p", "viewer");
    expect(inviteLink(invite, "https://music.example")).toBe("https://music.example/#/playlists/join/abc");
  });

  it("says why a request failed", async () => {
    fakeFetch(problem(409, "reload", "The playlist changed."), noContent());
    await expect(moveItem("p", "i", "j")).rejects.toMatchObject({ status: 409, code: "reload" });
  });
});

describe("playlist words", () => {
  it("sums up a playlist", () => {
    expect(playlistSummary({ item_count: 1, duration: 0 })).toBe("1 track");
    expect(playlistSummary({ item_count: 12, duration: 2890 })).toBe("12 tracks · 48 min");
    expect(playlistSummary({ item_count: 40, duration: 7500 })).toBe("40 tracks · 2 h 5 min");
  });

  it("knows who may change what", () => {
    expect(canEdit(playlist("a", { role: "editor" }))).toBe(true);
    expect(canEdit(playlist("a", { role: "viewer" }))).toBe(false);
    expect(canEdit(playlist("a", { kind: "smart" }))).toBe(false);
    expect(playlistGroup(playlist("a", { role: null }))).toBe("public");
    expect(playlistGroup(playlist("a", { role: "viewer" }))).toBe("shared");
  });
});
