/**
 * The audio engine: one <audio> element, its source (hls.js, native HLS or the MP3), and
 * the gain stage. It reports what happens as PlayerEvents and holds no UI state.
 *
 * Delivery, in order of preference:
 *  1. hls.js on Media Source Extensions (loaded on demand, never in the first load):
 *     adaptive bitrate, and it can tell which level plays.
 *  2. The browser's own HLS where there is no MSE (iPhone Safari).
 *  3. The MP3, when a track has no HLS or HLS fails (fatal hls.js or media error).
 *
 * Gain: a Web Audio GainNode after a MediaElementSource carries both the person's volume
 * and the loudness normalization, because normalization must sometimes boost and
 * audio.volume cannot go above 1. The graph is built on the first play, inside the click,
 * as browsers require. Without Web Audio, audio.volume is used and boosts are dropped.
 *
 * Start-up latency: opening the audio device (new AudioContext) costs tens of ms, up to
 * ~100 ms in headless Chromium, so the page calls unlock() on a person's first press
 * (pointerdown or keydown), before the click that plays. A press on a track's play button
 * also starts loading that track (load without autoplay) when nothing is playing; the click
 * that follows only has to press play.
 *
 * A track still being encoded is served as a growing (EVENT) playlist, which players
 * treat as live and join near its end. Playback here always starts at 0 (hls.js
 * `startPosition`, and for native HLS a seek to 0 once metadata is in), seeks are held to
 * what is encoded so far (player.ts reachableTime), and the seek bar shows the whole
 * length from the probe (player.ts shownDuration).
 */
import type HlsType from "hls.js";
import type { Track } from "./api";
import { effectiveVolume, normalizationGainDb, outputGain } from "./loudness";
import { type Delivery, type PlayerEvent, reachableTime } from "./player";

type HlsModule = typeof import("hls.js/light");

let hlsModule: Promise<HlsModule> | null = null;

/** Load hls.js once; called early when a playable track appears, so a click does not wait. */
export function preloadHls(): Promise<HlsModule> | null {
  if (!mseAvailable()) return null;
  hlsModule ??= import("hls.js/light").catch((error: unknown) => {
    hlsModule = null;
    throw error;
  });
  return hlsModule;
}

function mseAvailable(): boolean {
  const mse =
    (globalThis as { ManagedMediaSource?: typeof MediaSource }).ManagedMediaSource ??
    globalThis.MediaSource;
  return Boolean(mse?.isTypeSupported?.('audio/mp4; codecs="mp4a.40.2"'));
}

export interface GainSettings {
  volume: number;
  muted: boolean;
  normalize: boolean;
}

export class AudioEngine {
  private hls: HlsType | null = null;
  private track: Track | null = null;
  private delivery: Delivery | null = null;
  private generation = 0;
  /** play() came while hls.js was still being set up: start once it is. */
  private playPending = false;
  private graph: { context: AudioContext; gain: GainNode } | null = null;
  private gainSettings: GainSettings;

  constructor(
    readonly audio: HTMLAudioElement,
    private readonly emit: (event: PlayerEvent) => void,
    gain: GainSettings,
  ) {
    this.gainSettings = gain;
    audio.preload = "auto";
    const on = <K extends keyof HTMLMediaElementEventMap>(name: K, fn: () => void) =>
      audio.addEventListener(name, fn);
    on("play", () => emit({ type: "play" }));
    on("playing", () => emit({ type: "playing" }));
    on("pause", () => emit({ type: "pause" }));
    on("waiting", () => emit({ type: "waiting" }));
    on("timeupdate", () =>
      emit({ type: "time", position: audio.currentTime, duration: finite(audio.duration) }),
    );
    on("durationchange", () => {
      const d = finite(audio.duration);
      if (d) emit({ type: "duration", duration: d });
    });
    on("ended", () => emit({ type: "ended" }));
    on("error", () => this.mediaError());
    this.applyGain();
  }

  /** Build the audio graph; call from a user gesture (it opens the audio device). */
  unlock(): void {
    this.ensureGraph();
  }

  /** The track loaded now, if any. */
  get loaded(): Track | null {
    return this.track;
  }

  /** Load `track`; with `autoplay`, call from the click handler (before any await). */
  load(track: Track, autoplay: boolean): void {
    const generation = ++this.generation;
    this.playPending = false;
    this.teardown();
    this.track = track;
    this.emit({ type: "load", track });
    if (autoplay) this.ensureGraph();
    this.applyGain();

    const { hls: hlsUrl, mp3 } = track.urls;
    const hlsLoading = hlsUrl ? preloadHls() : null;
    if (hlsUrl && hlsLoading) {
      this.setDelivery("hls");
      void hlsLoading.then(
        (module) => {
          if (generation === this.generation) this.startHls(module, hlsUrl, autoplay);
        },
        () => {
          if (generation === this.generation) this.fallBack(autoplay, 0);
        },
      );
    } else if (hlsUrl && this.audio.canPlayType("application/vnd.apple.mpegurl")) {
      this.setDelivery("native-hls");
      // A growing playlist is joined at its live edge; start from the beginning instead.
      this.audio.addEventListener(
        "loadedmetadata",
        () => {
          if (generation === this.generation && this.audio.currentTime > 0) {
            this.audio.currentTime = 0;
          }
        },
        { once: true },
      );
      this.audio.src = hlsUrl;
      if (autoplay) this.play();
    } else if (mp3) {
      this.setDelivery("mp3");
      this.audio.src = mp3;
      if (autoplay) this.play();
    } else {
      this.emit({ type: "error", message: "This track has nothing to play yet." });
    }
  }

