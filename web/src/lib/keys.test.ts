import { describe, expect, it } from "vitest";
import { type KeyPress, type KeyTarget, keyCommand, opensSearch } from "./keys";

const press = (key: string, over: Partial<KeyPress> = {}): KeyPress => ({
  key,
  altKey: false,
  ctrlKey: false,
  metaKey: false,
  defaultPrevented: false,
  ...over,
});

const on = (
  tagName: string,
  role: string | null = null,
  editable = false,
  type: string | null = null,
): KeyTarget => ({
  tagName,
  isContentEditable: editable,
  getAttribute: (name) => (name === "role" ? role : name === "type" ? type : null),
});

describe("keyCommand", () => {
  it("plays and pauses on Space, except where Space presses a control", () => {
    expect(keyCommand(press(" "), on("BODY"), false)).toBe("toggle");
    expect(keyCommand(press(" "), on("BUTTON"), true)).toBeNull();
    expect(keyCommand(press(" "), on("A"), true)).toBeNull();
    expect(keyCommand(press(" "), on("INPUT"), true)).toBeNull();
    expect(keyCommand(press(" "), on("SUMMARY"), true)).toBeNull();
    expect(keyCommand(press(" "), on("INPUT", null, false, "checkbox"), true)).toBeNull();
    expect(keyCommand(press(" "), on("DIV", null, true), true)).toBeNull();
  });

  it("plays and pauses on Space on a slider (the waveform keeps the focus a click gave it)", () => {
    expect(keyCommand(press(" "), on("DIV", "slider"), true)).toBe("toggle");
    expect(keyCommand(press(" "), on("INPUT", null, false, "range"), true)).toBe("toggle");
  });

  it("seeks and sets the volume with the arrows while a track is loaded", () => {
    expect(keyCommand(press("ArrowLeft"), on("BODY"), true)).toBe("back");
    expect(keyCommand(press("ArrowRight"), on("BUTTON"), true)).toBe("forward");
    expect(keyCommand(press("ArrowUp"), on("BODY"), true)).toBe("louder");
    expect(keyCommand(press("ArrowDown"), on("BODY"), true)).toBe("quieter");
    expect(keyCommand(press("ArrowRight"), on("BODY"), false)).toBeNull();
    expect(keyCommand(press("ArrowRight"), on("INPUT"), true)).toBeNull();
    expect(keyCommand(press("Enter"), on("BODY"), true)).toBeNull();
  });

  it("leaves modified and already handled keys alone", () => {
    expect(keyCommand(press(" ", { ctrlKey: true }), on("BODY"), true)).toBeNull();
    expect(keyCommand(press("ArrowLeft", { altKey: true }), on("BODY"), true)).toBeNull();
    expect(keyCommand(press("ArrowLeft", { metaKey: true }), on("BODY"), true)).toBeNull();
    expect(keyCommand(press(" ", { defaultPrevented: true }), on("BODY"), true)).toBeNull();
  });
});

describe("opensSearch", () => {
  it("opens on Ctrl+K or Cmd+K, even in a field", () => {
    expect(opensSearch(press("k", { ctrlKey: true }), on("INPUT"))).toBe(true);
    expect(opensSearch(press("K", { metaKey: true }), on("BODY"))).toBe(true);
    expect(opensSearch(press("k"), on("BODY"))).toBe(false);
    expect(opensSearch(press("k", { ctrlKey: true, altKey: true }), on("BODY"))).toBe(false);
  });

  it("opens on / only where it would not type", () => {
    expect(opensSearch(press("/"), on("BODY"))).toBe(true);
    expect(opensSearch(press("/"), on("BUTTON"))).toBe(true);
    expect(opensSearch(press("/"), on("INPUT"))).toBe(false);
    expect(opensSearch(press("/"), on("TEXTAREA"))).toBe(false);
    expect(opensSearch(press("/"), on("DIV", null, true))).toBe(false);
    expect(opensSearch(press("/", { defaultPrevented: true }), on("BODY"))).toBe(false);
  });
});
