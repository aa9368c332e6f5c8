/**
 * A search field and its results, for the palette (Ctrl+K) and the search page: the text
 * as typed, the latest answer (never an older one: lib/search.ts LatestQuery), and the
 * active option the arrows move across the groups.
 */
import {
  LatestQuery,
  type NavKey,
  type SearchAnswer,
  type SearchOption,
  emptyAnswer,
  moveActive,
  searchOptions,
} from "../lib/search";
import type { Timers } from "./library.svelte";

/** How long typing may pause before the text is sent: short enough to feel immediate. */
export const TYPING_PAUSE_MS = 100;

const browserTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class SearchBox {
  text = $state("");
  answer = $state.raw<SearchAnswer>(emptyAnswer());
  /** The active option's index in `options`; -1: none. */
  active = $state(-1);
  /** A request for the text as it is now is on its way. */
  loading = $state(false);
  error = $state<string | null>(null);
  readonly options: SearchOption[] = $derived.by(() => searchOptions(this.answer, { seeAll: this.seeAll }));

  private readonly latest: LatestQuery<SearchAnswer>;

  /**
   * @param ask the request (lib/search.ts search with the limit and types wanted).
   * @param seeAll end the list with "see all results" (the palette).
   */
  constructor(
    ask: (q: string, signal: AbortSignal) => Promise<SearchAnswer>,
    private readonly seeAll = false,
    timers: Timers = browserTimers,
  ) {
    this.latest = new LatestQuery(
      ask,
      (q, answer) => {
        this.answer = answer;
        // The best match is active, so Enter takes it.
        this.active = searchOptions(answer).length ? 0 : -1;
        this.loading = false;
        this.error = null;
      },
      (_q, error) => {
        this.loading = false;
        this.error = error instanceof Error ? error.message : "The search did not work. Try again.";
      },
      timers,
      TYPING_PAUSE_MS,
    );
  }

  /** The text changed (a keystroke): ask once typing pauses. */
  input(text: string): void {
    this.text = text;
    this.loading = text.trim() !== "";
    this.latest.set(text, emptyAnswer(text));
  }

  /** Ask again now for the same text (the kinds asked for changed). */
  refresh(): Promise<void> {
    if (!this.text.trim()) return Promise.resolve();
    this.loading = true;
    return this.latest.now(this.text);
  }

  move(key: NavKey): void {
    this.active = moveActive(this.options, this.active, key);
  }

  /**
   * Enter: the option to act on. Pressed before the answer for the text came (a fast
   * typist), the text is asked for at once and its best match taken.
   */
  async enter(): Promise<SearchOption | null> {
    if (this.text.trim() && (this.loading || this.answer.query !== this.text)) {
      this.loading = true;
      await this.latest.now(this.text);
    }
    return this.options[this.active] ?? this.options[0] ?? null;
  }

  destroy(): void {
    this.latest.cancel();
  }
}