  play(): void {
    this.ensureGraph();
    void this.graph?.context.resume();
    if (this.delivery === "hls" && !this.hls) {
      this.playPending = true;
      this.emit({ type: "play" });
      return;
    }
    this.audio.play().catch((error: unknown) => {
      // Replaced by a newer load, or paused before it started: not a failure.
      if (error instanceof DOMException && error.name === "AbortError") return;
      if (error instanceof DOMException && error.name === "NotAllowedError") {
        this.emit({ type: "pause" });
        return;
      }
      this.mediaError();
    });
  }

  pause(): void {
    if (this.playPending) {
      this.playPending = false;
      this.emit({ type: "pause" });
    }
    this.audio.pause();
  }

  seek(seconds: number): void {
    if (!this.track) return;
    this.audio.currentTime = reachableTime(seconds, seekableEnd(this.audio.seekable));
    this.emit({ type: "time", position: this.audio.currentTime });
  }

  setGain(settings: GainSettings): void {
    this.gainSettings = settings;
    this.applyGain();
  }

  private startHls(module: HlsModule, url: string, autoplay: boolean): void {
    const Hls = module.default;
    if (!Hls.isSupported()) {
      this.fallBack(autoplay, 0);
      return;
    }
    const hls = new Hls({
      // Audio is small: start on the middle rung and let the estimator move from there.
      startLevel: 1,
      // From the beginning, also while the track is still encoding (a live playlist,
      // which hls.js would otherwise join about three segments before its end).
      startPosition: 0,
      capLevelToPlayerSize: false,
      backBufferLength: 60,
      maxBufferLength: 30,
    });
    this.hls = hls;
    let recovered = false;
    hls.on(Hls.Events.LEVEL_SWITCHED, (_event, data) => {
      const level = hls.levels[data.level];
      this.emit({ type: "level", bitrate: level?.bitrate ?? null, url: level?.uri ?? null });
    });
    hls.on(Hls.Events.ERROR, (_event, data) => {
      if (!data.fatal) return;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR && !recovered) {
        recovered = true;
        hls.recoverMediaError();
        return;
      }
      this.fallBack(!this.audio.paused || autoplay, this.audio.currentTime);
    });
    hls.attachMedia(this.audio);
    hls.loadSource(url);
    if (autoplay || this.playPending) this.play();
  }

  /** HLS failed: play the MP3 from where HLS stopped, or say the track cannot play. */
  private fallBack(resume: boolean, position: number): void {
    const mp3 = this.track?.urls.mp3;
    resume ||= this.playPending;
    this.playPending = false;
    this.teardown();
    if (!mp3 || this.delivery === "mp3") {
      this.emit({ type: "error", message: "This track could not be played." });
      return;
    }
    this.setDelivery("mp3");
    this.audio.src = mp3;
    if (position > 0) {
      this.audio.addEventListener("loadedmetadata", () => (this.audio.currentTime = position), {
        once: true,
      });
    }
    if (resume) this.play();
  }

  private mediaError(): void {
    if (!this.track) return;
    if (this.delivery === "native-hls") {
      this.fallBack(!this.audio.paused, this.audio.currentTime);
    } else if (this.delivery === "mp3" && this.audio.error) {
      this.emit({ type: "error", message: "This track could not be played." });
    }
  }

  /** Stop and let go of everything (the person signed out): nothing plays or loads after. */
  destroy(): void {
    this.generation += 1;
    this.playPending = false;
    this.audio.pause();
    this.teardown();
    this.track = null;
    void this.graph?.context.close().catch(() => {});
    this.graph = null;
  }

  private setDelivery(delivery: Delivery): void {
    this.delivery = delivery;
    this.emit({ type: "delivery", delivery });
  }

  private teardown(): void {
    this.hls?.destroy();
    this.hls = null;
    this.audio.removeAttribute("src");
    this.audio.load();
  }

  private ensureGraph(): void {
    if (this.graph) return;
    const Context =
      globalThis.AudioContext ??
      (globalThis as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
    if (!Context) return;
    try {
      const context = new Context();
      const gain = context.createGain();
      context.createMediaElementSource(this.audio).connect(gain).connect(context.destination);
      this.graph = { context, gain };
    } catch {
      this.graph = null;
    }
    this.applyGain();
  }

  private applyGain(): void {
    const { volume, muted, normalize } = this.gainSettings;
    const db = normalize && this.track ? normalizationGainDb(this.track.loudness) : 0;
    if (this.graph) {
      this.audio.volume = 1;
      this.graph.gain.gain.value = outputGain(volume, muted, db);
    } else {
      this.audio.volume = effectiveVolume(volume, muted, db);
    }
  }
}

/**
 * Call `engine.unlock()` on a person's first press anywhere (pointer or key), ahead of the
 * click that plays. Returns a function that stops listening.
 */
export function unlockOnFirstPress(engine: { unlock(): void }, target: EventTarget): () => void {
  const stop = () => {
    target.removeEventListener("pointerdown", unlock, true);
    target.removeEventListener("keydown", unlock, true);
  };
  const unlock = () => {
    engine.unlock();
    stop();
  };
  target.addEventListener("pointerdown", unlock, true);
  target.addEventListener("keydown", unlock, true);
  return stop;
}

/** The end of the last seekable range: as far as a seek can go now. */
function seekableEnd(ranges: TimeRanges): number | null {
  return ranges.length ? ranges.end(ranges.length - 1) : null;
}

function finite(value: number): number | undefined {
  return Number.isFinite(value) && value > 0 ? value : undefined;
}
