/**
 * Play reporting: each time a track is heard, one play session told to the server
 * (POST /api/plays), so it can count plays, credit seconds by rung and show who listens now.
 *
 *   load ──▶ (nothing yet) ──playing──▶ start ──every heartbeat_s while playing──▶ progress
 *                                         │ pause ──▶ pause (presence drops at once)
 *                                         │ playing again ──▶ progress at once, heartbeats resume
 *                                         └ another track, ended, stop ──▶ end;  pagehide ──▶ end (beacon)
 *
 * `played_ms` is the player's own clock, not the playhead: the sum of how far `currentTime`
 * moved between two looks while the media plays and is not seeking, each step capped by the
 * real time that passed (a 2x rate is not two seconds a second; a jump the seek flags missed
 * adds at most a tick). A seek adds nothing, a pause stops the clock.
 *
 * The server is never in playback's way: a refused event (429 flood, 403 foreign token, 409
 * session taken, any other problem) is logged and the session is given up, and the music
 * plays on. A network failure of a heartbeat is only skipped: the next one carries the
 * cumulative figure.
 */
import type { PlayerEvent } from "./player";
import type { PlayIn, PlayOut, PlayRung } from "./listening";
import { PLAYS_URL } from "./listening";

/** What the reporter reads of the <audio> element (a fake one in the tests). */
export interface MediaLike {
  readonly currentTime: number;
  readonly paused: boolean;
  readonly seeking: boolean;
  readonly ended: boolean;
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export interface ReporterTimers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface ReporterDeps {
  media: MediaLike;
  /** POST /api/plays; rejects with an ApiError (status 0: the server was not reached). */
  post: (body: PlayIn) => Promise<PlayOut>;
  /** navigator.sendBeacon; false: the browser would not queue it. */
  beacon: (url: string, body: Blob) => boolean;
  /** Milliseconds on a monotonic clock (performance.now). */
  now: () => number;
  timers: ReporterTimers;
  /** A fresh session id (crypto.randomUUID). */
  newId: () => string;
  log?: (message: string, error?: unknown) => void;
  /** The server said how many listen to a track now (the live counts take it at once). */
  onlisteners?: (trackId: string, listeners: number) => void;
}

/** Until the start answers with its own. */
export const DEFAULT_HEARTBEAT_S = 10;
/** A heartbeat never comes sooner than this, whatever a server answers. */
const MIN_HEARTBEAT_S = 1;

/**
 * The listening clock: milliseconds heard, from the media's own progress. `from` when the
 * media (re)starts, `tick` on each look while it plays, `stop` when it stops or seeks.
 */
export class PlayClock {
  playedMs = 0;
  private anchor: { time: number; at: number } | null = null;

  constructor(private readonly now: () => number) {}

  /** The media plays on from `time` (seconds). */
  from(time: number): void {
    this.anchor = { time, at: this.now() };
  }

  /** The media is at `time` and has been playing since the last look: count the step. */
  tick(time: number): void {
    const at = this.now();
    const last = this.anchor;
    if (last) {
      const heard = (time - last.time) * 1000;
      const real = Math.max(0, at - last.at);
      if (heard > 0) this.playedMs += Math.min(heard, real);
    }
    this.anchor = { time, at };
  }

  /** Not playing (paused, seeking, stalled out): nothing counts until `from`. */
  stop(): void {
    this.anchor = null;
  }

  get running(): boolean {
    return this.anchor !== null;
  }
}

interface Session {
  id: string;
  trackId: string;
  token: string | null;
  heartbeatS: number;
  clock: PlayClock;
  /** Last playhead seen, ms (a track change resets the element before the end is sent). */
  positionMs: number;
  /** Events go out one after another, each after the answer to the one before. */
  chain: Promise<void>;
  /** Given up (the server refused it): nothing more is sent. */
  dead: boolean;
  /** `end` was sent (or beaconed): the session is over. */
  over: boolean;
  timer: unknown;
}

export class PlayReporter {
  private track: { id: string } | null = null;
  private delivery: "hls" | "native-hls" | "mp3" | null = null;
  private levelRung: PlayRung | null = null;
  private session: Session | null = null;
  private readonly listeners: [string, () => void][];
  private readonly log: (message: string, error?: unknown) => void;

