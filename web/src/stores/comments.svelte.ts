/** The timed comments on one track, as its comment panel shows them. */
import type * as commentsApi from "../lib/comments";
import { COMMENT_MAX, type TrackComment, byPosition } from "../lib/comments";

export type CommentsApi = Pick<typeof commentsApi, "listComments" | "postComment" | "deleteComment">;

const message = (error: unknown) => (error instanceof Error ? error.message : "That did not work. Try again.");

export class TrackComments {
  items = $state.raw<readonly TrackComment[]>([]);
  loaded = $state(false);
  /** Why the comments could not be shown, or the last deletion failed. */
  error = $state<string | null>(null);

  constructor(
    readonly trackId: string,
    private readonly api: CommentsApi,
  ) {}

  async load(): Promise<void> {
    try {
      const page = await this.api.listComments(this.trackId);
      this.items = byPosition(page.items);
      this.error = null;
    } catch (error) {
      this.error = message(error);
    } finally {
      this.loaded = true;
    }
  }

  /**
   * Comment at `positionS`. Thrown errors carry the server's words (a position past the
   * end of the track, a body too long) for the form to show.
   */
  async add(positionS: number, body: string): Promise<void> {
    const text = body.trim();
    if (!text) throw new Error("Write something first.");
    if (text.length > COMMENT_MAX) throw new Error(`A comment holds at most ${COMMENT_MAX} characters.`);
    const made = await this.api.postComment(this.trackId, Math.max(0, Math.floor(positionS)), text);
    this.items = byPosition([...this.items, made]);
  }

  async remove(comment: TrackComment): Promise<void> {
    const before = this.items;
    this.items = before.filter((c) => c.id !== comment.id);
    try {
      await this.api.deleteComment(this.trackId, comment.id);
      this.error = null;
    } catch (error) {
      this.items = before;
      this.error = message(error);
    }
  }
}
