import { describe, expect, it } from "vitest";
import { type Route, parseRoute, routeHref, samePlace } from "./route";

describe("routes", () => {
  it.each([
    ["", { page: "home" }],
    ["#/", { page: "home" }],
    ["#/albums", { page: "albums" }],
    ["#/albums/al_1", { page: "album", id: "al_1" }],
    ["#/artists", { page: "artists" }],
    ["#/artists/ar%2F2", { page: "artist", id: "ar/2" }],
    ["#/tracks", { page: "tracks" }],
    ["#/tracks/t1", { page: "track", id: "t1" }],
    ["#/playlists", { page: "playlists" }],
    ["#/playlists/p1", { page: "playlist", id: "p1" }],
    ["#/playlists/join/Code-9", { page: "playlist-join", code: "Code-9" }],
    ["#/playlists/join", { page: "playlists" }],
    ["#/liked", { page: "liked" }],
    ["#/upload", { page: "upload" }],
    ["#/queue", { page: "queue" }],
    ["#/live", { page: "live" }],
    ["#/charts", { page: "charts" }],
    ["#/history", { page: "history" }],
    ["#/stats", { page: "stats" }],
    ["#/settings", { page: "settings" }],
    ["#/admin", { page: "admin" }],
    ["#/signin", { page: "signin" }],
    ["#/join/abc-DEF_123", { page: "join", code: "abc-DEF_123" }],
    ["#/join", { page: "join", code: "" }],
    ["#/albums?sort=year", { page: "albums" }],
    ["#/nowhere", { page: "home" }],
    ["#/settings/extra", { page: "home" }],
    ["#/albums/", { page: "albums" }],
  ])("%s is %o", (hash, route) => expect(parseRoute(hash)).toEqual(route));

  it("leave in-page anchors alone", () => {
    expect(parseRoute("#library")).toBeNull();
    expect(parseRoute("#main")).toBeNull();
  });

  it("write what they read", () => {
    const routes: Route[] = [
      { page: "home" },
      { page: "albums" },
      { page: "album", id: "a b/c" },
      { page: "artists" },
      { page: "artist", id: "x" },
      { page: "tracks" },
      { page: "track", id: "t?1" },
      { page: "playlists" },
      { page: "playlist", id: "p#1" },
      { page: "playlist-join", code: "c/d" },
      { page: "liked" },
      { page: "upload" },
      { page: "queue" },
      { page: "live" },
      { page: "charts" },
      { page: "history" },
      { page: "stats" },
      { page: "settings" },
      { page: "admin" },
      { page: "signin" },
      { page: "join", code: "a/b c" },
      { page: "join", code: "" },
      { page: "search", q: "", type: null },
      { page: "search", q: "AC/DC & t.n.t? #1 Кино", type: "tracks" },
    ];
    for (const route of routes) expect(parseRoute(routeHref(route))).toEqual(route);
  });

  it("keep a search's text and kind in the query", () => {
    expect(routeHref({ page: "search", q: "röyk sopp", type: null })).toBe("#/search?q=r%C3%B6yk+sopp");
    expect(parseRoute("#/search?q=hone&type=lyrics")).toEqual({ page: "search", q: "hone", type: "lyrics" });
    expect(parseRoute("#/search")).toEqual({ page: "search", q: "", type: null });
  });

  it("keep invite codes in the fragment", () => {
    expect(routeHref({ page: "join", code: "k" })).toBe("#/join/k");
    expect(routeHref({ page: "playlist-join", code: "k" })).toBe("#/playlists/join/k");
  });

  it("tell the same place", () => {
    expect(samePlace({ page: "album", id: "1" }, { page: "album", id: "1" })).toBe(true);
    expect(samePlace({ page: "album", id: "1" }, { page: "album", id: "2" })).toBe(false);
  });
});
