import { describe, expect, it } from "vitest";
import { parseLadder } from "./ladder";

describe("the HLS ladder", () => {
  it("lists the renditions by bandwidth", () => {
    const master = [
      "#EXTM3U",
      '#EXT-X-STREAM-INF:BANDWIDTH=280000,AVERAGE-BANDWIDTH=260000,CODECS="mp4a.40.2"',
      "256k/index.m3u8",
      '#EXT-X-STREAM-INF:BANDWIDTH=72000,CODECS="mp4a.40.5"',
      "64k/index.m3u8",
    ].join("\n");
    expect(parseLadder(master)).toEqual([
      { bandwidth: 72000, codecs: "mp4a.40.5" },
      { bandwidth: 280000, codecs: "mp4a.40.2" },
    ]);
    expect(parseLadder("#EXTM3U\n")).toEqual([]);
  });
});
