import { describe, expect, it } from "vitest";
import { FakeTransport, file } from "../testing/transport";
import {
  type UploadItem,
  UploadQueue,
  announcement,
  interruptedUploads,
  localRefusal,
} from "./uploads";

function setup(concurrency = 2) {
  const transport = new FakeTransport();
  let snapshot: readonly UploadItem[] = [];
  const queue = new UploadQueue(transport, (items) => (snapshot = items), concurrency);
  const item = (name: string) => {
    const found = snapshot.find((i) => i.name === name);
    if (!found) throw new Error(`no ${name}`);
    return found;
  };
  return { transport, queue, item, snapshot: () => snapshot };
}

describe("UploadQueue", () => {
  it("uploads at most `concurrency` files at once, oldest first, newest shown first", () => {
    const { transport, queue, item, snapshot } = setup(2);
    queue.add([file("a.flac"), file("b.flac"), file("c.flac")]);
    expect(transport.started.map((r) => r.file.name)).toEqual(["a.flac", "b.flac"]);
    expect(item("c.flac").phase).toBe("waiting");
    expect(snapshot().map((i) => i.name)).toEqual(["c.flac", "b.flac", "a.flac"]);

    transport.run("a.flac").events.done({ trackId: "t1", deduplicated: false });
    expect(item("a.flac")).toMatchObject({ phase: "processing", trackId: "t1", sent: 1000 });
    expect(transport.started.map((r) => r.file.name)).toContain("c.flac");
  });

  it("reports progress and a resume from the server's offset", () => {
    const { transport, queue, item } = setup();
    queue.add([file("big.wav", 10_000)]);
    const { events } = transport.run("big.wav");
    events.resumed(4000);
    expect(item("big.wav")).toMatchObject({ resumedFrom: 4000, sent: 4000 });
    events.progress(7000, 10_000);
    expect(item("big.wav").sent).toBe(7000);
  });

  it("follows processing to ready, and says when the file was already stored", () => {
    const { transport, queue, item } = setup();
    queue.add([file("a.flac")]);
    transport.run("a.flac").events.done({ trackId: "t1", deduplicated: true });
    expect(item("a.flac").duplicate).toBe(true);
    expect(queue.processingTrackIds()).toEqual(["t1"]);

    queue.applyTracks([
      { id: "t1", status: "processing", error: null, progress: { percent: 40, step: "encoding" } },
    ]);
    expect(item("a.flac")).toMatchObject({ phase: "processing", percent: 40, step: "encoding" });
    queue.applyTracks([{ id: "t1", status: "ready", error: null, progress: null }]);
    expect(item("a.flac")).toMatchObject({ phase: "ready", percent: 100 });
    expect(queue.processingTrackIds()).toEqual([]);
  });

  it("shows why processing failed", () => {
    const { transport, queue, item } = setup();
    queue.add([file("a.flac")]);
    transport.run("a.flac").events.done({ trackId: "t1", deduplicated: false });
    queue.applyTracks([
      { id: "t1", status: "failed", error: "The audio stream is truncated.", progress: null },
    ]);
    expect(item("a.flac")).toMatchObject({
      phase: "failed",
      error: "The audio stream is truncated.",
      retryable: false,
    });
  });

  it("retries a dropped upload, not a refused one", () => {
    const { transport, queue, item } = setup();
    queue.add([file("a.flac"), file("b.flac")]);
    transport.run("a.flac").events.failed("The connection was lost.", true);
    transport.run("b.flac").events.failed("This is not an audio file.", false);
    expect(item("a.flac")).toMatchObject({ phase: "failed", retryable: true });

    queue.retry(item("b.flac").key);
    expect(item("b.flac").phase).toBe("failed");
    queue.retry(item("a.flac").key);
    expect(item("a.flac")).toMatchObject({ phase: "uploading", error: null });
    expect(transport.started.filter((r) => r.file.name === "a.flac")).toHaveLength(2);
  });

  it("does not queue the same file twice while it uploads, and ignores late events", () => {
    const { transport, queue, snapshot, item } = setup();
    queue.add([file("a.flac")]);
    queue.add([file("a.flac")]);
    expect(snapshot()).toHaveLength(1);

    queue.cancel(item("a.flac").key);
    expect(transport.run("a.flac").aborted).toBe(true);
    expect(snapshot()).toHaveLength(0);
    transport.run("a.flac").events.progress(500, 1000);
    expect(snapshot()).toHaveLength(0);
  });

  it("refuses empty and plainly non-audio files without sending them", () => {
    const { transport, queue, item } = setup();
    queue.add([file("empty.flac", 0), file("cover.png", 10, "image/png")]);
    expect(transport.started).toHaveLength(0);
    expect(item("empty.flac")).toMatchObject({ phase: "failed", error: "This file is empty." });
    expect(item("cover.png").error).toBe("This is not an audio file (it is an image).");

    queue.clearFinished();
    expect(queue.items).toHaveLength(0);
  });
});

