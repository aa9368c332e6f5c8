import { describe, expect, it } from "vitest";
import { ApiError, type UploadState } from "../lib/api";
import { MemoryStorage } from "../testing/storage";
import { FakeTransport, file } from "../testing/transport";
import { track } from "../testing/tracks";
import { Uploads } from "./uploads.svelte";

/** The server's view of unfinished uploads: url → state, or a refusal. */
class FakeApi {
  states = new Map<string, UploadState | ApiError>();
  discarded: string[] = [];

  getUpload = async (url: string): Promise<UploadState> => {
    const state = this.states.get(url);
    if (!state) throw new ApiError(404, "gone");
    if (state instanceof ApiError) throw state;
    return state;
  };

  discardUpload = async (url: string): Promise<void> => {
    this.discarded.push(url);
  };
}

const upload = (id: string, offset: number, length: number, trackId: string | null = null) => ({
  id,
  offset,
  length,
  filename: `${id}.wav`,
  track_id: trackId,
  deduplicated: false,
  expires_at: "2030-01-01T00:00:00Z",
});

/** What tus-js-client leaves in localStorage for an unfinished upload. */
function remember(storage: Storage, n: number, name: string, size: number): string {
  const key = `tus::tus-br-${name}-${size}::${n}`;
  storage.setItem(
    key,
    JSON.stringify({
      uploadUrl: `/api/uploads/${n}`,
      size,
      metadata: { filename: name },
      creationTime: `2025-01-0${n}T00:00:00Z`,
    }),
  );
  return key;
}

function setup() {
  const transport = new FakeTransport();
  const storage = new MemoryStorage();
  const api = new FakeApi();
  let polls = 0;
  const uploads = new Uploads(transport, storage, api, { onprocessing: () => (polls += 1) });
  return { transport, storage, api, uploads, polls: () => polls };
}

