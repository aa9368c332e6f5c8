import { describe, expect, it } from "vitest";
import type { WaveformData } from "./api";
import { playedColumns, positionAt, waveformBars } from "./waveform";

const wave = (pairs: [number, number][], bits: 8 | 16 = 8): WaveformData => ({
  version: 2,
  channels: 1,
  sample_rate: 44100,
  samples_per_pixel: 256,
  bits,
  length: pairs.length,
  data: pairs.flat(),
});

describe("waveformBars", () => {
  it("takes the largest magnitude in each column and scales the loudest to 1", () => {
    const bars = waveformBars(
      wave([
        [-10, 20],
        [-64, 30],
        [0, 5],
        [-2, 2],
      ]),
      2,
    );
    expect(bars).toEqual([1, 5 / 64]);
  });

  it("stretches fewer peaks over more columns", () => {
    const bars = waveformBars(
      wave([
        [-64, 64],
        [-32, 32],
      ]),
      4,
    );
    expect(bars).toEqual([1, 1, 0.5, 0.5]);
  });

  it("reads 16-bit peaks and leaves near-silence flat", () => {
    expect(waveformBars(wave([[-16384, 16384]], 16), 1)).toEqual([1]);
    expect(waveformBars(wave([[-1, 1]]), 1)[0]).toBeCloseTo(1 / 128);
  });

  it("copes with empty data", () => {
    expect(waveformBars(wave([]), 3)).toEqual([0, 0, 0]);
    expect(waveformBars(wave([[1, 2]]), 0)).toEqual([]);
  });
});

describe("positions", () => {
  it("maps pixels to seconds and back, clamped", () => {
    expect(positionAt(50, 200, 120)).toBe(30);
    expect(positionAt(-5, 200, 120)).toBe(0);
    expect(positionAt(500, 200, 120)).toBe(120);
    expect(positionAt(10, 0, 120)).toBe(0);
    expect(playedColumns(30, 120, 100)).toBe(25);
    expect(playedColumns(500, 120, 100)).toBe(100);
    expect(playedColumns(5, 0, 100)).toBe(0);
  });
});