describe("localRefusal", () => {
  it("lets audio and unknown types through to the server", () => {
    expect(localRefusal(file("a.flac"))).toBeNull();
    expect(localRefusal(file("a.m4a", 10, "video/mp4"))).toBeNull();
    expect(localRefusal(file("a.opus", 10, ""))).toBeNull();
    expect(localRefusal(file("a.pdf", 10, "application/pdf"))).toMatch(/PDF/);
  });
});

describe("interruptedUploads", () => {
  it("reads tus-js-client's URL storage, newest first, skipping foreign keys", () => {
    const data: Record<string, string> = {
      "tonearm.player": "{}",
      "tus::tus-br-a.flac::1": JSON.stringify({
        uploadUrl: "http://x/api/uploads/1",
        size: 10,
        metadata: { filename: "a.flac" },
        creationTime: "2025-01-01T00:00:00Z",
      }),
      "tus::tus-br-b.flac::2": JSON.stringify({
        uploadUrl: "http://x/api/uploads/2",
        size: 20,
        metadata: { filename: "b.flac" },
        creationTime: "2025-02-01T00:00:00Z",
      }),
      "tus::broken::3": "{not json",
    };
    const keys = Object.keys(data);
    const storage = {
      length: keys.length,
      key: (i: number) => keys[i] ?? null,
      getItem: (k: string) => data[k] ?? null,
    };
    expect(interruptedUploads(storage).map((u) => [u.filename, u.size])).toEqual([
      ["b.flac", 20],
      ["a.flac", 10],
    ]);
  });
});

describe("announcement", () => {
  const item = (over: Partial<UploadItem>): UploadItem => ({
    key: 1,
    name: "a.flac",
    size: 1000,
    phase: "waiting",
    sent: 0,
    resumedFrom: null,
    trackId: null,
    duplicate: false,
    percent: 0,
    step: null,
    error: null,
    retryable: false,
    ...over,
  });

  it("says each change of phase once, and nothing about progress", () => {
    const waiting = [item({})];
    const uploading = [item({ phase: "uploading" })];
    expect(announcement([], waiting)).toBe("");
    expect(announcement(waiting, uploading)).toBe("Uploading a.flac.");
    expect(announcement(uploading, [item({ phase: "uploading", sent: 500 })])).toBe("");
    expect(announcement(uploading, [item({ phase: "processing", duplicate: true })])).toBe(
      "a.flac uploaded, already in your library; processing.",
    );
    expect(announcement([item({ phase: "processing" })], [item({ phase: "ready" })])).toBe(
      "a.flac is ready to play.",
    );
    expect(announcement(uploading, [item({ phase: "failed", error: "Not audio." })])).toBe(
      "a.flac failed: Not audio.",
    );
  });

  it("says where a resumed upload continues", () => {
    expect(announcement([item({})], [item({ phase: "uploading", resumedFrom: 420 })])).toBe(
      "a.flac: resuming at 42%.",
    );
  });
});