  constructor(private readonly deps: ReporterDeps) {
    this.log = deps.log ?? (() => {});
    this.listeners = [
      ["playing", () => this.playing()],
      ["timeupdate", () => this.timeupdate()],
      ["seeking", () => this.session?.clock.stop()],
      ["seeked", () => this.seeked()],
      ["pause", () => this.paused()],
      ["ended", () => this.finish()],
    ];
    for (const [type, listener] of this.listeners) deps.media.addEventListener(type, listener);
  }

  /** The engine's events (what is loaded, how it is delivered); pass each one on. */
  event = (event: PlayerEvent): void => {
    switch (event.type) {
      case "load":
        // The element already holds the new source (at 0): end on what was last seen.
        this.finish(false);
        this.track = { id: event.track.id };
        this.delivery = null;
        this.levelRung = null;
        return;
      case "delivery":
        this.delivery = event.delivery;
        this.levelRung = null;
        return;
      case "level":
        this.levelRung = rungOfLevel(event.url, event.bitrate) ?? this.levelRung;
        return;
      default:
        return;
    }
  };

  /** The rung being heard now. */
  get rung(): PlayRung {
    switch (this.delivery) {
      case "mp3":
        return "mp3";
      case "hls":
        // hls.js starts on the middle rung (engine.ts startLevel) until it says otherwise.
        return this.levelRung ?? "128k";
      default:
        // Native HLS picks its rung without saying: the first the master lists, the top.
        return this.levelRung ?? "256k";
    }
  }

  /** The page is going away (pagehide): end the session with a beacon, which outlives it. */
  pagehide = (): void => {
    const session = this.session;
    if (!session || session.over) return;
    this.account(session);
    this.stopHeartbeat(session);
    session.over = true;
    this.session = null;
    if (session.dead || !session.token) return; // presence expires on the server's TTL
    const body = this.body(session, "end");
    body.token = session.token;
    const blob = new Blob([JSON.stringify(body)], { type: "application/json" });
    if (!this.deps.beacon(PLAYS_URL, blob)) this.log("The end of a play could not be queued.");
  };

  /** Back from the back/forward cache still playing: a new session for what plays. */
  pageshow = (persisted: boolean): void => {
    if (persisted) this.catchUp();
  };

  /** Made after playback began (this module loads with the first track): report it. */
  catchUp(): void {
    if (!this.deps.media.paused) this.playing();
  }

  /** Stop reporting for good (the person signed out, the page is torn down). */
  stop(): void {
    this.finish();
    for (const [type, listener] of this.listeners) this.deps.media.removeEventListener(type, listener);
    this.track = null;
  }

  private playing(): void {
    const media = this.deps.media;
    let session = this.session;
    if (!session || session.over) {
      if (!this.track) return;
      session = this.open(this.track.id);
    } else if (!session.clock.running) {
      // Resumed after a pause: back in presence now, not a heartbeat later.
      session.positionMs = ms(media.currentTime);
      this.send(session, "progress");
    }
    session.clock.from(media.currentTime);
    this.scheduleHeartbeat(session);
  }

  private timeupdate(): void {
    const session = this.session;
    if (!session || session.over) return;
    const media = this.deps.media;
    if (!media.paused && !media.seeking) session.clock.tick(media.currentTime);
    session.positionMs = ms(media.currentTime);
  }

  private seeked(): void {
    const session = this.session;
    const media = this.deps.media;
    if (!session) return;
    session.positionMs = ms(media.currentTime);
    if (!media.paused) session.clock.from(media.currentTime);
  }

  private paused(): void {
    const session = this.session;
    if (!session || session.over) return;
    if (this.deps.media.ended) {
      this.finish();
      return;
    }
    this.account(session);
    session.clock.stop();
    this.stopHeartbeat(session);
    this.send(session, "pause");
  }

  /** The session ends (track change, ended, stop): `end`, then no more. */
  private finish(look = true): void {
    const session = this.session;
    if (!session || session.over) return;
    if (look) this.account(session);
    session.clock.stop();
    this.stopHeartbeat(session);
    this.send(session, "end");
    session.over = true;
    this.session = null;
  }

