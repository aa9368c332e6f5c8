import { describe, expect, it } from "vitest";
import { parseRoute, routeHref } from "./route";

describe("routes", () => {
  it.each([
    ["", { page: "music" }],
    ["#/", { page: "music" }],
    ["#/settings", { page: "settings" }],
    ["#/admin", { page: "admin" }],
    ["#/signin", { page: "signin" }],
    ["#/join/abc-DEF_123", { page: "join", code: "abc-DEF_123" }],
    ["#/join", { page: "join", code: "" }],
    ["#/nowhere", { page: "music" }],
  ])("%s is %o", (hash, route) => expect(parseRoute(hash)).toEqual(route));

  it("leave in-page anchors alone", () => {
    expect(parseRoute("#library")).toBeNull();
    expect(parseRoute("#main")).toBeNull();
  });

  it("write what they read", () => {
    for (const route of [
      { page: "music" },
      { page: "settings" },
      { page: "admin" },
      { page: "signin" },
      { page: "join", code: "a/b c" },
      { page: "join", code: "" },
    ] as const) {
      expect(parseRoute(routeHref(route))).toEqual(route);
    }
  });
});
