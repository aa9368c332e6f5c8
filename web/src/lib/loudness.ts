/**
 * Loudness normalization on playback, from the loudness the server measured.
 *
 * Every track is brought to TARGET_LUFS (-14 LUFS integrated, what the big streaming
 * services use). Turning a quiet track up is limited so that its true peak stays at or
 * below PEAK_CEILING_DBTP: a boost never makes a track clip. The gain is applied with a
 * Web Audio GainNode, which can boost; where Web Audio is missing, audio.volume can only
 * attenuate, so boosts are dropped there (see effectiveVolume).
 */
import type { Loudness } from "./api";

/**
 * What normalization reads of a track's loudness: the API's Loudness, or any part of it.
 * A value that is missing, null or not finite is passed over, never trusted.
 */
export type MeasuredLoudness = { [K in keyof Loudness]?: number | null };

export const TARGET_LUFS = -14;
export const PEAK_CEILING_DBTP = -1;
/** ReplayGain 2.0's reference loudness: replaygain_track_gain_db brings a track here. */
export const REPLAYGAIN_REFERENCE_LUFS = -18;
const MIN_GAIN_DB = -24;
const MAX_GAIN_DB = 12;

/** The gain in dB that normalizes a track; 0 when nothing usable was measured. */
export function normalizationGainDb(
  loudness: MeasuredLoudness | null | undefined,
  target = TARGET_LUFS,
  ceiling = PEAK_CEILING_DBTP,
): number {
  if (!loudness) return 0;
  let gain: number;
  if (isNumber(loudness.integrated_lufs)) {
    gain = target - loudness.integrated_lufs;
  } else if (isNumber(loudness.replaygain_track_gain_db)) {
    gain = loudness.replaygain_track_gain_db + (target - REPLAYGAIN_REFERENCE_LUFS);
  } else {
    return 0;
  }
  if (gain > 0) {
    const peak = peakDb(loudness);
    // Boost only as far as the peak allows; a track already peaking above the ceiling
    // is not boosted at all.
    if (peak !== null) gain = Math.min(gain, Math.max(0, ceiling - peak));
  }
  return round2(Math.min(MAX_GAIN_DB, Math.max(MIN_GAIN_DB, gain)));
}

function peakDb(loudness: MeasuredLoudness): number | null {
  if (isNumber(loudness.true_peak_dbtp)) return loudness.true_peak_dbtp;
  if (isNumber(loudness.sample_peak) && loudness.sample_peak > 0) {
    return 20 * Math.log10(loudness.sample_peak);
  }
  return null;
}

export function dbToGain(db: number): number {
  return 10 ** (db / 20);
}

/**
 * The volume slider (0..1) to an amplitude factor. A cube curve: the slider feels even
 * to the ear instead of doing everything in its last tenth.
 */
export function sliderToAmplitude(slider: number): number {
  const v = Math.min(1, Math.max(0, slider));
  return v * v * v;
}

/** The linear gain for a GainNode: the person's volume times the normalization gain. */
export function outputGain(slider: number, muted: boolean, normalizationDb: number): number {
  if (muted) return 0;
  return sliderToAmplitude(slider) * dbToGain(normalizationDb);
}

/** The same for audio.volume, which cannot exceed 1: boosts are dropped. */
export function effectiveVolume(slider: number, muted: boolean, normalizationDb: number): number {
  return Math.min(1, outputGain(slider, muted, Math.min(0, normalizationDb)));
}

function isNumber(value: number | null | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
