import { describe, expect, it } from "vitest";
import { type EventFeed, openChanges } from "./events";

class FakeFeed implements EventFeed {
  listeners = new Map<string, (event: MessageEvent) => void>();
  closed = false;
  addEventListener(type: string, listener: (event: MessageEvent) => void) {
    this.listeners.set(type, listener);
  }
  close() {
    this.closed = true;
  }
  emit(type: string, data: string) {
    this.listeners.get(type)?.(new MessageEvent(type, { data }));
  }
}

describe("openChanges", () => {
  it("hands each kind of change to its handler, skipping lines it cannot read", () => {
    const feed = new FakeFeed();
    const seen: unknown[] = [];
    const close = openChanges({ queue: (d) => seen.push(d), playlist: (d) => seen.push(d) }, feed);
    feed.emit("queue", '{"version":4,"device":"x"}');
    feed.emit("playlist", "not json");
    feed.emit("track", '{"id":"t","action":"created"}');
    expect(seen).toEqual([{ version: 4, device: "x" }]);
    close();
    expect(feed.closed).toBe(true);
  });
});
