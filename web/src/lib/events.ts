/**
 * The server's change feed (GET /api/events, server-sent events): what changed that the
 * viewer may see. EventSource reconnects by itself after a dropped connection.
 */

export interface ChangeHandlers {
  track?: (data: { id: string; action: string }) => void;
  playlist?: (data: { id: string; action: string }) => void;
  queue?: (data: { version: number; device: string | null }) => void;
}

/** What the page needs of an EventSource. */
export interface EventFeed {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export function openChanges(
  handlers: ChangeHandlers,
  feed: EventFeed = new EventSource("/api/events", { withCredentials: true }),
): () => void {
  for (const [kind, handler] of Object.entries(handlers)) {
    feed.addEventListener(kind, (event: MessageEvent) => {
      try {
        (handler as (data: unknown) => void)(JSON.parse(String(event.data)));
      } catch {
        // A line this page does not understand: skip it.
      }
    });
  }
  return () => feed.close();
}
