/** One thing a view fetches (an album, a page of a list), and why it could not be. */
import { ApiError } from "../lib/api";

export class Resource<T> {
  value = $state.raw<T | null>(null);
  error = $state<string | null>(null);
  loading = $state(false);
  private generation = 0;

  constructor(
    private readonly fetcher: () => Promise<T>,
    /** Said when the failure has no words of its own (not an ApiError). */
    private readonly fallback = "This could not be loaded. Try again in a moment.",
  ) {}

  /** Fetch (again); an answer to an older call is dropped. */
  async load(): Promise<void> {
    const generation = ++this.generation;
    this.loading = true;
    try {
      const value = await this.fetcher();
      if (generation !== this.generation) return;
      this.value = value;
      this.error = null;
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = error instanceof ApiError ? error.message : this.fallback;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }
}
