/** The page's keyboard shortcuts: which key does what, wherever the focus is. */

export type KeyCommand = "toggle" | "back" | "forward" | "louder" | "quieter";

/** The parts of a keydown the decision needs; a KeyboardEvent is one. */
export interface KeyPress {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  defaultPrevented: boolean;
}

/** The parts of the focused element the decision needs. */
export interface KeyTarget {
  tagName: string;
  isContentEditable: boolean;
  getAttribute(name: string): string | null;
}

const ARROWS: Record<string, KeyCommand> = {
  ArrowLeft: "back",
  ArrowRight: "forward",
  ArrowUp: "louder",
  ArrowDown: "quieter",
};

/**
 * What a key press asks the player to do, or null to leave it to the browser: keys that
 * the focused control uses itself (typing, a slider's arrows, Space on a button) stay
 * with it, and the arrows do nothing while no track is loaded.
 */
export function keyCommand(press: KeyPress, target: KeyTarget, hasTrack: boolean): KeyCommand | null {
  if (press.defaultPrevented || press.altKey || press.ctrlKey || press.metaKey) return null;
  const tag = target.tagName;
  const own =
    tag === "INPUT" ||
    tag === "TEXTAREA" ||
    tag === "SELECT" ||
    target.isContentEditable ||
    target.getAttribute("role") === "slider";
  if (press.key === " ") {
    // Space on a button or link presses it, in a field it types; elsewhere it plays and
    // pauses, on a slider too (a slider has no use for Space, and a click on the
    // waveform leaves the focus there).
    const slider = target.getAttribute("role") === "slider" || target.getAttribute("type") === "range";
    if (slider) return "toggle";
    return own || tag === "BUTTON" || tag === "A" || tag === "SUMMARY" ? null : "toggle";
  }
  if (own || !hasTrack) return null;
  return ARROWS[press.key] ?? null;
}

/**
 * Whether a key press opens search: Ctrl+K (Cmd+K on a Mac) anywhere, or "/" where it
 * would not type (outside fields).
 */
export function opensSearch(press: KeyPress, target: KeyTarget): boolean {
  if (press.defaultPrevented || press.altKey) return false;
  if ((press.ctrlKey || press.metaKey) && press.key.toLowerCase() === "k") return true;
  if (press.key !== "/" || press.ctrlKey || press.metaKey) return false;
  const tag = target.tagName;
  return !(tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable);
}