  private open(trackId: string): Session {
    const session: Session = {
      id: this.deps.newId(),
      trackId,
      token: null,
      heartbeatS: DEFAULT_HEARTBEAT_S,
      clock: new PlayClock(this.deps.now),
      positionMs: ms(this.deps.media.currentTime),
      chain: Promise.resolve(),
      dead: false,
      over: false,
      timer: undefined,
    };
    this.session = session;
    this.send(session, "start");
    return session;
  }

  /** Count what played up to now, if it is playing. */
  private account(session: Session): void {
    const media = this.deps.media;
    if (!media.paused && !media.seeking && session.clock.running) session.clock.tick(media.currentTime);
    session.positionMs = ms(media.currentTime);
  }

  private body(session: Session, event: PlayIn["event"]): PlayIn {
    const body: PlayIn = {
      event,
      session: session.id,
      played_ms: Math.round(session.clock.playedMs),
      position_ms: session.positionMs,
      rung: this.rung,
    };
    if (event === "start") body.track_id = session.trackId;
    return body;
  }

  /** Queue `event` with the figures of now; it goes once the events before it are answered. */
  private send(session: Session, event: PlayIn["event"]): void {
    const body = this.body(session, event);
    session.chain = session.chain.then(async () => {
      if (session.dead) return;
      if (event !== "start") {
        if (!session.token) return;
        body.token = session.token;
      }
      try {
        const answer = await this.deps.post(body);
        if (event === "start") {
          session.token = answer.token;
          session.heartbeatS = Math.max(MIN_HEARTBEAT_S, answer.heartbeat_s || DEFAULT_HEARTBEAT_S);
          // The first heartbeat was timed on the default: time it on the server's word.
          if (session.timer !== undefined) this.scheduleHeartbeat(session);
        }
        this.deps.onlisteners?.(session.trackId, answer.listeners);
      } catch (error) {
        const status = (error as { status?: unknown }).status;
        if (event !== "start" && status === 0) return; // not reached: the next one says it all
        session.dead = true;
        this.stopHeartbeat(session);
        this.log(`Play reporting stopped for this play (${event} refused).`, error);
      }
    });
  }

  private scheduleHeartbeat(session: Session): void {
    this.stopHeartbeat(session);
    if (session.dead || session.over) return;
    session.timer = this.deps.timers.set(() => {
      session.timer = undefined;
      if (this.session !== session || this.deps.media.paused) return;
      this.account(session);
      this.send(session, "progress");
      this.scheduleHeartbeat(session);
    }, session.heartbeatS * 1000);
  }

  private stopHeartbeat(session: Session): void {
    if (session.timer !== undefined) this.deps.timers.clear(session.timer);
    session.timer = undefined;
  }
}

function ms(seconds: number): number {
  return Number.isFinite(seconds) && seconds > 0 ? Math.round(seconds * 1000) : 0;
}

/** The ladder's rungs and their nominal rates (media/ladder.py DEFAULT_LADDER). */
const LADDER: readonly { name: PlayRung; kbps: number }[] = [
  { name: "64k", kbps: 64 },
  { name: "128k", kbps: 128 },
  { name: "256k", kbps: 256 },
];

/**
 * The rung an HLS level is: by its playlist's name (`…/hls/128k.m3u8`, as the server names
 * variants), else the ladder rung nearest its BANDWIDTH. BANDWIDTH is the measured peak,
 * ~10 % over the nominal rate, and a mono source's 256k comes out near 200 kbps; nearest on
 * a log scale keeps both on their rung.
 */
export function rungOfLevel(url: string | null | undefined, bitrate: number | null | undefined): PlayRung | null {
  const named = url ? /(?:^|\/)(\d+k)\.m3u8(?:[?#]|$)/.exec(url)?.[1] : undefined;
  const byName = LADDER.find((rung) => rung.name === named);
  if (byName) return byName.name;
  if (!bitrate || !Number.isFinite(bitrate) || bitrate <= 0) return null;
  let best = LADDER[0];
  for (const rung of LADDER) {
    if (Math.abs(Math.log(bitrate / (rung.kbps * 1000))) < Math.abs(Math.log(bitrate / (best.kbps * 1000)))) {
      best = rung;
    }
  }
  return best.name;
}
