import { describe, expect, it } from "vitest";
import {
  type MeasuredLoudness,
  dbToGain,
  effectiveVolume,
  normalizationGainDb,
  outputGain,
  sliderToAmplitude,
} from "./loudness";

const measured = (over: MeasuredLoudness): MeasuredLoudness => ({
  integrated_lufs: null,
  loudness_range_lu: null,
  true_peak_dbtp: null,
  replaygain_track_gain_db: null,
  sample_peak: null,
  ...over,
});

describe("normalizationGainDb", () => {
  it("turns a loud master down to -14 LUFS", () => {
    expect(normalizationGainDb(measured({ integrated_lufs: -8, true_peak_dbtp: 0.3 }))).toBe(-6);
  });

  it("turns a quiet track up while its true peak stays at or under -1 dBTP", () => {
    // 6 dB wanted, the peak at -4 dBTP leaves room for 3.
    expect(normalizationGainDb(measured({ integrated_lufs: -20, true_peak_dbtp: -4 }))).toBe(3);
    // Plenty of headroom: the full 6 dB.
    expect(normalizationGainDb(measured({ integrated_lufs: -20, true_peak_dbtp: -12 }))).toBe(6);
  });

  it("never boosts a track that already peaks above the ceiling", () => {
    expect(normalizationGainDb(measured({ integrated_lufs: -20, true_peak_dbtp: 0.5 }))).toBe(0);
  });

  it("falls back to the sample peak, then to ReplayGain relative to -18 LUFS", () => {
    // sample peak 0.5 = -6.02 dBFS: room for 5.02 dB.
    expect(normalizationGainDb(measured({ integrated_lufs: -24, sample_peak: 0.5 }))).toBe(5.02);
    // ReplayGain says +2 dB to reach -18; -14 is 4 dB louder still.
    expect(normalizationGainDb(measured({ replaygain_track_gain_db: 2, true_peak_dbtp: -20 }))).toBe(
      6,
    );
  });

  it("does nothing without measurements and stays within limits", () => {
    expect(normalizationGainDb(null)).toBe(0);
    expect(normalizationGainDb(measured({}))).toBe(0);
    expect(normalizationGainDb(measured({ integrated_lufs: -70, true_peak_dbtp: -60 }))).toBe(12);
    expect(normalizationGainDb(measured({ integrated_lufs: 20 }))).toBe(-24);
  });
});

describe("gain", () => {
  it("converts decibels", () => {
    expect(dbToGain(0)).toBe(1);
    expect(dbToGain(-6)).toBeCloseTo(0.501, 3);
    expect(dbToGain(20)).toBeCloseTo(10, 6);
  });

  it("combines volume, mute and normalization", () => {
    expect(sliderToAmplitude(0.5)).toBeCloseTo(0.125);
    expect(outputGain(1, false, 6)).toBeCloseTo(1.995, 3);
    expect(outputGain(1, true, 6)).toBe(0);
  });

  it("drops boosts where only audio.volume exists", () => {
    expect(effectiveVolume(1, false, 6)).toBe(1);
    expect(effectiveVolume(1, false, -6)).toBeCloseTo(0.501, 3);
  });
});