describe("Uploads", () => {
  it("sends files, follows them through processing and says so", () => {
    const { transport, uploads, polls } = setup();
    uploads.add([file("a.flac")]);
    expect(uploads.items.map((i) => [i.name, i.phase])).toEqual([["a.flac", "uploading"]]);
    expect(uploads.announcement).toBe("Uploading a.flac.");

    transport.run("a.flac").events.done({ trackId: "t1", deduplicated: false });
    expect(uploads.items[0].phase).toBe("processing");
    expect(uploads.announcement).toBe("a.flac uploaded; processing.");
    expect(polls()).toBe(1);
    expect(uploads.processingTrackIds()).toEqual(["t1"]);

    uploads.applyTracks([track("t1")]);
    expect(uploads.items[0].phase).toBe("ready");
    expect(uploads.announcement).toBe("a.flac is ready to play.");
    uploads.clearFinished();
    expect(uploads.items).toEqual([]);
    // Clearing says nothing new.
    expect(uploads.announcement).toBe("a.flac is ready to play.");
  });

  it("retries and cancels through the queue", () => {
    const { transport, uploads } = setup();
    uploads.add([file("a.flac"), file("b.flac")]);
    transport.run("a.flac").events.failed("The connection was lost.", true);
    uploads.retry(uploads.items.find((i) => i.name === "a.flac")!.key);
    expect(transport.started.filter((r) => r.file.name === "a.flac")).toHaveLength(2);
    uploads.cancel(uploads.items.find((i) => i.name === "b.flac")!.key);
    expect(transport.run("b.flac").aborted).toBe(true);
    expect(uploads.items.map((i) => i.name)).toEqual(["a.flac"]);
  });

  it("finds unfinished uploads with how much the server holds, and forgets finished ones", async () => {
    const { storage, api, uploads } = setup();
    const half = remember(storage, 1, "half.wav", 1000);
    const done = remember(storage, 2, "done.wav", 1000);
    const expired = remember(storage, 3, "expired.wav", 1000);
    const unknown = remember(storage, 4, "unknown.wav", 1000);
    api.states.set("/api/uploads/1", upload("1", 250, 1000));
    api.states.set("/api/uploads/2", upload("2", 1000, 1000, "t2"));
    api.states.set("/api/uploads/3", new ApiError(404, "gone"));
    api.states.set("/api/uploads/4", new ApiError(503, "busy"));

    await uploads.findInterrupted();
    expect(uploads.interrupted.map((u) => [u.filename, u.percent])).toEqual([
      ["unknown.wav", null],
      ["half.wav", 0.25],
    ]);
    // The server no longer has it: nothing to resume, so the browser forgets it too.
    expect(storage.getItem(expired)).toBeNull();
    // Finished into a track: left for tus-js-client, just not shown.
    expect(storage.getItem(done)).not.toBeNull();
    expect(storage.getItem(half)).not.toBeNull();
    expect(storage.getItem(unknown)).not.toBeNull();
  });

  it("clears an unfinished upload's notice when the same file is added again", async () => {
    const { storage, api, uploads } = setup();
    remember(storage, 1, "big.wav", 1000);
    api.states.set("/api/uploads/1", upload("1", 250, 1000));
    await uploads.findInterrupted();
    uploads.add([file("other.wav", 1000)]);
    expect(uploads.interrupted).toHaveLength(1);
    uploads.add([file("big.wav", 1000)]);
    expect(uploads.interrupted).toHaveLength(0);
  });

  it("forgets an unfinished upload here and on the server", async () => {
    const { storage, api, uploads } = setup();
    const key = remember(storage, 1, "big.wav", 1000);
    api.states.set("/api/uploads/1", upload("1", 250, 1000));
    await uploads.findInterrupted();
    uploads.forget(uploads.interrupted[0]);
    expect(uploads.interrupted).toEqual([]);
    expect(storage.getItem(key)).toBeNull();
    expect(api.discarded).toEqual(["/api/uploads/1"]);
  });

  it("sends each file with the visibility chosen when it was added", () => {
    const { transport, uploads } = setup();
    expect(uploads.visibility).toBe("private");
    uploads.add([file("mine.flac")]);
    uploads.visibility = "public";
    uploads.add([file("shared.flac")]);
    expect(transport.run("mine.flac").options).toEqual({ visibility: "private" });
    expect(transport.run("shared.flac").options).toEqual({ visibility: "public" });
  });

  it("offers only the signed-in person's unfinished uploads", async () => {
    const transport = new FakeTransport();
    const storage = new MemoryStorage();
    const api = new FakeApi();
    const entry = (url: string, name: string) =>
      JSON.stringify({ uploadUrl: url, size: 1000, metadata: { filename: name }, creationTime: "2025-01-01T00:00:00Z" });
    storage.setItem("tus::tonearm-ann-a.wav-audio/wav-1000-1-http://x/api/uploads::1", entry("/api/uploads/a", "a.wav"));
    storage.setItem("tus::tonearm-ben-b.wav-audio/wav-1000-1-http://x/api/uploads::1", entry("/api/uploads/b", "b.wav"));
    for (const id of ["a", "b"]) api.states.set(`/api/uploads/${id}`, upload(id, 500, 1000));
    const uploads = new Uploads(transport, storage, api, { owner: "ann" });
    await uploads.findInterrupted();
    expect(uploads.interrupted.map((u) => u.filename)).toEqual(["a.wav"]);
    // Ben's is left for Ben.
    expect(storage.length).toBe(2);
  });

  it("stops every upload under way when the person leaves", () => {
    const { transport, uploads } = setup();
    uploads.add([file("a.flac"), file("b.flac"), file("c.flac")]);
    transport.run("a.flac").events.done({ trackId: "t1", deduplicated: false });
    uploads.stopAll();
    expect(transport.run("b.flac").aborted).toBe(true);
    expect(uploads.items.map((i) => [i.name, i.phase])).toEqual([["a.flac", "processing"]]);
  });
});
