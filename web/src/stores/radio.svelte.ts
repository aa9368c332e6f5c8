/**
 * A radio playing in the queue: started from a track, album or artist, it becomes the
 * queue, and it never runs dry: when fewer than three tracks are left after the current
 * one, the next ones are fetched and appended. What the person does with its tracks goes
 * back to the server: a track left within its first 30 s is a skip, a "not this" press a
 * dislike (and a skip), one heard to the end a play. Replacing or clearing the queue ends
 * the radio (the queue's `radio` goes null); the tracks already queued stay.
 */
import type { Track } from "../lib/api";
import * as radioApi from "../lib/radio";
import { type FeedbackAction, type RadioSeed, leaveFeedback, needsRefill } from "../lib/radio";
import type { Left, Player } from "./player.svelte";
import type { Queue, RadioInfo } from "./queue.svelte";

export type RadioApi = Pick<typeof radioApi, "startRadio" | "nextRadioTracks" | "sendFeedback">;

const message = (error: unknown, fallback: string) => (error instanceof Error ? error.message : fallback);

export class Radio {
  /** A radio is being started (its first tracks asked for). */
  starting = $state(false);
  /** Why the last start or refill failed. */
  error = $state<string | null>(null);

  /** Tracks this radio gave: only those are judged as they are left. */
  private given = new Set<string>();
  /** Tracks already judged by a press ("not this"): leaving them says nothing more. */
  private judged = new Set<string>();
  private refilling: Promise<void> | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly api: RadioApi,
    private readonly queue: Pick<Queue, "radio" | "tracks" | "index" | "append">,
    private readonly player: Pick<Player, "state" | "playFrom" | "next" | "onLeave">,
  ) {
    this.unsubscribe = player.onLeave((left) => this.left(left));
  }

  /** The radio playing now; null: none. */
  get current(): RadioInfo | null {
    return this.queue.radio;
  }

  /** Start a radio from `seed`: it replaces the queue and plays. */
  async start(seed: RadioSeed): Promise<void> {
    this.starting = true;
    this.error = null;
    try {
      const radio = await this.api.startRadio(seed);
      if (!radio.tracks.length) {
        this.error = "Nothing sounds like this yet: tracks are analysed as they are processed.";
        return;
      }
      this.given = new Set(radio.tracks.map((t) => t.id));
      this.judged.clear();
      this.player.playFrom(radio.tracks);
      this.queue.radio = { id: radio.id, title: radio.title, seed: radio.seed };
    } catch (error) {
      this.error = message(error, "The radio could not start.");
    } finally {
      this.starting = false;
    }
  }

  /** Stop the radio: the queue keeps what it holds, and nothing more is added. */
  stop(): void {
    this.queue.radio = null;
    this.refilling = null;
  }

  /** "Not this": the track playing is disliked (this radio and later ones avoid it) and skipped. */
  dislike(): void {
    const radio = this.queue.radio;
    const { track, position } = this.player.state;
    if (!radio || !track) return;
    this.judged.add(track.id);
    this.tell(radio, track, "dislike", position);
    this.player.next();
  }

  /** Whether a track is one the radio gave (a "not this" button shows for those). */
  gave(track: Track | null): boolean {
    return track !== null && this.queue.radio !== null && this.given.has(track.id);
  }

  /** Top the queue up when it runs low; resolves once the tracks are appended. */
  refill(): Promise<void> {
    const radio = this.queue.radio;
    if (!radio || !needsRefill(this.queue.tracks.length, this.queue.index)) return Promise.resolve();
    if (this.refilling) return this.refilling;
    const run = this.api.nextRadioTracks(radio.id).then(
      (tracks) => {
        // Stopped, or another radio started, while the answer travelled.
        if (this.queue.radio?.id !== radio.id) return;
        for (const t of tracks) this.given.add(t.id);
        this.queue.append(tracks);
        this.error = null;
      },
      (error: unknown) => {
        if (this.queue.radio?.id === radio.id) this.error = message(error, "The radio could not find more tracks.");
      },
    );
    const done = run.finally(() => {
      if (this.refilling === done) this.refilling = null;
    });
    this.refilling = done;
    return done;
  }

  /** The person read the error. */
  dismiss(): void {
    this.error = null;
  }

  destroy(): void {
    this.unsubscribe();
  }

  private left(left: Left): void {
    const radio = this.queue.radio;
    if (!radio) return;
    const id = left.track.id;
    if (this.given.has(id) && !this.judged.has(id)) {
      const action = leaveFeedback(left.position, left.ended);
      if (action) this.tell(radio, left.track, action, left.position);
    }
    this.judged.delete(id);
    void this.refill();
  }

  private tell(radio: RadioInfo, track: Track, action: FeedbackAction, position: number): void {
    // Best effort: a lost skip only makes a later radio a little less tuned.
    this.api.sendFeedback(radio.id, track.id, action, position).catch(() => {});
  }
}
