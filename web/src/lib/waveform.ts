/** Waveform peaks (audiowaveform JSON v2) to bars, and positions to and from pixels. */
import type { WaveformData } from "./api";

/** Bar heights in 0..1, one per column, scaled so the loudest bar fills the height. */
export function waveformBars(waveform: WaveformData, columns: number): number[] {
  const n = Math.max(0, Math.floor(columns));
  const pairs = Math.floor(waveform.data.length / (2 * Math.max(1, waveform.channels)));
  if (n === 0 || pairs === 0) return new Array<number>(n).fill(0);
  const full = waveform.bits === 16 ? 32768 : 128;
  const stride = 2 * Math.max(1, waveform.channels);
  const bars = new Array<number>(n);
  let loudest = 0;
  for (let col = 0; col < n; col++) {
    // Each column covers [start, end) of the peak pairs; at least one pair.
    const start = Math.floor((col * pairs) / n);
    const end = Math.max(start + 1, Math.floor(((col + 1) * pairs) / n));
    let peak = 0;
    for (let i = start; i < end; i++) {
      // Only the first channel is drawn; the server writes mono peaks.
      const min = waveform.data[i * stride] ?? 0;
      const max = waveform.data[i * stride + 1] ?? 0;
      peak = Math.max(peak, Math.abs(min), Math.abs(max));
    }
    bars[col] = peak / full;
    loudest = Math.max(loudest, bars[col]);
  }
  // A quiet track still shows its shape; near-silence stays flat instead of noise.
  const scale = loudest > 0.02 ? 1 / loudest : 1;
  return bars.map((bar) => Math.min(1, bar * scale));
}

/** The time at horizontal offset x of a waveform `width` pixels wide. */
export function positionAt(x: number, width: number, duration: number): number {
  if (!(width > 0) || !(duration > 0)) return 0;
  return (Math.min(width, Math.max(0, x)) / width) * duration;
}

/** How many of `columns` bars are played at `position`. */
export function playedColumns(position: number, duration: number, columns: number): number {
  if (!(duration > 0)) return 0;
  return Math.round(Math.min(1, Math.max(0, position / duration)) * columns);
}
